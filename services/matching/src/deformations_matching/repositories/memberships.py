"""Memberships of collectivités, as the portal published them (a read model)."""

from __future__ import annotations

from collections.abc import Collection

from deformations_common.memberships import MembershipReadModel, MembershipRow

__all__ = ["MembershipRepository", "MembershipRow"]


class MembershipRepository(MembershipReadModel):
    """The latest state of each membership, and the questions this service asks of it."""

    async def validated_members(self, sirens: Collection[str], people: Collection[str]) -> set[str]:
        """Which of ``people`` hold a validated membership of one of ``sirens``."""
        rows = await self.conn.fetch(
            """SELECT DISTINCT person_id FROM memberships
                WHERE status = 'validated' AND siren = ANY($1::text[])
                  AND person_id = ANY($2::text[])""",
            list(sirens),
            list(people),
        )
        return {r["person_id"] for r in rows}
