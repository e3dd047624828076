"""Recipients: a person's own contact details and preferences, signed in as that person."""

from datetime import datetime, time
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from deformations_common.auth import CurrentPrincipal
from deformations_common.wall_clock import WallClock
from deformations_contracts.values import PLATFORM_TIMEZONE
from deformations_notifications.api.deps import RuntimeDep
from deformations_notifications.domain.addresses import require_proven
from deformations_notifications.domain.preferences import (
    Channel,
    DigestFrequency,
    DigestSchedule,
    QuietHours,
)
from deformations_notifications.domain.reminders import wants_reminders
from deformations_notifications.service import recipients, unsubscribe
from deformations_notifications.service.recipients import Recipient, Registration
from deformations_notifications.service.uow import NotificationsUow

router = APIRouter(prefix="/v1", tags=["recipients"])

Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
]


class QuietHoursBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: WallClock = time(21, 0)
    end: WallClock = time(7, 0)
    timezone: str = PLATFORM_TIMEZONE

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("fuseau horaire inconnu") from exc
        return value


class DigestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    frequency: DigestFrequency = DigestFrequency.IMMEDIATE
    send_time: WallClock = time(8, 0)
    weekday: int = Field(default=0, ge=0, le=6, description="0 = lundi")


class RecipientBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Email
    language: Literal["fr"] = "fr"
    channels: list[Literal["email"]] = Field(default=["email"], max_length=1)
    quiet_hours: QuietHoursBody | None = Field(default_factory=QuietHoursBody)
    digest: DigestBody = Field(default_factory=DigestBody)
    consent: bool = Field(description="Accepte le texte de GET /v1/recipients/consent.")
    reminders: bool | None = Field(
        default=None,
        description="Rappel de chaque séance avant qu'elle commence ; absent : inchangé.",
    )

    def registration(self, person_id: str, authority: str | None) -> Registration:
        quiet, digest = self.quiet_hours, self.digest
        return Registration(
            person_id=person_id,
            email=self.email,
            language=self.language,
            channels=frozenset(Channel(c) for c in self.channels),
            quiet_hours=QuietHours(quiet.start, quiet.end, quiet.timezone) if quiet else None,
            digest=DigestSchedule(digest.frequency, digest.send_time, digest.weekday),
            consent=self.consent,
            authority=authority,
            reminders=self.reminders,
        )


class ConsentOut(BaseModel):
    given_at: datetime
    wording: str


class RecipientOut(BaseModel):
    person_id: str
    email: str
    language: str
    channels: list[str]
    quiet_hours: QuietHoursBody | None
    digest: DigestBody
    consent: ConsentOut | None
    unsubscribed_at: datetime | None
    muted: list[str]
    reminders: bool
    collectivites: list[str]
    scheduled: int = Field(default=0, description="Notifications en attente désormais planifiées.")


def _out(recipient: Recipient) -> RecipientOut:
    prefs, quiet = recipient.preferences, recipient.preferences.quiet_hours
    return RecipientOut(
        person_id=prefs.person_id,
        email=prefs.email,
        language=prefs.language,
        channels=sorted(c.value for c in prefs.channels),
        quiet_hours=QuietHoursBody(start=quiet.start, end=quiet.end, timezone=quiet.timezone)
        if quiet
        else None,
        digest=DigestBody(
            frequency=prefs.digest.frequency,
            send_time=prefs.digest.send_time,
            weekday=prefs.digest.weekday,
        ),
        consent=ConsentOut(given_at=prefs.consent.given_at, wording=prefs.consent.wording)
        if prefs.consent
        else None,
        unsubscribed_at=prefs.unsubscribed_at,
        muted=sorted(prefs.muted),
        reminders=wants_reminders(prefs),
        collectivites=recipient.collectivites,
        scheduled=recipient.scheduled,
    )


@router.get("/recipients/consent")
async def consent_wording(runtime: RuntimeDep) -> dict[str, str]:
    """The wording a person accepts by registering with ``consent: true``."""
    return {"wording": recipients.consent_wording(runtime.settings.platform_name)}


@router.get("/me/recipient")
async def my_recipient(principal: CurrentPrincipal, runtime: RuntimeDep) -> RecipientOut:
    async with runtime.begin(NotificationsUow) as uow:
        return _out(await recipients.recipient(uow, principal.sub))


@router.put("/me/recipient")
async def register_me(
    body: RecipientBody, principal: CurrentPrincipal, runtime: RuntimeDep, response: Response
) -> RecipientOut:
    """Register or update one's e-mail, channels, quiet hours, digest rhythm and consent.

    Registering with consent also plans the notifications that waited for this person.
    The token must vouch for ``email`` as verified (claims ``email``, ``email_verified``):
    403 otherwise.
    """
    require_proven(body.email, principal.email, principal.email_verified)
    async with runtime.begin(NotificationsUow) as uow:
        registered = await recipients.register(
            uow, body.registration(principal.sub, principal.authority)
        )
    response.status_code = 201 if registered.created else 200
    return _out(registered)


@router.delete("/me/unsubscribe-links", status_code=204)
async def revoke_my_unsubscribe_links(principal: CurrentPrincipal, runtime: RuntimeDep) -> Response:
    """Revoke the unsubscribe links of the mails sent so far (« Mes préférences »)."""
    async with runtime.begin(NotificationsUow) as uow:
        await unsubscribe.renew_links(uow, principal.sub)
    return Response(status_code=204)


@router.delete("/me/recipient", status_code=204)
async def forget_me(principal: CurrentPrincipal, runtime: RuntimeDep) -> Response:
    """Erase one's contact details, notifications and relayed conversations."""
    async with runtime.begin(NotificationsUow) as uow:
        await recipients.erase_person(uow, principal.sub)
    return Response(status_code=204)
