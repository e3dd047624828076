"""The rule every service keeps after an erasure: nothing personal about that person again.

Pure: the use cases look the tombstones up (``uow.erased_people``) and apply it.
"""

from collections.abc import Iterable

from deformations_common.vocabulary.errors import GoneError


class PersonErased(GoneError):
    """A request made with the token of a person whose account was deleted: 410."""

    code = "person_erased"

    def __init__(self) -> None:
        super().__init__(
            "Ce compte a été supprimé et ses données personnelles effacées : "
            "rien ne peut plus être enregistré à son nom."
        )


def still_present(people: Iterable[str], erased: set[str]) -> set[str]:
    """The people an event may still name here: those not erased."""
    return set(people) - erased


def refuse_if_erased(erased: bool) -> None:
    """An erased person cannot act again (their token may outlive the erasure)."""
    if erased:
        raise PersonErased()
