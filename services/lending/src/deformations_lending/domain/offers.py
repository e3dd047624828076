"""Skill offers ("je prête un technicien alimentation pour une demi-journée") and requests."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from deformations_contracts.types import Modality

from .calendar import Period, WeeklyHalfDay
from .errors import CapacityExceededError, InvalidInputError, InvalidTransitionError
from .events import OfferPublished, OfferWithdrawn, RequestPublished, RequestWithdrawn


class SkillVisibility(StrEnum):
    """The booklet's "compétences visibles et invisibles": a job title, or a know-how."""

    VISIBLE = "visible"
    INVISIBLE = "invisible"


class ReimbursementBasis(StrEnum):
    """How the borrower pays the lender back for the agent's time."""

    FULL_SALARY = "full_salary"  # share of gross salary and employer charges
    FLAT_RATE = "flat_rate"  # an agreed amount per half-day
    EXPENSES_ONLY = "expenses_only"  # travel and meals only, where the law allows a waiver
    NONE = "none"  # no reimbursement, where the law allows a waiver


REIMBURSEMENT_LABELS: dict[ReimbursementBasis, str] = {
    ReimbursementBasis.FULL_SALARY: (
        "remboursement de la rémunération de l'agent (traitement, primes et charges "
        "patronales) au prorata des demi-journées effectuées"
    ),
    ReimbursementBasis.FLAT_RATE: "remboursement forfaitaire par demi-journée effectuée",
    ReimbursementBasis.EXPENSES_ONLY: (
        "remboursement des seuls frais de déplacement et de repas, par dérogation au principe "
        "du remboursement lorsque la loi le permet"
    ),
    ReimbursementBasis.NONE: (
        "sans remboursement, par dérogation au principe du remboursement lorsque la loi le permet"
    ),
}


class OfferStatus(StrEnum):
    OPEN = "open"
    WITHDRAWN = "withdrawn"


MAX_TEXT = 2000
MAX_ROLE = 200


def _text(value: str, what: str, limit: int = MAX_TEXT) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise InvalidInputError(f"{what} ne peut pas être vide.")
    if len(cleaned) > limit:
        raise InvalidInputError(f"{what} dépasse {limit} caractères.")
    return cleaned


class Hideable:
    """A text an operator may hide (see ``moderation``): offers and requests."""

    __slots__ = ()
    hidden_at: datetime | None

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None


@dataclass(frozen=True, slots=True)
class Offer(Hideable):
    id: UUID
    lender: str  # SIREN
    theme: str
    description: str  # what the agent can do
    agent_role: str  # e.g. « technicien restauration collective », never a name
    agent_ref: str  # the lender's opaque reference of the agent, to prevent double booking
    visibility: SkillVisibility
    capacity_half_days: int
    period: Period
    possible_half_days: frozenset[WeeklyHalfDay]
    modality: Modality
    reimbursement: ReimbursementBasis
    reimbursement_details: str
    published_at: datetime
    committed_half_days: int = 0
    status: OfferStatus = OfferStatus.OPEN
    withdrawal_reason: str | None = None
    hidden_reason: str | None = None  # set by an operator (see ``moderation``)
    hidden_at: datetime | None = None

    @property
    def owner(self) -> str:
        return self.lender

    @property
    def remaining_half_days(self) -> int:
        return self.capacity_half_days - self.committed_half_days

    def commit(self, half_days: int) -> Offer:
        """Reserve half-days for an agreed loan; never beyond capacity."""
        if self.status is not OfferStatus.OPEN:
            raise InvalidTransitionError("L'offre a été retirée : elle ne peut plus être engagée.")
        if half_days > self.remaining_half_days:
            raise CapacityExceededError(
                f"L'offre n'a plus que {self.remaining_half_days} demi-journée(s) disponible(s) "
                f"sur {self.capacity_half_days} : impossible d'en engager {half_days}."
            )
        return replace(self, committed_half_days=self.committed_half_days + half_days)

    def release(self, half_days: int) -> Offer:
        """Give back half-days of a loan that ends before using them all."""
        return replace(self, committed_half_days=max(0, self.committed_half_days - half_days))


