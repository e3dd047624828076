"""Notifications as their recipient and operators see them."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from deformations_common.auth import CurrentPrincipal, Role
from deformations_common.service import RuntimeDep
from deformations_notifications.repositories import notifications

router = APIRouter(prefix="/v1", tags=["notifications"])


@router.get("/me/notifications")
async def my_notifications(
    principal: CurrentPrincipal, runtime: RuntimeDep
) -> list[dict[str, Any]]:
    """The notifications recorded for the signed-in person, newest first."""
    async with runtime.pool.acquire() as conn:
        return await notifications.list_for_recipient(conn, principal.sub)


@router.get("/notifications")
async def notifications_by_status(
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    status: Literal["pending", "sent", "failed", "skipped"] = "failed",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """For operators: the notifications in a status (failed ones by default), without content."""
    principal.require(Role.OPERATOR)
    async with runtime.pool.acquire() as conn:
        return await notifications.list_by_status(conn, status, limit)
