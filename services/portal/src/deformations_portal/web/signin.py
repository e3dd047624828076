"""Sign-in pages: OpenID Connect, the e-mail link, the dev shortcut, logout."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form
from fastapi.responses import Response

from deformations_common.logging import get_logger
from deformations_common.settings import Environment
from deformations_common.vocabulary.errors import DomainError
from deformations_portal import mail
from deformations_portal.domain.errors import SignInFailed
from deformations_portal.oidc import OidcClient
from deformations_portal.service import people
from deformations_portal.service.uow import PortalUow
from deformations_portal.web.context import (
    SESSION_COOKIE,
    Page,
    PageDep,
    not_found,
    set_cookie,
)
from deformations_portal.web.links import RETURN_COOKIE, safe_return

log = get_logger()
router = APIRouter(include_in_schema=False)

CsrfField = Annotated[str | None, Form()]


def _oidc(page: Page) -> OidcClient:
    client: OidcClient = page.request.app.state.oidc
    return client


def _client_ip(page: Page) -> str:
    return page.request.client.host if page.request.client else "unknown"


async def _signed_in(page: Page, person_id: object, id_token: str | None = None) -> Response:
    async with page.runtime.begin(PortalUow) as uow:
        session = await people.open_session(uow, person_id, id_token)  # type: ignore[arg-type]
    # Back to the page a link opened before sign-in (an e-mail's), else « Mon espace ».
    back = safe_return(page.request.cookies.get(RETURN_COOKIE))
    response = page.redirect(back or "/espace")
    set_cookie(response, page.settings, SESSION_COOKIE, session.secret)
    if back is not None:
        response.delete_cookie(RETURN_COOKIE, path="/")
    return response


NOTICES = {"partout": "Vous êtes déconnecté de tous vos appareils."}


@router.get("/connexion")
async def sign_in_page(page: PageDep, notice: str = "") -> Response:
    if page.me is not None:
        return page.redirect("/espace")
    return page.render(
        "signin.html",
        "Se connecter",
        current="connexion",
        notice=NOTICES.get(notice, ""),
        oidc=page.settings.oidc_enabled,
        provider=page.settings.oidc_provider_name,
        dev=page.settings.environment is Environment.DEV,
    )


@router.post("/connexion/oidc")
async def oidc_start(page: PageDep, csrf: CsrfField = None) -> Response:
    try:
        page.check_csrf(csrf)
        attempt = await _oidc(page).start()
    except DomainError as error:
        return page.message("Connexion impossible", error.message, status=error.status, error=True)
    async with page.runtime.begin(PortalUow) as uow:
        await people.record_oidc_attempt(uow, attempt.state, attempt.nonce, attempt.verifier)
    return page.redirect(attempt.url)


@router.get("/connexion/oidc/retour")
async def oidc_callback(
    page: PageDep, code: str | None = None, state: str | None = None, error: str | None = None
) -> Response:
    try:
        if error is not None:
            raise SignInFailed("La connexion a été annulée auprès du fournisseur d'identité.")
        if not code or not state:
            raise SignInFailed("Il manque des informations dans la réponse de connexion.")
        async with page.runtime.begin(PortalUow) as uow:
            attempt = await people.take_attempt(uow, state)
        claims, id_token = await _oidc(page).finish(code, attempt.code_verifier, attempt.nonce)
        async with page.runtime.begin(PortalUow) as uow:
            person_id = await people.person_for(uow, claims)
            session = await people.open_session(uow, person_id, id_token)
    except DomainError as failure:
        log.info("portal.oidc_refused", code=failure.code)
        return page.message(
            "Connexion impossible",
            failure.message,
            status=failure.status,
            error=True,
            link={"href": "/connexion", "text": "Revenir à la connexion"},
        )
    target = "/espace"
    if claims.siren is not None:
        # ProConnect tells the organisation: the join page proposes it.
        target = f"/adhesions/rejoindre?q={quote(claims.siren)}"
    response = page.redirect(target)
    set_cookie(response, page.settings, SESSION_COOKIE, session.secret)
    return response


@router.post("/connexion/lien")
async def ask_link(
    page: PageDep, email: Annotated[str, Form()] = "", csrf: CsrfField = None
) -> Response:
    try:
        page.check_csrf(csrf)
        async with page.runtime.begin(PortalUow) as uow:
            link = await people.request_link(uow, email, _client_ip(page))
    except DomainError as error:
        return page.message("Connexion", error.message, status=error.status, error=True)
    if link is not None:
        url = f"{page.settings.app_url.rstrip('/')}/connexion/lien?jeton={link.secret}"
        try:
            await mail.send(
                page.settings,
                page.platform,
                link.email,
                f"Votre lien de connexion à {page.platform.name}",
                mail.sign_in_text(url, page.settings.sign_in_link_minutes, page.platform.name),
            )
        except OSError as exc:
            log.warning("portal.mail_failed", error=type(exc).__name__)
    return page.message(
        "Vérifiez votre messagerie",
        "Si cette adresse peut se connecter, un lien de connexion vient de lui être envoyé. "
        "Il est valable 15 minutes et ne sert qu'une fois.",
    )


@router.get("/connexion/lien")
async def link_page(page: PageDep, jeton: str = "") -> Response:
    # A mail scanner following the link spends nothing: the button below does.
    return page.render("link.html", "Confirmer la connexion", token=jeton)


@router.post("/connexion/lien/valider")
async def use_link(
    page: PageDep, jeton: Annotated[str, Form()] = "", csrf: CsrfField = None
) -> Response:
    try:
        page.check_csrf(csrf)
        async with page.runtime.begin(PortalUow) as uow:
            person_id = await people.consume_link(uow, jeton)
    except DomainError as error:
        return page.message(
            "Lien de connexion refusé",
            error.message,
            status=error.status,
            error=True,
            link={"href": "/connexion", "text": "Demander un nouveau lien"},
        )
    return await _signed_in(page, person_id)


@router.get("/connexion/dev")
async def dev_accounts(page: PageDep) -> Response:
    if page.settings.environment is not Environment.DEV:
        return not_found(page)
    async with page.runtime.begin(PortalUow) as uow:
        accounts = await people.demo_accounts(uow)
    return page.render("dev.html", "Comptes de démonstration", accounts=accounts)


@router.post("/connexion/dev")
async def dev_sign_in(
    page: PageDep, email: Annotated[str, Form()] = "", csrf: CsrfField = None
) -> Response:
    if page.settings.environment is not Environment.DEV:
        return not_found(page)
    try:
        page.check_csrf(csrf)
        async with page.runtime.begin(PortalUow) as uow:
            person_id = await people.dev_person(uow, email)
    except DomainError as error:
        return page.message("Connexion", error.message, status=error.status, error=True)
    return await _signed_in(page, person_id)


@router.post("/deconnexion")
async def sign_out(page: PageDep, csrf: CsrfField = None) -> Response:
    secret = page.request.cookies.get(SESSION_COOKIE)
    if page.me is None or secret is None:
        return page.redirect("/")
    try:
        page.check_csrf(csrf)
    except DomainError as error:
        return page.message("Déconnexion", error.message, status=error.status, error=True)
    async with page.runtime.begin(PortalUow) as uow:
        await people.end_session(uow, secret)
    after = page.settings.app_url.rstrip("/") + "/"
    provider_logout = await _oidc(page).end_session_url(page.me.session.id_token, after)
    response = page.redirect(provider_logout or "/")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/deconnexion/partout")
async def sign_out_everywhere(page: PageDep, csrf: CsrfField = None) -> Response:
    """Ends every session of the person (this browser's and her other devices')."""
    if page.me is None:
        return page.redirect("/connexion")
    try:
        page.check_csrf(csrf)
    except DomainError as error:
        return page.message(
            "Déconnexion de tous les appareils", error.message, status=error.status, error=True
        )
    async with page.runtime.begin(PortalUow) as uow:
        await people.end_all_sessions(uow, page.me.person_id)
    after = page.settings.app_url.rstrip("/") + "/"
    provider_logout = await _oidc(page).end_session_url(page.me.session.id_token, after)
    response = page.redirect(provider_logout or "/connexion?notice=partout")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
