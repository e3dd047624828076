"""Recipients: registering (preferences, consent, the notifications that waited), reading
and erasing one's own contact details."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from deformations_notifications.domain.errors import NotRegistered
from deformations_notifications.domain.planning import (
    CALENDAR_EVENTS,
    NOT_DIGESTIBLE,
    SkipReason,
    skip_reason,
)
from deformations_notifications.domain.preferences import (
    Channel,
    Consent,
    DigestSchedule,
    QuietHours,
    RecipientPreferences,
)
from deformations_notifications.domain.reminders import (
    REMINDER,
    REMINDERS_OPT_OUT,
    reminder_time,
    wants_reminders,
)
from deformations_notifications.domain.scheduling import is_batched, send_time
from deformations_notifications.service.uow import NotificationsUow

# A waiting reminder whose time has passed by the time the person registers never goes.
REMINDER_NOT_DUE = "reminder_not_due"


def consent_wording(platform_name: str) -> str:
    """What a person accepts by registering: the platform that writes is named."""
    return (
        f"J'accepte que {platform_name} m'écrive à cette adresse pour me prévenir de ce qui "
        "me concerne (résultats, propositions, prêts de compétences, séances), aux heures et "
        "au rythme que j'ai choisis. Je peux me désabonner à tout moment, en un clic."
    )


@dataclass(frozen=True, slots=True)
class Registration:
    """What a person asks for when registering or updating their preferences."""

    person_id: str
    email: str
    language: str
    channels: frozenset[Channel]
    quiet_hours: QuietHours | None
    digest: DigestSchedule
    consent: bool
    # The collectivité the person's token names: they hear of its news.
    authority: str | None = None
    # Reminders of sessions wanted or not; None keeps the earlier choice.
    reminders: bool | None = None


@dataclass(frozen=True, slots=True)
class Recipient:
    preferences: RecipientPreferences
    collectivites: list[str]
    scheduled: int = 0  # waiting notifications this registration planned
    created: bool = False


def _reminder_time(
    uow: NotificationsUow, row: Mapping[str, Any], prefs: RecipientPreferences, now: datetime
) -> datetime | str:
    """A session's reminder, planned again under the person's current preferences; or why
    it will not go."""
    if not wants_reminders(prefs):
        return SkipReason.MUTED.value
    start = datetime.fromisoformat(row["payload"]["starts_at"])
    due = reminder_time(start, timedelta(hours=uow.settings.reminder_lead_h), now, prefs)
    return REMINDER_NOT_DUE if due is None else due


async def schedule_waiting(
    uow: NotificationsUow, prefs: RecipientPreferences, now: datetime
) -> int:
    """Plan, under the person's current preferences, the notifications not tried yet: those
    that waited for them, and those planned under older quiet hours or digest rhythm.
    Returns how many are planned."""
    groups: dict[tuple[datetime, bool], list[UUID]] = defaultdict(list)
    not_sent: dict[str, list[UUID]] = defaultdict(list)
    for row in await uow.notifications.unsent_for(prefs.person_id):
        family = row["event_type"].split(".", 1)[0]
        if skip_reason(prefs, Channel.EMAIL, family) is not None:
            continue  # waits (no consent yet); the sender skips it if it was planned
        if row["template"] == REMINDER:
            reminder = _reminder_time(uow, row, prefs, now)
            if isinstance(reminder, str):
                not_sent[reminder].append(row["id"])
            else:
                groups[(reminder, False)].append(row["id"])
            continue
        digestible = row["template"] not in NOT_DIGESTIBLE | CALENDAR_EVENTS
        at = send_time(now, prefs, digestible=digestible)
        groups[(at, is_batched(prefs, digestible=digestible))].append(row["id"])
    for (at, batched), ids in groups.items():
        await uow.notifications.schedule(ids, at, batched)
    for reason, ids in not_sent.items():
        await uow.notifications.mark_skipped(ids, reason)
    return sum(len(ids) for ids in groups.values())


def _consent(
    previous: RecipientPreferences | None, accepted: bool, now: datetime, wording: str
) -> Consent | None:
    if not accepted:
        return None
    if previous is not None and previous.consent is not None:
        return previous.consent  # the wording accepted first stays on record
    return Consent(given_at=now, wording=wording)


def _with_reminders(
    prefs: RecipientPreferences, previous: RecipientPreferences | None, wanted: bool | None
) -> RecipientPreferences:
    if wanted is None:
        wanted = previous is None or wants_reminders(previous)
    if wanted:
        return replace(prefs, muted=prefs.muted - {REMINDERS_OPT_OUT})
    return prefs.mute(REMINDERS_OPT_OUT)


async def register(uow: NotificationsUow, request: Registration) -> Recipient:
    """Register or update a person; with consent, plan what waited for them."""
    now = uow.now()
    previous = await uow.recipients.get_for_update(request.person_id)
    prefs = RecipientPreferences(
        person_id=request.person_id,
        email=request.email,
        language=request.language,
        channels=request.channels,
        quiet_hours=request.quiet_hours,
        digest=request.digest,
        consent=_consent(
            previous, request.consent, now, consent_wording(uow.settings.platform_name)
        ),
        muted=previous.muted if previous else frozenset(),
        unsubscribed_at=previous.unsubscribed_at if previous else None,
    )
    if request.consent and prefs.unsubscribed_at is not None:
        # Consenting again, signed in, is the way back after an unsubscribe.
        prefs = replace(prefs, unsubscribed_at=None, muted=frozenset())
    prefs = _with_reminders(prefs, previous, request.reminders)
    await uow.recipients.save(prefs, now)
    if previous is not None and previous.email != prefs.email:
        # Old mails went to the old address, which may now be someone else's.
        await uow.recipients.renew_unsubscribe_links(prefs.person_id, now)
    if request.authority is not None:
        await uow.recipients.add_collectivite(prefs.person_id, request.authority)
    scheduled = await schedule_waiting(uow, prefs, now)
    collectivites = await uow.recipients.collectivites_of(prefs.person_id)
    return Recipient(prefs, collectivites, scheduled, created=previous is None)


async def recipient(uow: NotificationsUow, person_id: str) -> Recipient:
    prefs = await uow.recipients.get(person_id)
    if prefs is None:
        raise NotRegistered()
    return Recipient(prefs, await uow.recipients.collectivites_of(person_id))


async def erase_person(uow: NotificationsUow, person_id: str) -> None:
    """Contact details, notifications and relayed conversations of the person go."""
    await uow.recipients.erase(person_id)
    await uow.notifications.erase_recipient(person_id)
    await uow.relay.erase_person(person_id)
