"""SQL of the ``campaigns`` table: a team copied from the COG, its link and its expiry."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg
from asyncpg import Record

from deformations_common.db import Connection
from deformations_contracts.events.diagnosis import TeamKind
from deformations_diagnosis.domain.campaigns import Campaign, Team, TeamMember, TokenTakenError


def _members_json(team: Team) -> list[dict[str, str | None]]:
    return [{"insee": m.insee, "siren": m.siren, "name": m.name} for m in team.members]


def _campaign(row: Record) -> Campaign:
    team = Team(
        kind=TeamKind(row["team_kind"]),
        siren=row["collectivite_siren"],
        label=row["team_label"],
        commune_insee=row["commune_insee"],
        members=tuple(TeamMember(m["insee"], m["siren"], m["name"]) for m in row["members"]),
    )
    return Campaign(
        id=row["id"],
        token=row["token"],
        team=team,
        questionnaire_version=row["questionnaire_version"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        signed_in_only=row["signed_in_only"],
    )


class CampaignRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, campaign: Campaign) -> None:
        try:
            await self.conn.execute(
                """INSERT INTO campaigns (id, token, team_kind, collectivite_siren,
                                          commune_insee, team_label, members,
                                          questionnaire_version, created_by, created_at,
                                          expires_at, signed_in_only)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)""",
                campaign.id,
                campaign.token,
                campaign.team.kind.value,
                campaign.team.siren,
                campaign.team.commune_insee,
                campaign.team.label,
                _members_json(campaign.team),
                campaign.questionnaire_version,
                campaign.created_by,
                campaign.created_at,
                campaign.expires_at,
                campaign.signed_in_only,
            )
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name == "campaigns_token_key":
                raise TokenTakenError() from exc
            raise

    async def get(self, campaign_id: UUID) -> Campaign | None:
        row = await self.conn.fetchrow("SELECT * FROM campaigns WHERE id = $1", campaign_id)
        return _campaign(row) if row else None

    async def by_token(self, token: str, *, for_update: bool = False) -> Campaign | None:
        # The row lock serialises the responses of one campaign, so that each shared response
        # sees the ones before it when it recomputes the team's result.
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(f"SELECT * FROM campaigns WHERE token = $1{lock}", token)
        return _campaign(row) if row else None

    async def visible_to(
        self, *, everyone: bool, person: str, authority: str | None, limit: int = 100
    ) -> list[Campaign]:
        """Campaigns a person opened or of their collectivité (``everyone``: all), newest
        first."""
        rows = await self.conn.fetch(
            """SELECT * FROM campaigns
               WHERE $1 OR created_by = $2 OR collectivite_siren = $3
                  OR ($3::text IS NOT NULL
                      AND members @> jsonb_build_array(jsonb_build_object('siren', $3::text)))
               ORDER BY created_at DESC, id LIMIT $4""",
            everyone,
            person,
            authority,
            limit,
        )
        return [_campaign(row) for row in rows]

    async def set_expiry(self, campaign_id: UUID, expires_at: datetime) -> None:
        await self.conn.execute(
            "UPDATE campaigns SET expires_at = $2 WHERE id = $1", campaign_id, expires_at
        )

    async def close(self, campaign_id: UUID, now: datetime) -> None:
        await self.conn.execute(
            "UPDATE campaigns SET expires_at = least(expires_at, $2) WHERE id = $1",
            campaign_id,
            now,
        )

    async def forget_organiser(self, person_id: str) -> int:
        status: str = await self.conn.execute(
            "UPDATE campaigns SET created_by = NULL WHERE created_by = $1", person_id
        )
        return int(status.split()[-1])
