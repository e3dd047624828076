"""What a recipient asked for: address, channels, quiet hours, digest rhythm, consent."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from deformations_contracts.values import PLATFORM_TIMEZONE


class Channel(StrEnum):
    EMAIL = "email"
    # For dedup keys of webhook deliveries (recipient = subscription id), not a person's choice.
    WEBHOOK = "webhook"


class DigestFrequency(StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"
    WEEKLY = "weekly"


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily window, in local time, during which nothing is sent.

    ``start`` after ``end`` means the window spans midnight (the usual case: 21:00 → 07:00).
    ``start == end`` means no quiet hours at all.
    """

    start: time = time(21, 0)
    end: time = time(7, 0)
    timezone: str = PLATFORM_TIMEZONE

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def contains(self, instant: datetime) -> bool:
        local = instant.astimezone(self.zone).time().replace(tzinfo=None)
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


@dataclass(frozen=True, slots=True)
class DigestSchedule:
    """When digests go out, in the recipient's local time (weekday: Monday = 0)."""

    frequency: DigestFrequency = DigestFrequency.IMMEDIATE
    send_time: time = time(8, 0)
    weekday: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError("weekday must be between 0 (Monday) and 6 (Sunday)")


@dataclass(frozen=True, slots=True)
class Consent:
    """The recorded agreement to be contacted; ``wording`` is the text that was accepted."""

    given_at: datetime
    wording: str

    def __post_init__(self) -> None:
        if self.given_at.tzinfo is None:
            raise ValueError("consent time must carry a time zone")


@dataclass(frozen=True, slots=True)
class RecipientPreferences:
    person_id: str
    email: str
    language: str = "fr"
    channels: frozenset[Channel] = field(default_factory=lambda: frozenset({Channel.EMAIL}))
    quiet_hours: QuietHours | None = field(default_factory=QuietHours)
    digest: DigestSchedule = field(default_factory=DigestSchedule)
    consent: Consent | None = None
    unsubscribed_at: datetime | None = None
    # Event families (``match``, ``loan``…) this person no longer wants, from a scoped link.
    muted: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.language != "fr":
            raise ValueError("only French (fr) is offered for now")
        if "@" not in self.email:
            raise ValueError("an e-mail address needs an @")

    def accepts(self, channel: Channel) -> bool:
        """True when this person may be reached on ``channel`` right now."""
        return (
            self.consent is not None and self.unsubscribed_at is None and channel in self.channels
        )

    def unsubscribe(self, now: datetime) -> RecipientPreferences:
        return replace(self, unsubscribed_at=self.unsubscribed_at or now)

    def mute(self, family: str) -> RecipientPreferences:
        return replace(self, muted=self.muted | {family})

    def wants_family(self, family: str) -> bool:
        return family not in self.muted

    def give_consent(self, now: datetime, wording: str) -> RecipientPreferences:
        return replace(self, consent=Consent(given_at=now, wording=wording), unsubscribed_at=None)
