"""Input and output bodies of the JSON API (separate, as the template advises)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from deformations_contracts.events.training import EvaluationKind, RebondKind
from deformations_training.domain.bodies import TrainingBody
from deformations_training.domain.budget import Statement
from deformations_training.domain.enrolments import Enrolment
from deformations_training.domain.evaluations import Evaluation, Results
from deformations_training.domain.groups import Group
from deformations_training.domain.journey import Rebond, Step
from deformations_training.domain.offers import Format, Offer
from deformations_training.domain.search import Found

Siren = Annotated[str, StringConstraints(pattern=r"^[0-9]{9}$")]
Insee = Annotated[str, StringConstraints(pattern=r"^(?:[0-9]{2}|2A|2B)[0-9]{3}$")]
PersonId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[^@\s]+$")]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class BodyIn(In):
    siren: Siren
    name: str = Field(max_length=200)
    agrement_reference: str | None = Field(default=None, max_length=100)
    agrement_until: date | None = None


class BodyOut(BaseModel):
    siren: str
    name: str
    agrement_reference: str | None
    agrement_until: date | None
    approved_today: bool

    @classmethod
    def of(cls, body: TrainingBody, today: date) -> BodyOut:
        return cls(
            siren=body.siren,
            name=body.name,
            agrement_reference=body.agrement_reference,
            agrement_until=body.agrement_until,
            approved_today=body.approved_on(today),
        )


class SessionIn(In):
    starts_at: AwareDatetime
    ends_at: AwareDatetime


class TierIn(In):
    min_group_size: int = Field(ge=2, le=500)
    price_cents: int = Field(ge=0)


class OfferIn(In):
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=4000)
    theme: str = Field(max_length=40)
    format: Format
    duration_minutes: int
    capacity: int
    price_cents: int
    sessions: list[SessionIn] = Field(default_factory=list, max_length=20)
    place_insee: Insee | None = None
    place_label: str | None = Field(default=None, max_length=200)
    video_url: str | None = Field(default=None, max_length=500)
    group_tiers: list[TierIn] = Field(default_factory=list, max_length=10)
    registration_closes_at: AwareDatetime | None = None


class SessionOut(BaseModel):
    id: UUID
    starts_at: datetime
    ends_at: datetime
    cancelled: bool
    sequence: int = Field(default=0, description="iCalendar SEQUENCE of its last announced change")


class TierOut(BaseModel):
    min_group_size: int
    price_cents: int


class OfferOut(BaseModel):
    id: UUID
    body_siren: str
    title: str
    description: str
    theme: str
    format: Format
    duration_minutes: int
    capacity: int
    price_cents: int
    sessions: list[SessionOut]
    place_insee: str | None
    place_label: str | None
    video_url: str | None
    group_tiers: list[TierOut]
    registration_closes_at: datetime | None
    cancelled: bool

    @classmethod
    def of(cls, o: Offer) -> OfferOut:
        return cls(
            id=o.id,
            body_siren=o.body_siren,
            title=o.title,
            description=o.description,
            theme=o.theme,
            format=o.format,
            duration_minutes=o.duration_minutes,
            capacity=o.capacity,
            price_cents=o.price_cents,
            sessions=[
                SessionOut(
                    id=s.id,
                    starts_at=s.starts_at,
                    ends_at=s.ends_at,
                    cancelled=s.cancelled,
                    sequence=s.sequence,
                )
                for s in o.sessions
            ],
            place_insee=o.place_insee,
            place_label=o.place_label,
            video_url=o.video_url,
            group_tiers=[
                TierOut(min_group_size=t.min_group_size, price_cents=t.price_cents)
                for t in o.group_tiers
            ],
            registration_closes_at=o.closes_at(),
            cancelled=o.cancelled_at is not None,
        )


class FoundOut(BaseModel):
    offer: OfferOut
    proximity: str | None

    @classmethod
    def of(cls, f: Found) -> FoundOut:
        return cls(
            offer=OfferOut.of(f.offer),
            proximity=f.proximity.name.lower() if f.proximity is not None else None,
        )

    def without_video_link(self) -> FoundOut:
        """For anonymous visitors: the visio link is for the enrolled."""
        return self.model_copy(update={"offer": self.offer.model_copy(update={"video_url": None})})


class MoveIn(In):
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    reason: str | None = Field(default=None, max_length=300)


class ReasonIn(In):
    reason: str = Field(min_length=3, max_length=300)


class EnrolIn(In):
    # Defaults: the person and collectivité of the token (an élu enrolling themself).
    person_id: PersonId | None = None
    collectivite_siren: Siren | None = None


class MemberIn(In):
    person_id: PersonId
    collectivite_siren: Siren


class GroupIn(In):
    territory_siren: Siren
    members: list[MemberIn] = Field(min_length=1, max_length=100)


class EnrolmentOut(BaseModel):
    id: UUID
    offer_id: UUID
    person_id: str
    collectivite_siren: str | None
    group_id: UUID | None
    status: str
    price_cents: int
    requested_at: datetime
    attended: list[UUID]
    # Only on the answer to an enrolment that went to the waitlist (1 = next in line).
    waitlist_position: int | None = None

    @classmethod
    def of(cls, e: Enrolment) -> EnrolmentOut:
        return cls(
            id=e.id,
            offer_id=e.offer_id,
            person_id=e.person_id,
            collectivite_siren=e.collectivite_siren,
            group_id=e.group_id,
            status=e.status.value,
            price_cents=e.price_cents,
            requested_at=e.requested_at,
            attended=sorted(e.attended, key=str),
        )


class GroupOut(BaseModel):
    id: UUID
    offer_id: UUID
    territory_siren: str
    enrolments: list[EnrolmentOut]

    @classmethod
    def of(cls, group: Group, enrolments: list[Enrolment]) -> GroupOut:
        return cls(
            id=group.id,
            offer_id=group.offer_id,
            territory_siren=group.territory_siren,
            enrolments=[EnrolmentOut.of(e) for e in enrolments],
        )


class AttendanceIn(In):
    session_id: UUID
    present: bool


class RebondIn(In):
    kind: RebondKind
    offer_id: UUID | None = None
    debrief: str = Field(max_length=2000)
    proposal: str = Field(max_length=1000)


class RebondAnswerIn(In):
    take: bool


class RebondOut(BaseModel):
    id: UUID
    after_enrolment_id: UUID
    person_id: str
    kind: RebondKind
    offer_id: UUID | None
    debrief: str
    proposal: str
    status: str
    proposed_at: datetime
    enrolment: EnrolmentOut | None = None

    @classmethod
    def of(cls, r: Rebond, enrolment: Enrolment | None = None) -> RebondOut:
        return cls(
            id=r.id,
            after_enrolment_id=r.after_enrolment_id,
            person_id=r.person_id,
            kind=r.kind,
            offer_id=r.offer_id,
            debrief=r.debrief,
            proposal=r.proposal,
            status=r.status.value,
            proposed_at=r.proposed_at,
            enrolment=EnrolmentOut.of(enrolment) if enrolment else None,
        )


class StepOut(BaseModel):
    offer: OfferOut
    enrolment: EnrolmentOut
    rebond: RebondOut | None

    @classmethod
    def of(cls, s: Step) -> StepOut:
        return cls(
            offer=OfferOut.of(s.offer),
            enrolment=EnrolmentOut.of(s.enrolment),
            rebond=RebondOut.of(s.rebond) if s.rebond else None,
        )


class EvaluationOut(BaseModel):
    id: UUID
    enrolment_id: UUID
    offer_id: UUID
    session_id: UUID | None
    kind: EvaluationKind
    due_at: datetime
    answered: bool

    @classmethod
    def of(cls, e: Evaluation) -> EvaluationOut:
        return cls(
            id=e.id,
            enrolment_id=e.enrolment_id,
            offer_id=e.offer_id,
            session_id=e.session_id,
            kind=e.kind,
            due_at=e.due_at,
            answered=e.answered_at is not None,
        )


class AnswersIn(In):
    answers: dict[str, int] = Field(max_length=10)


class ResultsOut(BaseModel):
    kind: EvaluationKind
    answers: int
    shown: bool
    means: dict[str, float] | None
    note: str | None

    @classmethod
    def of(cls, r: Results) -> ResultsOut:
        return cls(
            kind=r.kind,
            answers=r.answers,
            shown=r.shown,
            means=dict(r.means) if r.means is not None else None,
            note=None if r.shown else "Résultats affichés à partir de 3 réponses.",
        )


class BudgetIn(In):
    voted_cents: int = Field(ge=0)
    allowances_envelope_cents: int | None = Field(default=None, ge=0)


class StandingOut(BaseModel):
    person_id: str
    enrolments: int
    spent_cents: int


class StatementOut(BaseModel):
    collectivite_siren: str
    year: int
    voted_cents: int | None
    spent_cents: int
    remaining_cents: int | None
    floor_cents: int | None
    ceiling_cents: int | None
    voted_below_floor: bool | None
    spent_above_ceiling: bool | None
    spent_unapproved_cents: int
    elected: list[StandingOut]
    legal_basis: str
    dif_url: str
    dif_note: str

    @classmethod
    def of(cls, s: Statement) -> StatementOut:
        return cls(
            collectivite_siren=s.collectivite_siren,
            year=s.year,
            voted_cents=s.voted_cents,
            spent_cents=s.spent_cents,
            remaining_cents=s.remaining_cents,
            floor_cents=s.floor_cents,
            ceiling_cents=s.ceiling_cents,
            voted_below_floor=s.voted_below_floor,
            spent_above_ceiling=s.spent_above_ceiling,
            spent_unapproved_cents=s.spent_unapproved_cents,
            elected=[
                StandingOut(
                    person_id=e.person_id, enrolments=e.enrolments, spent_cents=e.spent_cents
                )
                for e in s.elected
            ],
            legal_basis=(
                "CGCT art. L2123-14 : dépenses de formation prévues d'au moins 2 % et "
                "réelles d'au plus 20 % du montant des indemnités de fonction pouvant être "
                "allouées aux élus."
            ),
            dif_url=s.dif_url,
            dif_note=s.dif_note,
        )
