"""SQL of the operators' recipe edits (``recipe_edits``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from deformations_common.db import Connection
from deformations_portal.domain.recipes import RecipeEdit, RecipeText


def _edit(row: Any) -> RecipeEdit:
    return RecipeEdit(
        row["code"],
        RecipeText(row["title"], row["summary"], tuple(row["steps"]), tuple(row["happy_if"])),
        row["edited_at"],
    )


class RecipeEditRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def all(self) -> dict[str, RecipeEdit]:
        rows = await self.conn.fetch("SELECT * FROM recipe_edits")
        return {row["code"]: _edit(row) for row in rows}

    async def save(self, code: str, text: RecipeText, at: datetime) -> None:
        await self.conn.execute(
            """INSERT INTO recipe_edits (code, title, summary, steps, happy_if, edited_at)
               VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT (code) DO UPDATE
                   SET title = excluded.title, summary = excluded.summary,
                       steps = excluded.steps, happy_if = excluded.happy_if,
                       edited_at = excluded.edited_at""",
            code,
            text.title,
            text.summary,
            list(text.steps),
            list(text.happy_if),
            at,
        )