def publish_offer(
    *,
    offer_id: UUID,
    lender: str,
    theme: str,
    description: str,
    agent_role: str,
    agent_ref: str,
    visibility: SkillVisibility,
    capacity_half_days: int,
    period: Period,
    possible_half_days: frozenset[WeeklyHalfDay],
    modality: Modality,
    reimbursement: ReimbursementBasis,
    reimbursement_details: str = "",
    now: datetime,
) -> tuple[Offer, list[OfferPublished]]:
    if capacity_half_days < 1:
        raise InvalidInputError("La capacité doit être d'au moins une demi-journée.")
    if not possible_half_days:
        raise InvalidInputError("Indiquez au moins une demi-journée possible dans la semaine.")
    if period.end < now.date():
        raise InvalidInputError("La période de l'offre est déjà passée.")
    offer = Offer(
        id=offer_id,
        lender=lender,
        theme=theme,
        description=_text(description, "La description de la compétence"),
        agent_role=_text(agent_role, "Le rôle de l'agent", MAX_ROLE),
        agent_ref=_text(agent_ref, "La référence de l'agent", MAX_ROLE),
        visibility=visibility,
        capacity_half_days=capacity_half_days,
        period=period,
        possible_half_days=possible_half_days,
        modality=modality,
        reimbursement=reimbursement,
        reimbursement_details=reimbursement_details.strip(),
        published_at=now,
    )
    return offer, [OfferPublished(occurred_at=now, offer_id=offer_id)]


def mark_offer_withdrawn(
    offer: Offer, *, reason: str, now: datetime
) -> tuple[Offer, OfferWithdrawn]:
    """The offer alone; ``loans.withdraw_offer`` also settles its loans and sessions."""
    if offer.status is OfferStatus.WITHDRAWN:
        raise InvalidTransitionError("L'offre est déjà retirée.")
    why = _text(reason, "Le motif du retrait")
    withdrawn = replace(offer, status=OfferStatus.WITHDRAWN, withdrawal_reason=why)
    return withdrawn, OfferWithdrawn(occurred_at=now, offer_id=offer.id, reason=why)


class RequestStatus(StrEnum):
    OPEN = "open"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class SkillRequest(Hideable):
    """« Élu de petite commune avec peu d'agents cherche mise à niveau au sujet de… »"""

    id: UUID
    requester: str  # SIREN
    theme: str
    need: str
    period: Period
    half_days: int
    possible_half_days: frozenset[WeeklyHalfDay]
    modality: Modality
    published_at: datetime
    status: RequestStatus = RequestStatus.OPEN
    withdrawal_reason: str | None = None
    hidden_reason: str | None = None  # set by an operator (see ``moderation``)
    hidden_at: datetime | None = None

    @property
    def owner(self) -> str:
        return self.requester


def publish_request(
    *,
    request_id: UUID,
    requester: str,
    theme: str,
    need: str,
    period: Period,
    half_days: int,
    possible_half_days: frozenset[WeeklyHalfDay],
    modality: Modality,
    now: datetime,
) -> tuple[SkillRequest, list[RequestPublished]]:
    if half_days < 1:
        raise InvalidInputError("La demande doit porter sur au moins une demi-journée.")
    if period.end < now.date():
        raise InvalidInputError("La période de la demande est déjà passée.")
    request = SkillRequest(
        id=request_id,
        requester=requester,
        theme=theme,
        need=_text(need, "Le besoin"),
        period=period,
        half_days=half_days,
        possible_half_days=possible_half_days,
        modality=modality,
        published_at=now,
    )
    return request, [RequestPublished(occurred_at=now, request_id=request_id)]


def withdraw_request(
    request: SkillRequest, *, reason: str, now: datetime
) -> tuple[SkillRequest, list[RequestWithdrawn]]:
    if request.status is RequestStatus.WITHDRAWN:
        raise InvalidTransitionError("La demande est déjà retirée.")
    why = _text(reason, "Le motif du retrait")
    withdrawn = replace(request, status=RequestStatus.WITHDRAWN, withdrawal_reason=why)
    return withdrawn, [RequestWithdrawn(occurred_at=now, request_id=request.id, reason=why)]
