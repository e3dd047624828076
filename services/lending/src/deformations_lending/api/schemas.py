"""Bodies of requests and responses (separate input and output models)."""

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from deformations_contracts.events.lending import MAX_HALF_DAYS
from deformations_contracts.themes import ThemeCode
from deformations_contracts.themes import label as theme_label
from deformations_contracts.types import HalfDayPart, Modality, PersonId
from deformations_contracts.values import AgentRole, FreeText, ShortText, WeekdayHalfDay
from deformations_lending.domain.calendar import HalfDay, Period, WeeklyHalfDay
from deformations_lending.domain.collectivites import Collectivite, describe
from deformations_lending.domain.feedback import Answer
from deformations_lending.domain.offers import (
    REIMBURSEMENT_LABELS,
    Offer,
    ReimbursementBasis,
    SkillRequest,
    SkillVisibility,
)

AgentRef = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
PlaceLabel = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]
HalfDays = Annotated[int, Field(ge=1, le=MAX_HALF_DAYS)]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PeriodIn(Input):
    start: date
    end: date

    def domain(self) -> Period:
        return Period(self.start, self.end)


def weekly(values: list[WeekdayHalfDay]) -> frozenset[WeeklyHalfDay]:
    """ISO weekdays of the API (1 = lundi) to the domain's (0 = lundi)."""
    return frozenset(WeeklyHalfDay(v.weekday - 1, v.part) for v in values)


class OfferIn(Input):
    theme: ThemeCode
    description: FreeText = Field(description="Ce que l'agent peut apporter.")
    agent_role: AgentRole = Field(description="Fonction de l'agent, jamais son nom.")
    agent_ref: AgentRef = Field(
        description="Référence interne de l'agent (matricule…), pour éviter les doubles "
        "réservations ; jamais publiée."
    )
    visibility: SkillVisibility = SkillVisibility.VISIBLE
    capacity_half_days: HalfDays
    period: PeriodIn
    possible_half_days: list[WeekdayHalfDay] = Field(min_length=1, max_length=14)
    modality: Modality
    reimbursement: ReimbursementBasis
    reimbursement_details: Annotated[str, StringConstraints(max_length=1000)] = ""


class RequestIn(Input):
    theme: ThemeCode
    need: FreeText
    period: PeriodIn
    half_days: HalfDays
    possible_half_days: list[WeekdayHalfDay] = Field(default_factory=list, max_length=14)
    modality: Modality


class ReasonIn(Input):
    reason: ShortText


class LoanIn(Input):
    offer_id: UUID
    request_id: UUID | None = None
    half_days: HalfDays
    period: PeriodIn
    scope: FreeText = Field(description="Le périmètre de la mission.")
    modality: Modality = Modality.EITHER
    accept: bool = Field(default=False, description="Accepter le prêt dans la même requête.")


class ProposalLoanIn(Input):
    request_id: UUID


class ConsentIn(Input):
    agent_person_id: PersonId = Field(
        description="Identifiant (pseudonyme) de l'agent sur la plateforme."
    )


class SessionIn(Input):
    day: date
    part: HalfDayPart
    remote: bool | None = Field(
        default=None, description="À distance ; par défaut selon la modalité du prêt."
    )
    place_label: PlaceLabel | None = Field(
        default=None, description="Lieu public ; par défaut la mairie d'accueil."
    )

    def half_day(self) -> HalfDay:
        return HalfDay(self.day, self.part)


class RescheduleIn(Input):
    day: date
    part: HalfDayPart
    reason: ShortText | None = None


class AnswersIn(Input):
    answers: dict[str, Answer] = Field(max_length=20)


# Outputs ---------------------------------------------------------------------------------


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
