"""Who may do what. Roles come from the token; ``authority`` is the SIREN acted for.

- operator: registers training bodies; may act for anyone;
- trainer (acting for a body's SIREN): publishes and changes that body's offers, takes
  attendance, writes debriefs and rebonds, reads its results;
- elected (acting for their collectivité): enrols themself, answers their rebonds and
  questionnaires, reads their journey;
- hr or secretary (acting for a collectivité): enrols its élus, registers groups,
  votes and reads its budget.
"""

from __future__ import annotations

from dataclasses import dataclass

from deformations_common.vocabulary.roles import Role
from deformations_training.domain.errors import Forbidden

STAFF = frozenset({Role.HR, Role.SECRETARY})


@dataclass(frozen=True, slots=True)
class Actor:
    person_id: str
    authority: str | None
    roles: frozenset[str]

    def has(self, *roles: Role) -> bool:
        return any(r.value in self.roles for r in roles)

    @property
    def operator(self) -> bool:
        return self.has(Role.OPERATOR)


def may_register_body(actor: Actor) -> None:
    if not actor.operator:
        raise Forbidden("Seul un opérateur de la plateforme enregistre un organisme.")


def may_manage_body(actor: Actor, body_siren: str) -> None:
    """Publish, change, take attendance, debrief: a trainer of the body, or an operator."""
    if actor.operator:
        return
    if not actor.has(Role.TRAINER) or actor.authority != body_siren:
        raise Forbidden("Seuls les formateurs de l'organisme peuvent agir sur ses formations.")


def may_enrol(actor: Actor, person_id: str, collectivite_siren: str | None) -> None:
    """An élu enrols themself; the RH or secrétaire enrols the élus of their collectivité."""
    if actor.operator:
        return
    if actor.has(Role.ELECTED) and person_id == actor.person_id:
        if collectivite_siren is not None and collectivite_siren != actor.authority:
            raise Forbidden("Vous vous inscrivez au titre de votre propre collectivité.")
        return
    if (
        actor.has(*STAFF)
        and collectivite_siren is not None
        and actor.authority == collectivite_siren
    ):
        return
    raise Forbidden("Vous ne pouvez pas inscrire cette personne.")


def may_cancel(
    actor: Actor, person_id: str, collectivite_siren: str | None, group_organiser: str | None
) -> None:
    """Who may enrol may cancel; so may the organiser of the person's group."""
    if group_organiser is not None and actor.person_id == group_organiser:
        return
    may_enrol(actor, person_id, collectivite_siren)


def may_act_for_person(actor: Actor, person_id: str) -> None:
    """Answer one's own rebond or questionnaire, read one's own journey."""
    if actor.operator or actor.person_id == person_id:
        return
    raise Forbidden("Cela ne concerne que la personne elle-même.")


def may_manage_collectivite(actor: Actor, siren: str) -> None:
    """Groups and budget of a collectivité: its RH or secrétaire, or an operator."""
    if actor.operator:
        return
    if actor.has(*STAFF) and actor.authority == siren:
        return
    raise Forbidden(
        "Seuls les RH ou le secrétariat de la collectivité agissent sur son budget et ses groupes."
    )
