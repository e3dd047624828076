"""The « à la carte et plus si affinités » cycle (booklet, thématique 3).

An élu chooses a first module. After it, the trainer writes a short debrief and draws a
made-to-measure rebond: another module, a café, a peer group or a visit, « à prendre
ou à laisser ». The élu takes it (for a module: an enrolment in the proposed offer) or
leaves it. The chain of modules and rebonds is the élu's journey; a year after a module
that had a rebond, a reminder proposes a rebond again (« un rebond éloigné dans le
temps, un an plus tard par exemple »).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from deformations_contracts.events.training import RebondKind
from deformations_training.domain.enrolments import Enrolment, followed
from deformations_training.domain.errors import InvalidTrainingInput, InvalidTransition
from deformations_training.domain.offers import Offer

ONE_YEAR = timedelta(days=365)

__all__ = ["ONE_YEAR", "Rebond", "RebondKind", "RebondStatus", "Step"]


class RebondStatus(StrEnum):
    PROPOSED = "proposed"
    TAKEN = "taken"
    LEFT = "left"


@dataclass(frozen=True, slots=True)
class Rebond:
    id: UUID
    after_enrolment_id: UUID
    person_id: str
    kind: RebondKind
    offer_id: UUID | None
    debrief: str
    proposal: str
    trainer_id: str | None
    proposed_at: datetime
    status: RebondStatus = RebondStatus.PROPOSED
    answered_at: datetime | None = None
    # When the one-year-later reminder is due (and whether it was sent).
    remind_at: datetime | None = None
    reminded_at: datetime | None = None


def propose_rebond(
    *,
    rebond_id: UUID,
    enrolment: Enrolment,
    module: Offer,
    kind: RebondKind,
    proposed_offer: Offer | None,
    debrief: str,
    proposal: str,
    trainer_id: str,
    now: datetime,
) -> Rebond:
    """The trainer's debrief and rebond after a module the élu followed."""
    ends = module.ends_at()
    if ends is not None and ends > now:
        raise InvalidTransition("Le rebond se propose à l'issue du module.")
    if not followed(enrolment, module):
        raise InvalidTransition("L'élu n'a pas suivi ce module : pas de rebond à proposer.")
    debrief, proposal = debrief.strip(), proposal.strip()
    if not 10 <= len(debrief) <= 2000:
        raise InvalidTrainingInput("Le débrief compte de 10 à 2000 caractères.", field="debrief")
    if not 10 <= len(proposal) <= 1000:
        raise InvalidTrainingInput(
            "La proposition de rebond compte de 10 à 1000 caractères.", field="proposal"
        )
    if kind is RebondKind.MODULE and proposed_offer is None:
        raise InvalidTrainingInput(
            "Un rebond « module » désigne la formation proposée.", field="offer_id"
        )
    if proposed_offer is not None and proposed_offer.id == module.id:
        raise InvalidTrainingInput("Le rebond propose autre chose que le module suivi.")
    return Rebond(
        id=rebond_id,
        after_enrolment_id=enrolment.id,
        person_id=enrolment.person_id,
        kind=kind,
        offer_id=proposed_offer.id if proposed_offer else None,
        debrief=debrief,
        proposal=proposal,
        trainer_id=trainer_id,
        proposed_at=now,
        remind_at=(ends or now) + ONE_YEAR,
    )


def answer(rebond: Rebond, *, take: bool, now: datetime) -> Rebond:
    if rebond.status is not RebondStatus.PROPOSED:
        raise InvalidTransition("Ce rebond a déjà reçu une réponse.")
    return replace(
        rebond, status=RebondStatus.TAKEN if take else RebondStatus.LEFT, answered_at=now
    )


@dataclass(frozen=True, slots=True)
class Step:
    """One module of the journey, with what followed it."""

    enrolment: Enrolment
    offer: Offer
    rebond: Rebond | None


def journey(
    enrolments: Sequence[Enrolment], offers: dict[UUID, Offer], rebonds: Sequence[Rebond]
) -> list[Step]:
    """The élu's chain of modules, oldest first, each with its rebond if any."""
    by_enrolment = {r.after_enrolment_id: r for r in rebonds}
    steps = [
        Step(e, offers[e.offer_id], by_enrolment.get(e.id))
        for e in enrolments
        if e.offer_id in offers and e.status.value != "cancelled"
    ]

    def when(step: Step) -> datetime:
        return step.offer.starts_at() or step.enrolment.requested_at

    return sorted(steps, key=when)
