"""One-click unsubscribe (RFC 8058): mail clients POST, people see a page on GET.

GET never unsubscribes: link scanners of mail providers follow links, and a visit must not
cost anyone their notifications. The page asks for one click, which POSTs the same form a
mail client sends (``List-Unsubscribe=One-Click``).
"""

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from deformations_notifications.api.deps import RuntimeDep
from deformations_notifications.domain.errors import (
    InvalidUnsubscribeToken,
    NotOneClick,
    UnsubscribeTokenLapsed,
)
from deformations_notifications.service import unsubscribe as use_cases
from deformations_notifications.service.uow import NotificationsUow
from deformations_notifications.web.pages import Pages, PagesDep

router = APIRouter(prefix="/v1", tags=["unsubscribe"])
ONE_CLICK = "One-Click"


@router.get("/unsubscribe", response_class=HTMLResponse)
async def confirm_page(token: str, runtime: RuntimeDep, pages: PagesDep) -> HTMLResponse:
    try:
        async with runtime.begin(NotificationsUow) as uow:
            claim = await use_cases.claim_of(uow, token)
    except InvalidUnsubscribeToken:
        return _invalid(pages, 400)
    except UnsubscribeTokenLapsed as exc:
        return _lapsed(pages, exc)
    return pages.page("unsubscribe.html.j2", token=token, scope=claim.scope, one_click=ONE_CLICK)


@router.post("/unsubscribe", response_class=HTMLResponse)
async def one_click(
    token: str, request: Request, runtime: RuntimeDep, pages: PagesDep
) -> HTMLResponse:
    """RFC 8058 one-click POST; idempotent, as mail clients may send it more than once."""
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    if form.get("List-Unsubscribe") != [ONE_CLICK]:
        raise NotOneClick()
    try:
        async with runtime.begin(NotificationsUow) as uow:
            claim = await use_cases.unsubscribe(uow, token)
    except InvalidUnsubscribeToken as exc:
        return _invalid(pages, exc.status)
    except UnsubscribeTokenLapsed as exc:
        return _lapsed(pages, exc)
    return pages.page("unsubscribed.html.j2", scope=claim.scope)


def _invalid(pages: Pages, status: int) -> HTMLResponse:
    return pages.notice(
        "Lien de désabonnement invalide",
        "Ce lien n'est pas valide ou a été modifié. Vous pouvez changer vos préférences "
        "depuis votre espace sur la plateforme.",
        status,
    )


def _lapsed(pages: Pages, exc: UnsubscribeTokenLapsed) -> HTMLResponse:
    return pages.notice("Lien de désabonnement expiré", exc.message, exc.status)
