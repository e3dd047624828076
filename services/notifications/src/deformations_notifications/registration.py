"""Registering a recipient: preferences, consent, and the notifications that waited for them."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from uuid import UUID

from deformations_common.db import Connection
from deformations_notifications.domain.planning import CALENDAR_EVENTS, NOT_DIGESTIBLE, skip_reason
from deformations_notifications.domain.preferences import Channel, RecipientPreferences
from deformations_notifications.domain.scheduling import is_batched, send_time
from deformations_notifications.repositories import notifications, recipients

CONSENT_WORDING = (
    "J'accepte que (Dé)formations m'écrive à cette adresse pour me prévenir de ce qui me "
    "concerne (résultats, propositions, prêts de compétences, séances), aux heures et au "
    "rythme que j'ai choisis. Je peux me désabonner à tout moment, en un clic."
)


async def schedule_waiting(conn: Connection, prefs: RecipientPreferences, now: datetime) -> int:
    """Plan, under the person's current preferences, the notifications not tried yet: those
    that waited for them, and those planned under older quiet hours or digest rhythm.
    Returns how many are planned."""
    groups: dict[tuple[datetime, bool], list[UUID]] = defaultdict(list)
    for row in await notifications.unsent_for(conn, prefs.person_id):
        family = row["event_type"].split(".", 1)[0]
        if skip_reason(prefs, Channel.EMAIL, family) is not None:
            continue  # waits (no consent yet); the sender skips it if it was planned
        digestible = row["template"] not in NOT_DIGESTIBLE | CALENDAR_EVENTS
        at = send_time(now, prefs, digestible=digestible)
        groups[(at, is_batched(prefs, digestible=digestible))].append(row["id"])
    for (at, batched), ids in groups.items():
        await notifications.schedule(conn, ids, at, batched)
    return sum(len(ids) for ids in groups.values())


async def register(
    conn: Connection, prefs: RecipientPreferences, authority: str | None, now: datetime
) -> int:
    await recipients.save(conn, prefs, now)
    if authority is not None:
        await recipients.add_collectivite(conn, prefs.person_id, authority)
    return await schedule_waiting(conn, prefs, now)
