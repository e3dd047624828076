"""Proposals matching made, and the rounds of the global re-match."""

from datetime import datetime
from typing import Any
from uuid import UUID

from deformations_common.db import Connection
from deformations_contracts.events.matching import MatchProposed


async def insert_proposal(
    conn: Connection, event: MatchProposed, *, round_id: UUID | None = None
) -> bool:
    """Store a proposal; ``False`` when it was already made (same parties, same id)."""
    sirens = [r.collectivite_siren for r in event.requests]
    if event.offer is not None:
        sirens.append(event.offer.collectivite_siren)
    if event.collectivite_siren is not None:
        sirens.append(event.collectivite_siren)
    inserted = await conn.fetchval(
        """INSERT INTO proposals (proposal_id, kind, score, request_ids, offer_id, sirens,
                                  members, round_id, payload, proposed_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (proposal_id) DO NOTHING
           RETURNING true""",
        event.proposal_id,
        event.kind.value,
        event.score,
        [r.request_id for r in event.requests],
        event.offer.offer_id if event.offer else None,
        sorted(set(sirens)),
        list(event.members),
        round_id,
        event.model_dump(mode="json"),
        event.proposed_at,
    )
    return bool(inserted)


async def list_proposals(
    conn: Connection,
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
    rows = await conn.fetch(
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


async def last_unserved(conn: Connection) -> set[str]:
    ids = await conn.fetchval(
        "SELECT unserved_ids FROM rematch_rounds ORDER BY ran_at DESC LIMIT 1"
    )
    return {str(i) for i in ids or ()}


async def record_round(
    conn: Connection,
    *,
    round_id: UUID,
    ran_at: datetime,
    requests: int,
    allocations: int,
    emitted: int,
    grouped: int,
    unserved_ids: list[UUID],
) -> None:
    await conn.execute(
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


async def try_lock(conn: Connection, key: int) -> bool:
    """A transaction-scoped advisory lock: one replica at a time runs a job."""
    locked: bool = await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", key)
    return locked


async def proposal_ids(conn: Connection, kind: str) -> set[UUID]:
    rows = await conn.fetch("SELECT proposal_id FROM proposals WHERE kind = $1", kind)
    return {r["proposal_id"] for r in rows}
