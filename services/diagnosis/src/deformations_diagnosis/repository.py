"""SQL of the diagnosis schema."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from deformations_common.db import Connection


@dataclass(frozen=True)
class StoredResponse:
    id: UUID
    questionnaire_version: str
    person_id: str | None
    result: dict[str, Any]
    created_at: datetime


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
) -> datetime | None:
    """Store a response; ``None`` when this submission was already stored (a replay)."""
    created_at: datetime | None = await conn.fetchval(
        """INSERT INTO responses (id, submission_id, questionnaire_version, person_id,
                                  answers, result, family)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (submission_id) DO NOTHING
           RETURNING created_at""",
        response_id,
        submission_id,
        questionnaire_version,
        person_id,
        answers,
        result,
        family,
    )
    return created_at


async def get_response(conn: Connection, response_id: UUID) -> StoredResponse | None:
    row = await conn.fetchrow(
        """SELECT id, questionnaire_version, person_id, result, created_at
           FROM responses WHERE id = $1""",
        response_id,
    )
    return StoredResponse(**dict(row.items())) if row else None


async def erase_person(conn: Connection, person_id: str) -> int:
    """Detach a person from their responses: results stay, anonymous."""
    status: str = await conn.execute(
        "UPDATE responses SET person_id = NULL WHERE person_id = $1", person_id
    )
    return int(status.split()[-1])
