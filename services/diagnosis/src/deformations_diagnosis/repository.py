"""SQL of the diagnosis schema."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from asyncpg import Record

from deformations_common.db import Connection
from deformations_contracts.events.diagnosis import TeamKind
from deformations_diagnosis.domain.campaigns import Campaign, Team, TeamMember


@dataclass(frozen=True)
class StoredResponse:
    id: UUID
    questionnaire_version: str
    person_id: str | None
    result: dict[str, Any]
    created_at: datetime
    campaign_id: UUID | None
    commune_insee: str | None
    shared: bool


async def insert_response(
    conn: Connection,
    *,
    response_id: UUID,
    submission_id: UUID,
    questionnaire_version: str,
    person_id: str | None,
    answers: dict[str, list[str]],
    result: dict[str, Any],
    family: str,
    campaign_id: UUID | None = None,
    commune_insee: str | None = None,
    shared: bool = False,
) -> datetime | None:
    """Store a response; ``None`` when this submission was already stored (a replay)."""
    created_at: datetime | None = await conn.fetchval(
        """INSERT INTO responses (id, submission_id, questionnaire_version, person_id,
                                  answers, result, family, campaign_id, commune_insee, shared)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (submission_id) DO NOTHING
           RETURNING created_at""",
        response_id,
        submission_id,
        questionnaire_version,
        person_id,
        answers,
        result,
        family,
        campaign_id,
        commune_insee,
        shared,
    )
    return created_at


_RESPONSE_COLUMNS = """id, questionnaire_version, person_id, result, created_at,
                       campaign_id, commune_insee, shared"""


async def get_response(conn: Connection, response_id: UUID) -> StoredResponse | None:
    row = await conn.fetchrow(
        f"SELECT {_RESPONSE_COLUMNS} FROM responses WHERE id = $1",
        response_id,
    )
    return StoredResponse(**dict(row.items())) if row else None


async def response_of_submission(conn: Connection, submission_id: UUID) -> UUID | None:
    response_id: UUID | None = await conn.fetchval(
        "SELECT id FROM responses WHERE submission_id = $1", submission_id
    )
    return response_id


async def shared_results(conn: Connection, campaign_id: UUID) -> list[tuple[str, dict[str, Any]]]:
    """(commune INSEE, result) of every response of the campaign shared with the team."""
    rows = await conn.fetch(
        """SELECT commune_insee, result FROM responses
           WHERE campaign_id = $1 AND shared ORDER BY created_at, id""",
        campaign_id,
    )
    return [(row["commune_insee"], row["result"]) for row in rows]


async def answers_of_version(
    conn: Connection, version: str, limit: int
) -> list[dict[str, list[str]]]:
    """The answers of the latest ``limit`` responses to one questionnaire version."""
    rows = await conn.fetch(
        """SELECT answers FROM responses WHERE questionnaire_version = $1
           ORDER BY created_at DESC LIMIT $2""",
        version,
        limit,
    )
    return [row["answers"] for row in rows]


# ---- campaigns ------------------------------------------------------------------------


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
    )


async def insert_campaign(
    conn: Connection,
    *,
    campaign_id: UUID,
    token: str,
    team: Team,
    questionnaire_version: str,
    created_by: str,
    expires_at: datetime,
) -> Campaign:
    row = await conn.fetchrow(
        """INSERT INTO campaigns (id, token, team_kind, collectivite_siren, commune_insee,
                                  team_label, members, questionnaire_version, created_by,
                                  expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           RETURNING *""",
        campaign_id,
        token,
        team.kind.value,
        team.siren,
        team.commune_insee,
        team.label,
        _members_json(team),
        questionnaire_version,
        created_by,
        expires_at,
    )
    assert row is not None
    return _campaign(row)


async def get_campaign(
    conn: Connection, campaign_id: UUID, *, for_update: bool = False
) -> Campaign | None:
    lock = " FOR UPDATE" if for_update else ""
    row = await conn.fetchrow(f"SELECT * FROM campaigns WHERE id = $1{lock}", campaign_id)
    return _campaign(row) if row else None


async def campaign_by_token(
    conn: Connection, token: str, *, for_update: bool = False
) -> Campaign | None:
    # The row lock serialises the responses of one campaign, so that each shared response
    # sees the ones before it when it recomputes the team's result.
    lock = " FOR UPDATE" if for_update else ""
    row = await conn.fetchrow(f"SELECT * FROM campaigns WHERE token = $1{lock}", token)
    return _campaign(row) if row else None


async def list_campaigns(
    conn: Connection, *, everyone: bool, person: str, authority: str | None, limit: int = 100
) -> list[Campaign]:
    rows = await conn.fetch(
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


async def count_responses(conn: Connection, campaign_id: UUID) -> tuple[int, int]:
    """(all responses, shared responses) of a campaign."""
    row = await conn.fetchrow(
        """SELECT count(*) AS total, count(*) FILTER (WHERE shared) AS shared
           FROM responses WHERE campaign_id = $1""",
        campaign_id,
    )
    assert row is not None
    return int(row["total"]), int(row["shared"])


async def set_expiry(conn: Connection, campaign_id: UUID, expires_at: datetime) -> None:
    await conn.execute(
        "UPDATE campaigns SET expires_at = $2 WHERE id = $1", campaign_id, expires_at
    )


async def close_campaign(conn: Connection, campaign_id: UUID, now: datetime) -> None:
    await conn.execute(
        "UPDATE campaigns SET expires_at = least(expires_at, $2) WHERE id = $1",
        campaign_id,
        now,
    )


async def erase_person(conn: Connection, person_id: str) -> int:
    """Detach a person from their responses: results stay, anonymous."""
    status: str = await conn.execute(
        "UPDATE responses SET person_id = NULL WHERE person_id = $1", person_id
    )
    await conn.execute("UPDATE campaigns SET created_by = NULL WHERE created_by = $1", person_id)
    return int(status.split()[-1])
