"""Bodies of responses: offers, requests, proposals, balances, and the parts they share."""

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field

from deformations_contracts.events.moderation import ContentKind
from deformations_contracts.themes import label as theme_label
from deformations_contracts.types import HalfDayPart, Modality
from deformations_lending.domain.calendar import Period, WeeklyHalfDay
from deformations_lending.domain.collectivites import Collectivite, describe
from deformations_lending.domain.offers import (
    REIMBURSEMENT_LABELS,
    Offer,
    ReimbursementBasis,
    SkillRequest,
    SkillVisibility,
)


class CollectiviteOut(BaseModel):
    siren: str
    name: str
    insee_code: str | None
    departement: str | None
    epci_siren: str | None

    @classmethod
    def of(cls, c: Collectivite) -> "CollectiviteOut":
        return cls(
            siren=c.siren,
            name=c.name,
            insee_code=c.insee_code,
            departement=c.departement,
            epci_siren=c.epci_siren,
        )


class PeriodOut(BaseModel):
    start: date
    end: date
    label: str

    @classmethod
    def of(cls, p: Period) -> "PeriodOut":
        return cls(start=p.start, end=p.end, label=p.label())


class WeeklyOut(BaseModel):
    weekday: int = Field(description="1 = lundi … 7 = dimanche")
    part: HalfDayPart
    label: str


def weekly_out(values: frozenset[WeeklyHalfDay]) -> list[WeeklyOut]:
    return [WeeklyOut(weekday=w.weekday + 1, part=w.part, label=w.label()) for w in sorted(values)]


class OfferOut(BaseModel):
    id: UUID
    lender: CollectiviteOut
    theme: str
    theme_label: str
    description: str
    agent_role: str
    visibility: SkillVisibility
    capacity_half_days: int
    committed_half_days: int
    remaining_half_days: int
    period: PeriodOut
    possible_half_days: list[WeeklyOut]
    modality: Modality
    reimbursement: ReimbursementBasis
    reimbursement_label: str
    reimbursement_details: str
    status: str
    withdrawal_reason: str | None
    published_at: datetime
    hidden_reason: str | None = Field(
        default=None, description="Pourquoi l'équipe de la plateforme l'a masquée"
    )
    hidden_at: datetime | None = None

    @classmethod
    def of(cls, o: Offer) -> "OfferOut":
        return cls(
            id=o.id,
            lender=CollectiviteOut.of(describe(o.lender)),
            theme=o.theme,
            theme_label=theme_label(o.theme),
            description=o.description,
            agent_role=o.agent_role,
            visibility=o.visibility,
            capacity_half_days=o.capacity_half_days,
            committed_half_days=o.committed_half_days,
            remaining_half_days=o.remaining_half_days,
            period=PeriodOut.of(o.period),
            possible_half_days=weekly_out(o.possible_half_days),
            modality=o.modality,
            reimbursement=o.reimbursement,
            reimbursement_label=REIMBURSEMENT_LABELS[o.reimbursement],
            reimbursement_details=o.reimbursement_details,
            status=o.status.value,
            withdrawal_reason=o.withdrawal_reason,
            published_at=o.published_at,
            hidden_reason=o.hidden_reason,
            hidden_at=o.hidden_at,
        )


class RequestOut(BaseModel):
    id: UUID
    requester: CollectiviteOut
    theme: str
    theme_label: str
    need: str
    period: PeriodOut
    half_days: int
    possible_half_days: list[WeeklyOut]
    modality: Modality
    status: str
    withdrawal_reason: str | None
    published_at: datetime
    hidden_reason: str | None = Field(
        default=None, description="Pourquoi l'équipe de la plateforme l'a masquée"
    )
    hidden_at: datetime | None = None

    @classmethod
    def of(cls, r: SkillRequest) -> "RequestOut":
        return cls(
            id=r.id,
            requester=CollectiviteOut.of(describe(r.requester)),
            theme=r.theme,
            theme_label=theme_label(r.theme),
            need=r.need,
            period=PeriodOut.of(r.period),
            half_days=r.half_days,
            possible_half_days=weekly_out(r.possible_half_days),
            modality=r.modality,
            status=r.status.value,
            withdrawal_reason=r.withdrawal_reason,
            published_at=r.published_at,
            hidden_reason=r.hidden_reason,
            hidden_at=r.hidden_at,
        )


class ModeratedOut(BaseModel):
    """An offer's or a request's text as operators moderate it."""

    content_id: UUID
    kind: ContentKind
    collectivite: CollectiviteOut
    theme: str
    theme_label: str
    text: str
    status: str
    created_at: datetime
    hidden_reason: str | None
    hidden_at: datetime | None

    @classmethod
    def of(cls, item: Offer | SkillRequest) -> "ModeratedOut":
        return cls(
            content_id=item.id,
            kind=ContentKind.OFFER if isinstance(item, Offer) else ContentKind.REQUEST,
            collectivite=CollectiviteOut.of(describe(item.owner)),
            theme=item.theme,
            theme_label=theme_label(item.theme),
            text=item.description if isinstance(item, Offer) else item.need,
            status=item.status.value,
            created_at=item.published_at,
            hidden_reason=item.hidden_reason,
            hidden_at=item.hidden_at,
        )


class ProposalOut(BaseModel):
    proposal_id: UUID
    request_id: UUID
    offer_id: UUID
    kind: str
    lender: CollectiviteOut
    theme: str | None
    score: float
    reasons: list[str]
    proposed_at: datetime
    expires_at: datetime | None
    loan_id: UUID | None


class BalanceOut(BaseModel):
    siren: str | None
    name: str | None
    minutes: int
    hours_label: str
    position: str = Field(description="« prêteuse », « emprunteuse » ou « à l'équilibre »")
