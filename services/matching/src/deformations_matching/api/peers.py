"""Appels à pairs → groupes d'entraide: recruit, accept or decline, then the sessions."""

from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from deformations_common.auth import CurrentPrincipal
from deformations_contracts.themes import ThemeCode
from deformations_matching.api.deps import RuntimeDep
from deformations_matching.service import peer_calls, peer_groups, peer_membership
from deformations_matching.service.peer_calls import PeerCallIn, PeerCallOut
from deformations_matching.service.peer_groups import AnswerIn, GroupOut, ScheduleIn
from deformations_matching.service.uow import MatchingUow

router = APIRouter(prefix="/v1", tags=["peer groups"])


@router.post("/peer-calls", status_code=status.HTTP_201_CREATED)
async def post_call(
    body: PeerCallIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> PeerCallOut:
    """Post an appel à pairs, openly or anonymously; your diagnosis fills what you omit."""
    async with runtime.begin(MatchingUow) as uow:
        return await peer_calls.post_call(uow, principal, body)


@router.get("/peer-calls")
async def list_calls(
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    theme: ThemeCode | None = None,
    limit: int = Query(default=50, ge=1, le=500),
) -> list[PeerCallOut]:
    """Open appels à pairs; the author of an anonymous call is not shown."""
    async with runtime.begin(MatchingUow) as uow:
        return await peer_calls.list_calls(uow, principal, theme, limit)


@router.post("/peer-calls/{call_id}/group", status_code=status.HTTP_201_CREATED)
async def form_group(call_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal) -> GroupOut:
    """Recruit 4–5 élus with the same difficulty and a common slot around this call.

    Everyone is asked to accept or decline (``match.proposed.v1``, kind peer_group); names
    of an anonymous call are revealed once all accepted."""
    async with runtime.begin(MatchingUow) as uow:
        return await peer_calls.form_group(uow, principal, call_id)


@router.get("/peer-groups/{group_id}")
async def get_group(group_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal) -> GroupOut:
    async with runtime.begin(MatchingUow) as uow:
        return await peer_groups.get_group(uow, principal, group_id)


@router.post(
    "/peer-calls/{call_id}/join",
    responses={status.HTTP_201_CREATED: {"model": PeerCallOut, "description": "Joined now."}},
)
async def join_call(
    call_id: UUID, response: Response, runtime: RuntimeDep, principal: CurrentPrincipal
) -> PeerCallOut:
    """Join someone's open appel à pairs (201; 200 when already joined, nothing changed):
    your anonymous call on its theme, from your diagnosis, that its group recruits first."""
    async with runtime.begin(MatchingUow) as uow:
        joined, opened = await peer_calls.join_call(uow, principal, call_id)
    response.status_code = status.HTTP_201_CREATED if opened else status.HTTP_200_OK
    return joined


@router.post("/peer-calls/{call_id}/withdraw")
async def withdraw_call(
    call_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> PeerCallOut:
    """The author withdraws an open appel à pairs."""
    async with runtime.begin(MatchingUow) as uow:
        return await peer_calls.withdraw_call(uow, principal, call_id)


@router.post("/peer-groups/{group_id}/leave")
async def leave_group(group_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal) -> GroupOut:
    """Leave the group; below four members, a replacement is recruited from open calls."""
    async with runtime.begin(MatchingUow) as uow:
        return await peer_membership.leave(uow, principal, group_id)


@router.post("/peer-groups/{group_id}/answer")
async def answer(
    group_id: UUID, body: AnswerIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> GroupOut:
    """Accept or decline your place in the group (once)."""
    async with runtime.begin(MatchingUow) as uow:
        return await peer_groups.answer(uow, principal, group_id, body)


@router.post("/peer-groups/{group_id}/sessions", status_code=status.HTTP_201_CREATED)
async def schedule(
    group_id: UUID, body: ScheduleIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> GroupOut:
    """The first session and 4–5 follow-ups at the group's rhythm (``session.scheduled.v1``)."""
    async with runtime.begin(MatchingUow) as uow:
        return await peer_groups.schedule(uow, principal, group_id, body)
