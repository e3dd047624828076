"""The token issuer's public keys, which every service verifies tokens against."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from deformations_common.service import Runtime, get_runtime
from deformations_portal.service.tokens import TokenIssuer, load_issuer
from deformations_portal.service.uow import PortalUow
from deformations_portal.settings import PortalSettings

router = APIRouter(tags=["tokens"])
RuntimeDep = Annotated[Runtime[PortalSettings], Depends(get_runtime)]


@router.get("/.well-known/jwks.json")
async def jwks(request: Request, runtime: RuntimeDep, response: Response) -> dict[str, Any]:
    issuer: TokenIssuer | None = getattr(request.app.state, "issuer", None)
    if issuer is None:
        async with runtime.begin(PortalUow) as uow:
            issuer = await load_issuer(uow)
        request.app.state.issuer = issuer
    response.headers["cache-control"] = "public, max-age=300"
    return issuer.jwks()
