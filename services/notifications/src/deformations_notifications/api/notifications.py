"""Notifications as their recipient and operators see them."""

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query

from deformations_common.auth import CurrentPrincipal
from deformations_common.vocabulary.roles import Role
from deformations_notifications.api.deps import RuntimeDep
from deformations_notifications.service import notifications
from deformations_notifications.service.uow import NotificationsUow

router = APIRouter(prefix="/v1", tags=["notifications"])


@router.get("/me/notifications")
async def my_notifications(
    principal: CurrentPrincipal, runtime: RuntimeDep
) -> list[dict[str, Any]]:
    """The notifications recorded for the signed-in person, newest first."""
    async with runtime.begin(NotificationsUow) as uow:
        return await notifications.of_recipient(uow, principal.sub)


@router.get("/notifications")
async def notifications_by_status(
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    status: Literal["pending", "sent", "failed", "skipped"] = "failed",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """For operators: the notifications in a status (failed ones by default), without content."""
    principal.require(Role.OPERATOR)
    async with runtime.begin(NotificationsUow) as uow:
        return await notifications.by_status(uow, status, limit)


@router.post("/notifications/{notification_id}/retry", status_code=202)
async def retry(
    notification_id: UUID, principal: CurrentPrincipal, runtime: RuntimeDep
) -> dict[str, str]:
    """For operators, once the cause is fixed (a mailbox, the SMTP relay): try again now."""
    principal.require(Role.OPERATOR)
    async with runtime.begin(NotificationsUow) as uow:
        await notifications.retry(uow, notification_id)
    return {"status": "pending"}
