"""Proposals as published, and the operator's "re-match now"."""

from typing import Any
from uuid import UUID

from pydantic import BaseModel

from deformations_common.auth import Principal
from deformations_common.vocabulary.roles import Role
from deformations_contracts.events.matching import ProposalKind
from deformations_matching.service.rematch import run_round
from deformations_matching.service.uow import MatchingUow


class RoundOut(BaseModel):
    ran: bool
    round_id: UUID | None
    requests: int
    allocations: int
    emitted: int
    grouped: int
    unserved: int


async def list_proposals(
    uow: MatchingUow,
    principal: Principal,
    *,
    kind: ProposalKind | None,
    request_id: UUID | None,
    offer_id: UUID | None,
    limit: int,
) -> list[dict[str, Any]]:
    """Proposals as published (``match.proposed.v1`` data), newest first.

    An operator sees them all; anyone else those of their collectivité or where they
    are a member (the other members of a peer group: see ``/v1/peer-groups/{id}``)."""
    operator = principal.has_role(Role.OPERATOR)
    found = await uow.proposals.list_proposals(
        kind=kind.value if kind else None,
        request_id=request_id,
        offer_id=offer_id,
        siren=principal.authority,
        person=principal.sub,
        everyone=operator,
        limit=limit,
    )
    found = await _with_group_ids(uow, found)
    if operator:
        return found
    # Members of a peer group are revealed by the group itself, once all accepted.
    return [
        {**p, "members": [principal.sub]} if p["kind"] == ProposalKind.PEER_GROUP else p
        for p in found
    ]


async def _with_group_ids(uow: MatchingUow, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each peer group's proposal with the id of its group (``group_id``): a replacement's
    proposal bears an id of its own, and the group's page is where one answers."""
    calls = {
        UUID(p["peer_call_id"])
        for p in found
        if p["kind"] == ProposalKind.PEER_GROUP and p.get("peer_call_id")
    }
    if not calls:
        return found
    groups = await uow.peers.groups_of_calls(sorted(calls))
    return [
        {**p, "group_id": str(groups.get(UUID(p["peer_call_id"]), p["proposal_id"]))}
        if p["kind"] == ProposalKind.PEER_GROUP and p.get("peer_call_id")
        else p
        for p in found
    ]


async def rematch(uow: MatchingUow) -> RoundOut:
    """Run the global re-match now (``ran`` is false when another replica is running it)."""
    summary = await run_round(uow, uow.settings.rematch_candidates)
    return RoundOut(**summary.__dict__)


async def rematch_as(uow: MatchingUow, principal: Principal) -> RoundOut:
    """The operator's "re-match now"."""
    principal.require(Role.OPERATOR)
    return await rematch(uow)
