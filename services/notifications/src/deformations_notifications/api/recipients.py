"""Recipients: a person's own contact details and preferences, signed in as that person."""

from dataclasses import replace
from datetime import datetime, time
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from deformations_common.auth import CurrentPrincipal
from deformations_common.errors import NotFound
from deformations_common.service import RuntimeDep
from deformations_notifications.api.deps import ClockDep
from deformations_notifications.domain.preferences import (
    Channel,
    Consent,
    DigestFrequency,
    DigestSchedule,
    QuietHours,
    RecipientPreferences,
)
from deformations_notifications.registration import CONSENT_WORDING, register
from deformations_notifications.repositories import recipients
from deformations_notifications.subscribers import erase_person

router = APIRouter(prefix="/v1", tags=["recipients"])

Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
]


class QuietHoursBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: time = time(21, 0)
    end: time = time(7, 0)
    timezone: str = "Europe/Paris"

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
    send_time: time = time(8, 0)
    weekday: int = Field(default=0, ge=0, le=6, description="0 = lundi")


class RecipientBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Email
    language: Literal["fr"] = "fr"
    channels: list[Literal["email"]] = Field(default=["email"], max_length=1)
    quiet_hours: QuietHoursBody | None = Field(default_factory=QuietHoursBody)
    digest: DigestBody = Field(default_factory=DigestBody)
    consent: bool = Field(description="Accepte le texte de GET /v1/recipients/consent.")


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
    collectivites: list[str]
    scheduled: int = Field(default=0, description="Notifications en attente désormais planifiées.")


def _out(prefs: RecipientPreferences, collectivites: list[str], scheduled: int = 0) -> Any:
    quiet = prefs.quiet_hours
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
        collectivites=collectivites,
        scheduled=scheduled,
    )


@router.get("/recipients/consent")
async def consent_wording() -> dict[str, str]:
    """The wording a person accepts by registering with ``consent: true``."""
    return {"wording": CONSENT_WORDING}


@router.get("/me/recipient")
async def my_recipient(principal: CurrentPrincipal, runtime: RuntimeDep) -> RecipientOut:
    async with runtime.pool.acquire() as conn:
        prefs = await recipients.get(conn, principal.sub)
        if prefs is None:
            raise NotFound(
                "Vous n'êtes pas encore inscrit·e aux notifications.", code="not_registered"
            )
        out: RecipientOut = _out(prefs, await recipients.collectivites_of(conn, principal.sub))
        return out


def _consent(
    previous: RecipientPreferences | None, accepted: bool, now: datetime
) -> Consent | None:
    if not accepted:
        return None
    if previous is not None and previous.consent is not None:
        return previous.consent  # the wording accepted first stays on record
    return Consent(given_at=now, wording=CONSENT_WORDING)


@router.put("/me/recipient")
async def register_me(
    body: RecipientBody,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    clock: ClockDep,
    response: Response,
) -> RecipientOut:
    """Register or update one's e-mail, channels, quiet hours, digest rhythm and consent.

    Registering with consent also plans the notifications that waited for this person.
    """
    now = clock()
    quiet = body.quiet_hours
    async with runtime.transaction() as conn:
        previous = await recipients.get_for_update(conn, principal.sub)
        prefs = RecipientPreferences(
            person_id=principal.sub,
            email=body.email,
            language=body.language,
            channels=frozenset(Channel(c) for c in body.channels),
            quiet_hours=QuietHours(quiet.start, quiet.end, quiet.timezone) if quiet else None,
            digest=DigestSchedule(
                body.digest.frequency, body.digest.send_time, body.digest.weekday
            ),
            consent=_consent(previous, body.consent, now),
            muted=previous.muted if previous else frozenset(),
            unsubscribed_at=previous.unsubscribed_at if previous else None,
        )
        if body.consent and prefs.unsubscribed_at is not None:
            # Consenting again, signed in, is the way back after an unsubscribe.
            prefs = replace(prefs, unsubscribed_at=None, muted=frozenset())
        scheduled = await register(conn, prefs, principal.authority, now)
        collectivites = await recipients.collectivites_of(conn, principal.sub)
    response.status_code = 201 if previous is None else 200
    out: RecipientOut = _out(prefs, collectivites, scheduled)
    return out


@router.delete("/me/recipient", status_code=204)
async def forget_me(principal: CurrentPrincipal, runtime: RuntimeDep) -> Response:
    """Erase one's contact details, notifications and relayed conversations."""
    async with runtime.transaction() as conn:
        await erase_person(conn, principal.sub)
    return Response(status_code=204)
