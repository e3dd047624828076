"""Proposals listing, and the operator's "re-match now"."""

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Query

from deformations_common.auth import CurrentPrincipal
from deformations_contracts.events.matching import ProposalKind
from deformations_matching.api.deps import RuntimeDep
from deformations_matching.service import proposals
from deformations_matching.service.proposals import RoundOut
from deformations_matching.service.uow import MatchingUow

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
    async with runtime.begin(MatchingUow) as uow:
        return await proposals.list_proposals(
            uow, principal, kind=kind, request_id=request_id, offer_id=offer_id, limit=limit
        )


@router.post("/operator/rematch", tags=["operations"])
async def rematch(runtime: RuntimeDep, principal: CurrentPrincipal) -> RoundOut:
    """Run the global re-match now (``ran`` is false when another replica is running it)."""
    async with runtime.begin(MatchingUow) as uow:
        return await proposals.rematch_as(uow, principal)
