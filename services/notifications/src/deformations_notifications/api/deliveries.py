"""Failed webhook deliveries of every subscription, for operators, with a retry."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query

from deformations_common.auth import CurrentPrincipal
from deformations_common.vocabulary.roles import Role
from deformations_notifications.api.deps import RuntimeDep
from deformations_notifications.service import webhooks
from deformations_notifications.service.uow import NotificationsUow

router = APIRouter(prefix="/v1/webhook-deliveries", tags=["webhooks"])


@router.get("")
async def failed(
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """Failed deliveries, newest first, with their subscription's address (no body)."""
    principal.require(Role.OPERATOR)
    async with runtime.begin(NotificationsUow) as uow:
        return await webhooks.failed_deliveries(uow, limit)


@router.post("/{delivery_id}/retry", status_code=202)
async def retry(
    delivery_id: UUID, principal: CurrentPrincipal, runtime: RuntimeDep
) -> dict[str, str]:
    """Once the receiver is fixed: try a failed delivery again now."""
    principal.require(Role.OPERATOR)
    async with runtime.begin(NotificationsUow) as uow:
        await webhooks.retry_delivery(uow, delivery_id)
    return {"status": "pending"}
