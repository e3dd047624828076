"""The preferences form (`POST /preferences`, its page is in links.py): an address is
registered with notifications once proven; the page of the link that proves it (a GET
shows a button, the POST confirms)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import Response

from deformations_common.logging import get_logger
from deformations_common.vocabulary.errors import DomainError
from deformations_portal import mail
from deformations_portal.service import addresses
from deformations_portal.service.uow import PortalUow
from deformations_portal.web.context import Page, PageDep
from deformations_portal.web.links import Answer, call, to_sign_in

log = get_logger()
router = APIRouter(include_in_schema=False)

CsrfField = Annotated[str | None, Form()]


def _refused(page: Page, answer: Answer) -> Response:
    detail = answer.body.get("detail") if isinstance(answer.body, dict) else None
    return page.message(
        "Préférences non enregistrées",
        detail if isinstance(detail, str) else "Vérifiez le formulaire et réessayez.",
        status=422 if answer.status == 422 else 502,
        error=True,
        link={"href": "/preferences", "text": "Revenir aux préférences"},
    )


async def save(page: Page, email: str, preferences: dict[str, Any]) -> Response:
    """Register the preferences with notifications, at an address proven to be hers."""
    assert page.me is not None
    current = await call(page, "notifications", "GET", "/v1/me/recipient")
    registered = (
        current.body.get("email") if current.ok and isinstance(current.body, dict) else None
    )
    try:
        async with page.runtime.begin(PortalUow) as uow:
            decision = await addresses.choose(
                uow, page.me.person_id, email, preferences, registered
            )
    except DomainError as error:
        return page.message(
            "Préférences non enregistrées",
            error.message,
            status=error.status,
            error=True,
            link={"href": "/preferences", "text": "Revenir aux préférences"},
        )
    if decision.check is not None:
        url = (
            f"{page.settings.app_url.rstrip('/')}/preferences/adresse?jeton={decision.check.secret}"
        )
        try:
            await mail.send(
                page.settings,
                page.platform,
                decision.check.email,
                f"Confirmez votre adresse pour {page.platform.name}",
                mail.address_check_text(url, page.platform.name),
            )
        except OSError as exc:
            log.warning("portal.mail_failed", error=type(exc).__name__)
    if decision.use_now is not None:
        body = {**preferences, "email": decision.use_now}
        answer = await call(
            page, "notifications", "PUT", "/v1/me/recipient", body, proven_email=decision.use_now
        )
        if not answer.ok:
            return _refused(page, answer)
    if decision.check is None:
        notice = "enregistre"
    else:
        notice = "verifier" if decision.use_now is not None else "verifier-attente"
    return page.redirect(f"/preferences?notice={notice}")


@router.post("/preferences")
async def save_preferences(
    page: PageDep,
    csrf: CsrfField = None,
    email: Annotated[str, Form()] = "",
    quiet: Annotated[str | None, Form()] = None,
    quiet_start: Annotated[str, Form()] = "21:00",
    quiet_end: Annotated[str, Form()] = "07:00",
    frequency: Annotated[str, Form()] = "immediate",
    consent: Annotated[str | None, Form()] = None,
    rappels: Annotated[str | None, Form()] = None,
) -> Response:
    if page.me is None:
        return to_sign_in(page)
    page.check_csrf(csrf)
    preferences: dict[str, Any] = {
        "channels": ["email"],
        "quiet_hours": {"start": quiet_start, "end": quiet_end} if quiet else None,
        "digest": {"frequency": frequency},
        "consent": consent == "oui",
        "reminders": rappels == "oui",
    }
    return await save(page, email, preferences)


@router.get("/preferences/adresse")
async def address_page(page: PageDep, jeton: str = "") -> Response:
    if page.me is None:
        return to_sign_in(page)
    # A mail scanner following the link confirms nothing: the button below does.
    return page.render("address.html", "Confirmer mon adresse", token=jeton)


@router.post("/preferences/adresse")
async def confirm_address(
    page: PageDep, jeton: Annotated[str, Form()] = "", csrf: CsrfField = None
) -> Response:
    if page.me is None:
        return to_sign_in(page)
    try:
        page.check_csrf(csrf)
        async with page.runtime.begin(PortalUow) as uow:
            check = await addresses.confirm(uow, page.me.person_id, jeton)
    except DomainError as error:
        return page.message(
            "Adresse non confirmée",
            error.message,
            status=error.status,
            error=True,
            link={"href": "/preferences", "text": "Revenir aux préférences"},
        )
    body = {**check.preferences, "email": check.email}
    answer = await call(
        page, "notifications", "PUT", "/v1/me/recipient", body, proven_email=check.email
    )
    if not answer.ok:
        return _refused(page, answer)
    return page.redirect("/preferences?notice=adresse-confirmee")
