"""Sessions matching planned: read one, move it, cancel it (organiser or operator)."""

from uuid import UUID

from fastapi import APIRouter

from deformations_common.auth import CurrentPrincipal
from deformations_matching.api.deps import RuntimeDep
from deformations_matching.service import sessions
from deformations_matching.service.sessions import CancelIn, RescheduleIn, SessionOut
from deformations_matching.service.uow import MatchingUow

router = APIRouter(prefix="/v1", tags=["sessions"])


@router.get("/sessions")
async def list_sessions(
    runtime: RuntimeDep, principal: CurrentPrincipal, related_id: UUID | None = None
) -> list[SessionOut]:
    """Sessions of a group, café pair or speed-dating evening that one organises or attends;
    without ``related_id``, one's own coming sessions (not over, not cancelled), soonest
    first: the agenda."""
    async with runtime.begin(MatchingUow) as uow:
        if related_id is None:
            return await sessions.my_coming_sessions(uow, principal)
        return await sessions.list_sessions(uow, principal, related_id)


@router.get("/sessions/{session_id}")
async def get_session(
    session_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> SessionOut:
    async with runtime.begin(MatchingUow) as uow:
        return await sessions.get_session(uow, principal, session_id)


@router.post("/sessions/{session_id}/reschedule")
async def reschedule(
    session_id: UUID, body: RescheduleIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> SessionOut:
    """Move the session: ``session.rescheduled.v1`` with its next sequence."""
    async with runtime.begin(MatchingUow) as uow:
        return await sessions.reschedule(uow, principal, session_id, body)


@router.post("/sessions/{session_id}/cancel")
async def cancel(
    session_id: UUID, body: CancelIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> SessionOut:
    """Cancel the session: ``session.cancelled.v1`` (an iCalendar CANCEL)."""
    async with runtime.begin(MatchingUow) as uow:
        return await sessions.cancel(uow, principal, session_id, body)
