"""Erasure of a person's rows (person.erasure_requested.v1)."""

from deformations_common.db import Connection

# Each row gets its own pseudonym, so the erased person's rows cannot be linked together;
# amounts and anonymous answers stay for the budget and the aggregates.
_PSEUDONYM = "'effacee-' || substr(md5(random()::text || id::text), 1, 16)"


class PersonRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def erase(self, person_id: str) -> None:
        conn = self.conn
        # A carnet de bord is the person's own private writing: it goes entirely.
        await conn.execute("DELETE FROM carnet_entries WHERE author_id = $1", person_id)
        # Debriefs and proposals are written about the person: they go.
        await conn.execute(
            f"UPDATE rebonds SET person_id = {_PSEUDONYM}, debrief = '(effacé)',"
            " proposal = '(effacé)' WHERE person_id = $1",
            person_id,
        )
        await conn.execute("UPDATE rebonds SET trainer_id = NULL WHERE trainer_id = $1", person_id)
        await conn.execute(
            f"UPDATE evaluations SET person_id = {_PSEUDONYM} WHERE person_id = $1", person_id
        )
        await conn.execute(
            f"UPDATE enrolments SET person_id = {_PSEUDONYM} WHERE person_id = $1", person_id
        )
        await conn.execute(
            "UPDATE enrolments SET enrolled_by = NULL WHERE enrolled_by = $1", person_id
        )
        await conn.execute(
            "UPDATE attendance SET recorded_by = NULL WHERE recorded_by = $1", person_id
        )
        await conn.execute("UPDATE budgets SET updated_by = NULL WHERE updated_by = $1", person_id)
        await conn.execute(
            "UPDATE groups SET organiser_id = 'effacee' WHERE organiser_id = $1", person_id
        )
