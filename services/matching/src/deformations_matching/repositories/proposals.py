"""Proposals matching made, and the rounds of the global re-match."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from deformations_common.db import Connection
from deformations_contracts.events.matching import MatchProposed


def _sirens(event: MatchProposed) -> list[str]:
    sirens = [r.collectivite_siren for r in event.requests]
    if event.offer is not None:
        sirens.append(event.offer.collectivite_siren)
    if event.collectivite_siren is not None:
        sirens.append(event.collectivite_siren)
    return sorted(set(sirens))


class ProposalRepository:
    """Proposals made, and the rounds of the global re-match."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def insert_proposals(
        self, events: Sequence[MatchProposed], *, round_id: UUID | None = None
    ) -> set[UUID]:
        """Store proposals in one round trip; returns the ids not made before."""
        if not events:
            return set()
        rows = [
            {
                "proposal_id": str(e.proposal_id),
                "kind": e.kind.value,
                "score": e.score,
                "request_ids": [str(r.request_id) for r in e.requests],
                "offer_id": str(e.offer.offer_id) if e.offer else None,
                "sirens": _sirens(e),
                "members": list(e.members),
                "payload": e.model_dump(mode="json"),
                "proposed_at": e.proposed_at.isoformat(),
            }
            for e in events
        ]
        inserted = await self.conn.fetch(
            """INSERT INTO proposals (proposal_id, kind, score, request_ids, offer_id, sirens,
                                      members, round_id, payload, proposed_at)
               SELECT (e->>'proposal_id')::uuid, e->>'kind', (e->>'score')::float8,
                      ARRAY(SELECT jsonb_array_elements_text(e->'request_ids'))::uuid[],
                      (e->>'offer_id')::uuid,
                      ARRAY(SELECT jsonb_array_elements_text(e->'sirens')),
                      ARRAY(SELECT jsonb_array_elements_text(e->'members')),
                      $2, e->'payload', (e->>'proposed_at')::timestamptz
               FROM jsonb_array_elements($1::jsonb) AS e
               ON CONFLICT (proposal_id) DO NOTHING
               RETURNING proposal_id""",
            rows,
            round_id,
        )
        return {r["proposal_id"] for r in inserted}

    async def insert_proposal(self, event: MatchProposed, *, round_id: UUID | None = None) -> bool:
        """Store a proposal; ``False`` when it was already made (same parties, same id)."""
        return bool(await self.insert_proposals([event], round_id=round_id))

    async def list_proposals(
        self,
        *,
        kind: str | None,
        request_id: UUID | None,
        offer_id: UUID | None,
        siren: str | None,
        person: str | None,
        everyone: bool,
        limit: int,
    ) -> list[dict[str, Any]]:
        """Proposals, newest first; unless ``everyone``, only those of ``siren`` or ``person``."""
        rows = await self.conn.fetch(
            """SELECT payload FROM proposals
               WHERE ($1::text IS NULL OR kind = $1)
                 AND ($2::uuid IS NULL OR $2 = ANY(request_ids))
                 AND ($3::uuid IS NULL OR offer_id = $3)
                 AND ($4 OR $5::text = ANY(sirens) OR $6::text = ANY(members))
               ORDER BY proposed_at DESC, proposal_id
               LIMIT $7""",
            kind,
            request_id,
            offer_id,
            everyone,
            siren,
            person,
            limit,
        )
        return [r["payload"] for r in rows]

    async def last_unserved(self) -> set[str]:
        ids = await self.conn.fetchval(
            "SELECT unserved_ids FROM rematch_rounds ORDER BY ran_at DESC LIMIT 1"
        )
        return {str(i) for i in ids or ()}

    async def record_round(
        self,
        *,
        round_id: UUID,
        ran_at: datetime,
        requests: int,
        allocations: int,
        emitted: int,
        grouped: int,
        unserved_ids: list[UUID],
    ) -> None:
        await self.conn.execute(
            """INSERT INTO rematch_rounds (round_id, ran_at, requests, allocations, emitted,
                                           grouped, unserved_ids)
               VALUES ($1, $2, $3, $4, $5, $6, $7)""",
            round_id,
            ran_at,
            requests,
            allocations,
            emitted,
            grouped,
            unserved_ids,
        )

    async def try_lock(self, key: int) -> bool:
        """A transaction-scoped advisory lock: one replica at a time runs a job."""
        locked: bool = await self.conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", key)
        return locked

    async def proposal_ids(self, kind: str) -> set[UUID]:
        rows = await self.conn.fetch("SELECT proposal_id FROM proposals WHERE kind = $1", kind)
        return {r["proposal_id"] for r in rows}

    async def last_round_at(self) -> datetime | None:
        ran_at: datetime | None = await self.conn.fetchval("SELECT max(ran_at) FROM rematch_rounds")
        return ran_at
