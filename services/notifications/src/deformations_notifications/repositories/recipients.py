"""SQL of recipients (the only contact details of the platform) and of who they are."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from asyncpg import Record

from deformations_common.db import Connection
from deformations_contracts.values import PLATFORM_TIMEZONE
from deformations_notifications.domain.preferences import (
    Channel,
    Consent,
    DigestFrequency,
    DigestSchedule,
    QuietHours,
    RecipientPreferences,
)


def _preferences(row: Record) -> RecipientPreferences:
    quiet = None
    if row["quiet_start"] is not None and row["quiet_end"] is not None:
        quiet = QuietHours(row["quiet_start"], row["quiet_end"], row["timezone"])
    consent = None
    if row["consent_given_at"] is not None:
        consent = Consent(row["consent_given_at"], row["consent_wording"] or "")
    return RecipientPreferences(
        person_id=row["person_id"],
        email=row["email"],
        language=row["language"],
        channels=frozenset(Channel(c) for c in row["channels"]),
        quiet_hours=quiet,
        digest=DigestSchedule(
            DigestFrequency(row["digest_frequency"]), row["digest_time"], row["digest_weekday"]
        ),
        consent=consent,
        unsubscribed_at=row["unsubscribed_at"],
        muted=frozenset(row["muted"]),
    )


class RecipientRepository:
    """Recipients' preferences, their collectivités and campaign teams."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def preferences_of(self, person_ids: Iterable[str]) -> dict[str, RecipientPreferences]:
        rows = await self.conn.fetch(
            "SELECT * FROM recipients WHERE person_id = ANY($1)", list(person_ids)
        )
        return {row["person_id"]: _preferences(row) for row in rows}

    async def get(self, person_id: str) -> RecipientPreferences | None:
        found = await self.preferences_of([person_id])
        return found.get(person_id)

    async def get_for_update(self, person_id: str) -> RecipientPreferences | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM recipients WHERE person_id = $1 FOR UPDATE", person_id
        )
        return None if row is None else _preferences(row)

    async def save(self, prefs: RecipientPreferences, now: datetime) -> None:
        quiet = prefs.quiet_hours
        consent = prefs.consent
        await self.conn.execute(
            """INSERT INTO recipients (person_id, email, language, channels, quiet_start, quiet_end,
                    timezone, digest_frequency, digest_time, digest_weekday, consent_given_at,
                    consent_wording, unsubscribed_at, muted, created_at, updated_at,
                    unsubscribe_links_from)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15,
                    $15)
               ON CONFLICT (person_id) DO UPDATE SET
                    email = EXCLUDED.email, language = EXCLUDED.language,
                    channels = EXCLUDED.channels, quiet_start = EXCLUDED.quiet_start,
                    quiet_end = EXCLUDED.quiet_end, timezone = EXCLUDED.timezone,
                    digest_frequency = EXCLUDED.digest_frequency,
                    digest_time = EXCLUDED.digest_time, digest_weekday = EXCLUDED.digest_weekday,
                    consent_given_at = EXCLUDED.consent_given_at,
                    consent_wording = EXCLUDED.consent_wording,
                    unsubscribed_at = EXCLUDED.unsubscribed_at, muted = EXCLUDED.muted,
                    updated_at = EXCLUDED.updated_at""",
            prefs.person_id,
            prefs.email,
            prefs.language,
            sorted(c.value for c in prefs.channels),
            quiet.start if quiet else None,
            quiet.end if quiet else None,
            quiet.timezone if quiet else PLATFORM_TIMEZONE,
            prefs.digest.frequency.value,
            prefs.digest.send_time,
            prefs.digest.weekday,
            consent.given_at if consent else None,
            consent.wording if consent else None,
            prefs.unsubscribed_at,
            sorted(prefs.muted),
            now,
        )

    async def unsubscribe_links_from(self, person_id: str) -> datetime | None:
        """Since when the person's unsubscribe links stand (older ones are revoked)."""
        found: datetime | None = await self.conn.fetchval(
            "SELECT unsubscribe_links_from FROM recipients WHERE person_id = $1", person_id
        )
        return found

    async def renew_unsubscribe_links(self, person_id: str, now: datetime) -> bool:
        """Revoke every link issued so far; False when the person is not registered."""
        done = await self.conn.execute(
            "UPDATE recipients SET unsubscribe_links_from = $2 WHERE person_id = $1",
            person_id,
            now,
        )
        return str(done) != "UPDATE 0"

    async def add_collectivite(self, person_id: str, siren: str) -> None:
        await self.conn.execute(
            "INSERT INTO recipient_collectivites VALUES ($1, $2) ON CONFLICT DO NOTHING",
            siren,
            person_id,
        )

    async def collectivites_of(self, person_id: str) -> list[str]:
        rows = await self.conn.fetch(
            "SELECT siren FROM recipient_collectivites WHERE person_id = $1 ORDER BY siren",
            person_id,
        )
        return [r["siren"] for r in rows]

    async def people_of(self, sirens: Iterable[str]) -> set[str]:
        rows = await self.conn.fetch(
            "SELECT person_id FROM recipient_collectivites WHERE siren = ANY($1)", list(sirens)
        )
        return {r["person_id"] for r in rows}

    async def add_campaign_member(self, campaign_id: str, person_id: str) -> None:
        await self.conn.execute(
            "INSERT INTO campaign_members VALUES ($1, $2) ON CONFLICT DO NOTHING",
            campaign_id,
            person_id,
        )

    async def members_of(self, campaigns: Iterable[str]) -> set[str]:
        rows = await self.conn.fetch(
            "SELECT person_id FROM campaign_members WHERE campaign_id = ANY($1)", list(campaigns)
        )
        return {r["person_id"] for r in rows}

    async def erase(self, person_id: str) -> None:
        """Remove the person's contact details, collectivités and team memberships."""
        await self.conn.execute("DELETE FROM recipients WHERE person_id = $1", person_id)
        await self.conn.execute("DELETE FROM campaign_members WHERE person_id = $1", person_id)
