"""Bodies of requests (the responses are in ``outputs`` and ``loan_out``)."""

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from deformations_contracts.events.lending import MAX_HALF_DAYS
from deformations_contracts.themes import ThemeCode
from deformations_contracts.types import HalfDayPart, Modality, PersonId
from deformations_contracts.values import AgentRole, FreeText, ShortText, WeekdayHalfDay
from deformations_lending.domain.calendar import HalfDay, Period, WeeklyHalfDay
from deformations_lending.domain.feedback import Answer
from deformations_lending.domain.offers import (
    ReimbursementBasis,
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


class HrApprovalIn(Input):
    agent_person_id: PersonId = Field(
        description="L'agent mis à disposition : identifiant (pseudonyme) sur la plateforme "
        "d'une personne ayant le rôle agent dans la collectivité d'origine."
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
