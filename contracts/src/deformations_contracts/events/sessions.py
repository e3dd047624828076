"""Events about dated sessions (published by lending, matching and training).

Each carries the full state of the session, so that a consumer (a calendar invitation)
never needs an earlier event; ``sequence`` is raised on every change, as iCalendar's
SEQUENCE is.
"""

from enum import StrEnum
from typing import Annotated, ClassVar, Self
from uuid import UUID

from pydantic import Field, StringConstraints, model_validator

from deformations_contracts.base import EventData
from deformations_contracts.themes import ThemeCode
from deformations_contracts.types import InseeCode, Instant, PersonId, Siren
from deformations_contracts.values import HalfDay, ShortText, TimeZoneName

# A public place: "Salle du conseil, mairie de Crest" (never a private address).
PlaceLabel = Annotated[str, StringConstraints(min_length=3, max_length=200)]


class SessionKind(StrEnum):
    LOAN_HALF_DAY = "loan_half_day"
    PEER_GROUP = "peer_group"
    CAFE_ELUS_TECHNICIENS = "cafe_elus_techniciens"
    SPEED_DATING_ROUND = "speed_dating_round"
    # A dated session of a training offer (a module, an evening, a café, a visit).
    TRAINING_SESSION = "training_session"
    # A dated session of a programme (a recipe run step by step: non-conférence, coaching…).
    PROGRAMME_SESSION = "programme_session"


class _SessionEvent(EventData):
    other_producers: ClassVar[tuple[str, ...]] = ("matching", "training")

    session_id: UUID
    kind: SessionKind
    related_id: UUID = Field(
        description="The loan, group, pair, gathering, training offer or programme of the session."
    )
    theme: ThemeCode | None = None
    title: ShortText | None = Field(
        default=None, description="French title of the session, for calendars."
    )
    starts_at: Instant
    ends_at: Instant
    timezone: TimeZoneName = "Europe/Paris"
    half_day: HalfDay | None = Field(default=None, description="Set for a loan half-day.")
    remote: bool = False
    place_label: PlaceLabel | None = None
    place_insee: InseeCode | None = None
    participants: list[PersonId] = Field(min_length=1, max_length=500)
    collectivite_sirens: list[Siren] = Field(default_factory=list, max_length=50)
    sequence: int = Field(ge=0)

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if self.ends_at <= self.starts_at:
            raise ValueError("a session ends after it starts")
        if len(set(self.participants)) != len(self.participants):
            raise ValueError("participants are listed once")
        if not self.remote and self.place_label is None and self.place_insee is None:
            raise ValueError("an on-site session has a place")
        return self

    def subject(self) -> str:
        return str(self.session_id)


class SessionScheduled(_SessionEvent):
    """A dated session (loan half-day, peer group, café, speed-dating round)."""

    routing_key: ClassVar[str] = "session.scheduled.v1"
    producer: ClassVar[str] = "lending"

    scheduled_at: Instant


class SessionRescheduled(_SessionEvent):
    """A session moved (or changed place or participants): its new full state."""

    routing_key: ClassVar[str] = "session.rescheduled.v1"
    producer: ClassVar[str] = "lending"

    sequence: int = Field(ge=1)
    previous_starts_at: Instant
    reason: ShortText | None = None
    rescheduled_at: Instant


class SessionCancelled(_SessionEvent):
    """A session will not take place."""

    routing_key: ClassVar[str] = "session.cancelled.v1"
    producer: ClassVar[str] = "lending"

    sequence: int = Field(ge=1)
    reason: ShortText
    cancelled_at: Instant
