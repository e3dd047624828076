"""Abuse reports on the contact relay, for operators: read them, block a sender, dismiss.

Reporting is the recipient's, from the « Signaler » page of a relayed mail (``web/``)."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, StringConstraints

from deformations_common.auth import CurrentPrincipal
from deformations_common.vocabulary.roles import Role
from deformations_notifications.api.deps import RuntimeDep
from deformations_notifications.service import relay
from deformations_notifications.service.uow import NotificationsUow

router = APIRouter(prefix="/v1/relay/reports", tags=["relay"])


class BlockBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


@router.get("")
async def open_reports(
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """Open reports, oldest first, with the reported person's latest message."""
    principal.require(Role.OPERATOR)
    async with runtime.begin(NotificationsUow) as uow:
        return await relay.open_reports(uow, limit)


@router.post("/{report_id}/block")
async def block(
    report_id: UUID, body: BlockBody, principal: CurrentPrincipal, runtime: RuntimeDep
) -> dict[str, str]:
    """Block the reported sender: the relay refuses their messages from now on."""
    principal.require(Role.OPERATOR)
    async with runtime.begin(NotificationsUow) as uow:
        blocked = await relay.block_sender(uow, report_id, body.reason, principal.sub)
    return {"blocked": blocked}


@router.post("/{report_id}/dismiss")
async def dismiss(
    report_id: UUID, principal: CurrentPrincipal, runtime: RuntimeDep
) -> dict[str, str]:
    """Nothing to hold against the sender: the report is closed."""
    principal.require(Role.OPERATOR)
    async with runtime.begin(NotificationsUow) as uow:
        await relay.dismiss(uow, report_id)
    return {"dismissed": str(report_id)}
