"""One-click unsubscribe (RFC 8058): mail clients POST, people see a page on GET.

GET never unsubscribes: link scanners of mail providers follow links, and a visit must not
cost anyone their notifications. The page asks for one click, which POSTs the same form a
mail client sends (``List-Unsubscribe=One-Click``).
"""

from html import escape
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from deformations_common.errors import Forbidden, ProblemError
from deformations_common.service import RuntimeDep
from deformations_notifications.api.deps import ClockDep, SettingsDep
from deformations_notifications.api.pages import html_page
from deformations_notifications.domain.unsubscribe import (
    ALL,
    UnsubscribeClaim,
    apply_unsubscribe,
    verify_unsubscribe_token,
)
from deformations_notifications.repositories import recipients

router = APIRouter(prefix="/v1", tags=["unsubscribe"])
ONE_CLICK = "One-Click"


class BadUnsubscribeRequest(ProblemError):
    status, title, type_slug = 400, "Bad request", "unsubscribe-request"


def _scope_text(claim: UnsubscribeClaim) -> str:
    if claim.scope == ALL:
        return "tous les messages de (Dé)formations"
    return f"les messages de la rubrique « {escape(claim.scope)} »"


@router.get("/unsubscribe", response_class=HTMLResponse)
async def confirm_page(token: str, settings: SettingsDep) -> HTMLResponse:
    claim = verify_unsubscribe_token(token, settings.secret())
    if claim is None:
        return html_page(
            "Lien de désabonnement invalide",
            "<p>Ce lien n'est pas valide ou a été modifié. Vous pouvez changer vos préférences "
            "depuis votre espace sur la plateforme.</p>",
            status=400,
        )
    form = f"""<p>Vous ne recevrez plus {_scope_text(claim)} par courriel.</p>
<form method="post" action="?token={escape(token)}">
<input type="hidden" name="List-Unsubscribe" value="{ONE_CLICK}">
<button type="submit">Confirmer le désabonnement</button>
</form>
<p>Vous pourrez vous réinscrire à tout moment depuis votre espace.</p>"""
    return html_page("Se désabonner", form)


@router.post("/unsubscribe", response_class=HTMLResponse)
async def one_click(
    token: str,
    request: Request,
    runtime: RuntimeDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> HTMLResponse:
    """RFC 8058 one-click POST; idempotent, as mail clients may send it more than once."""
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    if form.get("List-Unsubscribe") != [ONE_CLICK]:
        raise BadUnsubscribeRequest(
            "Le corps doit être « List-Unsubscribe=One-Click » (RFC 8058).",
            code="not_one_click",
        )
    claim = verify_unsubscribe_token(token, settings.secret())
    if claim is None:
        raise Forbidden("Ce lien de désabonnement n'est pas valide.", code="invalid_token")
    async with runtime.transaction() as conn:
        prefs = await recipients.get_for_update(conn, claim.person_id)
        if prefs is not None:
            await recipients.save(conn, apply_unsubscribe(prefs, claim, clock()), clock())
    return html_page(
        "Vous êtes désabonné·e",
        f"<p>Vous ne recevrez plus {_scope_text(claim)} par courriel.</p>",
    )
