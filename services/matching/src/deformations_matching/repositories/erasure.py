"""Erase a person from every table of matching."""

from deformations_common.db import Connection

ERASED = "personne-effacee"


class ErasureRepository:
    """Erasure of a person from every table of matching."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def erase_person(self, person_id: str) -> None:
        """Diagnoses stay for statistics, detached; calls, memberships, pairs and rebonds go;
        plans and proposals keep their shape with the person replaced by a placeholder."""
        await self.conn.execute(
            "UPDATE diagnoses SET person_id = NULL WHERE person_id = $1", person_id
        )
        await self.conn.execute("DELETE FROM memberships WHERE person_id = $1", person_id)
        await self.conn.execute("DELETE FROM peer_group_members WHERE person_id = $1", person_id)
        await self.conn.execute("DELETE FROM peer_calls WHERE person_id = $1", person_id)
        await self.conn.execute("DELETE FROM trainer_rebonds WHERE person_id = $1", person_id)
        await self.conn.execute(
            "DELETE FROM cafe_pairs WHERE elu_id = $1 OR technician_id = $1", person_id
        )
        await self.conn.execute("DELETE FROM cafe_reviews WHERE person_id = $1", person_id)
        quoted = "to_jsonb($1::text)::text"
        placeholder = f"to_jsonb('{ERASED}'::text)::text"
        await self.conn.execute(
            f"""UPDATE proposals SET members = array_replace(members, $1, '{ERASED}'),
                       payload = replace(payload::text, {quoted}, {placeholder})::jsonb
                WHERE $1 = ANY(members)""",
            person_id,
        )
        for table in ("cafe_cycles", "speed_datings"):
            await self.conn.execute(
                f"""UPDATE {table} SET plan = replace(plan::text, {quoted}, {placeholder})::jsonb
                    WHERE plan::text LIKE '%' || {quoted} || '%'""",
                person_id,
            )
        await self.conn.execute(
            f"UPDATE cafe_topics SET person_id = '{ERASED}' WHERE person_id = $1", person_id
        )
        await self.conn.execute("DELETE FROM speed_dating_marks WHERE person_id = $1", person_id)
        await self.conn.execute(
            """UPDATE speed_dating_marks SET see_again = array_remove(see_again, $1)
                WHERE $1 = ANY(see_again)""",
            person_id,
        )
        await self.conn.execute(
            f"""UPDATE sessions SET organiser = '{ERASED}' WHERE organiser = $1""", person_id
        )
        await self.conn.execute(
            f"""UPDATE sessions SET state = replace(state::text, {quoted}, {placeholder})::jsonb
                WHERE $1 = ANY(participants)""",
            person_id,
        )
        await self.conn.execute(
            f"""UPDATE sessions SET participants = array_replace(participants, $1, '{ERASED}')
                WHERE $1 = ANY(participants)""",
            person_id,
        )
