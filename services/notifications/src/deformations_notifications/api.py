"""HTTP API of the notifications service."""

from typing import Any

from fastapi import APIRouter

from deformations_common.auth import CurrentPrincipal
from deformations_common.service import RuntimeDep
from deformations_notifications import repository

router = APIRouter(prefix="/v1", tags=["notifications"])


@router.get("/me/notifications")
async def my_notifications(
    principal: CurrentPrincipal, runtime: RuntimeDep
) -> list[dict[str, Any]]:
    """The notifications recorded for the signed-in person, newest first."""
    async with runtime.pool.acquire() as conn:
        return await repository.list_for_recipient(conn, principal.sub)
