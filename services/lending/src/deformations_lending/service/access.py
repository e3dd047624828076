"""Authorisation as use cases need it: the domain's policy, applied to the actor."""

from deformations_lending.domain.errors import ForbiddenError
from deformations_lending.domain.policy import Actor, Command, Parties, authorize


def allow(actor: Actor, command: Command, parties: Parties) -> None:
    """Refuse with 403 ``forbidden``, naming the command, unless the policy allows it."""
    try:
        authorize(actor, command, parties)
    except ForbiddenError as exc:
        raise ForbiddenError(exc.message, command=command.value) from exc


def acting_for(actor: Actor) -> str:
    """The SIREN the actor acts for; acting needs one."""
    if actor.authority is None:
        raise ForbiddenError(
            "Votre jeton ne précise pas la collectivité pour laquelle vous agissez."
        )
    return actor.authority
