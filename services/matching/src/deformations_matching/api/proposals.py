"""Proposals listing, and the operator's "re-match now"."""

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel

from deformations_common.auth import CurrentPrincipal
from deformations_common.service import RuntimeDep
from deformations_contracts.events.matching import ProposalKind
from deformations_matching.jobs import rematch_now
from deformations_matching.repositories import proposals

router = APIRouter(prefix="/v1", tags=["proposals"])


@router.get("/proposals")
async def list_proposals(
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    kind: ProposalKind | None = None,
    request_id: UUID | None = None,
    offer_id: UUID | None = None,
    limit: int = Query(default=50, ge=1, le=500),
) -> list[dict[str, Any]]:
    """Proposals as published (``match.proposed.v1`` data), newest first.

    An operator sees them all; anyone else those of their collectivité or where they
    are a member (the other members of a peer group: see ``/v1/peer-groups/{id}``)."""
    async with runtime.pool.acquire() as conn:
        found = await proposals.list_proposals(
            conn,
            kind=kind.value if kind else None,
            request_id=request_id,
            offer_id=offer_id,
            siren=principal.authority,
            person=principal.sub,
            everyone=principal.has_role("operator"),
            limit=limit,
        )
    if principal.has_role("operator"):
        return found
    # Members of a peer group are revealed by the group itself, once all accepted.
    return [
        {**p, "members": [principal.sub]} if p["kind"] == ProposalKind.PEER_GROUP else p
        for p in found
    ]


class RoundOut(BaseModel):
    ran: bool
    round_id: UUID | None
    requests: int
    allocations: int
    emitted: int
    grouped: int
    unserved: int


@router.post("/operator/rematch", tags=["operations"])
async def rematch(runtime: RuntimeDep, principal: CurrentPrincipal) -> RoundOut:
    """Run the global re-match now (``ran`` is false when another replica is running it)."""
    principal.require("operator")
    summary = await rematch_now(runtime)
    return RoundOut(**summary.__dict__)
