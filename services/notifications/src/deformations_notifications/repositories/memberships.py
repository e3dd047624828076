"""SQL of the memberships of collectivités, as the portal published them (a read model)."""

from __future__ import annotations

from deformations_common.memberships import MembershipReadModel, MembershipRow

__all__ = ["MembershipRepository", "MembershipRow"]


class MembershipRepository(MembershipReadModel):
    """The latest state of each membership, and the questions this service asks of it."""

    async def validated_of(self, siren: str) -> set[tuple[str, str]]:
        """(person, role) of every validated membership of the collectivité."""
        rows = await self.conn.fetch(
            """SELECT DISTINCT person_id, role FROM memberships
                WHERE siren = $1 AND status = 'validated'""",
            siren,
        )
        return {(r["person_id"], r["role"]) for r in rows}

    async def erase_person(self, person_id: str) -> None:
        await self.conn.execute("DELETE FROM memberships WHERE person_id = $1", person_id)
