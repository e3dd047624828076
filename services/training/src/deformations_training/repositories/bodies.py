"""Training bodies."""

from asyncpg import Record

from deformations_common.db import Connection
from deformations_training.domain.bodies import TrainingBody
from deformations_training.repositories import constraints


def _body(row: Record) -> TrainingBody:
    return TrainingBody(
        siren=row["siren"],
        name=row["name"],
        agrement_reference=row["agrement_reference"],
        agrement_until=row["agrement_until"],
        registered_at=row["registered_at"],
    )


class BodyRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, body: TrainingBody) -> None:
        async with constraints():
            await self.conn.execute(
                "INSERT INTO bodies (siren, name, agrement_reference, agrement_until,"
                " registered_at) VALUES ($1, $2, $3, $4, $5)",
                body.siren,
                body.name,
                body.agrement_reference,
                body.agrement_until,
                body.registered_at,
            )

    async def get(self, siren: str) -> TrainingBody | None:
        row = await self.conn.fetchrow("SELECT * FROM bodies WHERE siren = $1", siren)
        return _body(row) if row else None

    async def all(self) -> list[TrainingBody]:
        return [_body(r) for r in await self.conn.fetch("SELECT * FROM bodies ORDER BY name")]
