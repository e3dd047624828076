"""The pages of people: home, « Mon espace », memberships, the référent's page, account."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import Response

from deformations_common.logging import get_logger
from deformations_common.vocabulary.collectivites import collectivite_name
from deformations_common.vocabulary.errors import DomainError, InvalidInput
from deformations_common.vocabulary.roles import Role
from deformations_portal import mail, space
from deformations_portal.domain import collectivites
from deformations_portal.domain.errors import MembershipNotFound
from deformations_portal.domain.memberships import (
    OPERATOR_INVITABLE_ROLES,
    REQUESTABLE_ROLES,
    Membership,
    may_decide,
)
from deformations_portal.service import memberships, people
from deformations_portal.service.tokens import TokenIssuer, load_issuer
from deformations_portal.service.uow import PortalUow
from deformations_portal.web.context import SESSION_COOKIE, Page, PageDep

log = get_logger()
router = APIRouter(include_in_schema=False)

CsrfField = Annotated[str | None, Form()]


def _to_sign_in(page: Page) -> Response:
    return page.redirect("/connexion")


def _failed(page: Page, title: str, error: DomainError, back: str) -> Response:
    return page.message(
        title,
        error.message,
        status=error.status,
        error=True,
        link={"href": back, "text": "Revenir à la page précédente"},
    )


async def issuer_of(page: Page) -> TokenIssuer:
    state = page.request.app.state
    issuer: TokenIssuer | None = getattr(state, "issuer", None)
    if issuer is None:
        async with page.runtime.begin(PortalUow) as uow:
            issuer = await load_issuer(uow)
        state.issuer = issuer
    return issuer


@router.get("/")
async def home(page: PageDep) -> Response:
    return page.render("home.html", "Accueil")


@router.get("/espace")
async def my_space(page: PageDep) -> Response:
    if page.me is None:
        return _to_sign_in(page)
    issuer = await issuer_of(page)
    sections = await space.fill(
        page.settings,
        issuer,
        page.request.app.state.clients.http,
        page.me.person_id,
        page.me.acting,
        page.runtime.clock(),
    )
    return page.render("space.html", "Mon espace", current="espace", sections=sections)


@router.get("/adhesions")
async def my_memberships(page: PageDep, notice: str = "") -> Response:
    if page.me is None:
        return _to_sign_in(page)
    notices = {"demande": "Votre demande est envoyée au référent de la collectivité."}
    return page.render(
        "memberships.html",
        "Mes collectivités",
        current="adhesions",
        notice=notices.get(notice, ""),
    )


@router.get("/adhesions/rejoindre")
async def join_page(page: PageDep, q: str = "") -> Response:
    if page.me is None:
        return _to_sign_in(page)
    results = collectivites.search(q, limit=200)
    if not _may_join_outside(page):
        results = [c for c in results if page.platform.covers(c.siren)]
    return page.render(
        "join.html",
        "Rejoindre une collectivité",
        current="adhesions",
        query=q,
        results=results[:20],
        roles=REQUESTABLE_ROLES,
        error="",
    )


def _may_join_outside(page: Page) -> bool:
    """An operator of the platform may reach collectivités outside its région."""
    if page.platform.outside_allowed:
        return True
    held = page.me.memberships if page.me else []
    return any(m.validated and m.role is Role.OPERATOR for m in held)


@router.post("/adhesions/rejoindre")
async def join(
    page: PageDep,
    siren: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    csrf: CsrfField = None,
) -> Response:
    if page.me is None:
        return _to_sign_in(page)
    try:
        page.check_csrf(csrf)
        page.platform.require_in_scope(siren, operator=_may_join_outside(page))
        async with page.runtime.begin(PortalUow) as uow:
            await memberships.request_join(uow, page.me.person_id, siren, role)
    except DomainError as error:
        return page.render(
            "join.html",
            "Rejoindre une collectivité",
            status=error.status,
            current="adhesions",
            query="",
            results=[],
            roles=REQUESTABLE_ROLES,
            error=error.message,
        )
    return page.redirect("/adhesions?notice=demande")


@router.post("/adhesions/choisir")
async def switch(
    page: PageDep, adhesion: Annotated[str, Form()] = "", csrf: CsrfField = None
) -> Response:
    secret = page.request.cookies.get(SESSION_COOKIE)
    if page.me is None or secret is None:
        return _to_sign_in(page)
    try:
        page.check_csrf(csrf)
        async with page.runtime.begin(PortalUow) as uow:
            await people.switch(uow, secret, _uuid(adhesion))
    except DomainError as error:
        return _failed(page, "Changer de collectivité", error, "/adhesions")
    return page.redirect("/espace")


@dataclass(frozen=True)
class Pending:
    membership: Membership
    who: str
    # A typed name is only what the person says she is called: her address is what the
    # référent can check before validating her.
    address: str = ""


async def _pending(uow: PortalUow, membership: Membership) -> Pending:
    who = await people.display_name(uow, membership.person_id)
    address = await people.address_of(uow, membership.person_id)
    return Pending(membership, who, "" if address == who else address)


@router.get("/referent")
async def referent_page(page: PageDep, notice: str = "") -> Response:
    if page.me is None:
        return _to_sign_in(page)
    async with page.runtime.begin(PortalUow) as uow:
        waiting = await memberships.pending_for(uow, page.me.person_id)
        rows = [await _pending(uow, m) for m in waiting]
        active = await memberships.members_for(uow, page.me.person_id)
        members = [await _pending(uow, m) for m in active]
    sirens = sorted({m.siren for m in page.me.memberships if may_decide([m], m.siren)})
    notices = {
        "valider": "La demande est validée.",
        "refuser": "La demande est refusée.",
        "invitation": "L'invitation est envoyée.",
        "retrait": "L'adhésion est retirée.",
    }
    return page.render(
        "referent.html",
        "Demandes à valider",
        current="referent",
        pending=rows,
        members=members,
        sirens=sirens,
        roles=OPERATOR_INVITABLE_ROLES if page.operator else REQUESTABLE_ROLES,
        notice=notices.get(notice, ""),
    )


@router.post("/referent/decider")
async def decide(
    page: PageDep,
    adhesion: Annotated[str, Form()] = "",
    decision: Annotated[str, Form()] = "",
    csrf: CsrfField = None,
) -> Response:
    if page.me is None:
        return _to_sign_in(page)
    try:
        page.check_csrf(csrf)
        async with page.runtime.begin(PortalUow) as uow:
            decided = await memberships.decide(
                uow, page.me.person_id, _uuid(adhesion), accept=decision == "valider"
            )
            addresses = await people.emails_of(uow, decided.person_id)
    except DomainError as error:
        return _failed(page, "Décision impossible", error, "/referent")
    await tell_decision(page, decided, addresses)
    return page.redirect(f"/referent?notice={'valider' if decision == 'valider' else 'refuser'}")


async def tell_decision(
    page: Page, decided: Membership, addresses: list[str], reason: str | None = None
) -> None:
    """Every change of rights is told to the person it concerns, a refusal with its reason
    (a mail lost is logged)."""
    name = collectivite_name(decided.siren)
    for address in addresses:
        try:
            await mail.send(
                page.settings,
                page.platform,
                address,
                f"Votre demande pour {name}",
                mail.decision_text(
                    name,
                    decided.role.label,
                    decided.validated,
                    page.settings.app_url.rstrip("/"),
                    reason,
                ),
            )
        except OSError as exc:
            log.warning("portal.mail_failed", error=type(exc).__name__)


@router.post("/referent/retirer")
async def revoke(
    page: PageDep, adhesion: Annotated[str, Form()] = "", csrf: CsrfField = None
) -> Response:
    if page.me is None:
        return _to_sign_in(page)
    try:
        page.check_csrf(csrf)
        async with page.runtime.begin(PortalUow) as uow:
            revoked = await memberships.revoke(uow, page.me.person_id, _uuid(adhesion))
            addresses = await people.emails_of(uow, revoked.membership.person_id)
    except DomainError as error:
        return _failed(page, "Retrait impossible", error, "/referent")
    # Every change of rights is told to the person it concerns.
    name = collectivite_name(revoked.membership.siren)
    for address in addresses:
        try:
            await mail.send(
                page.settings,
                page.platform,
                address,
                f"Votre adhésion à {name}",
                mail.revocation_text(
                    name, revoked.membership.role.label, page.settings.app_url.rstrip("/")
                ),
            )
        except OSError as exc:
            log.warning("portal.mail_failed", error=type(exc).__name__)
    return page.redirect("/referent?notice=retrait")


@router.post("/referent/inviter")
async def invite(
    page: PageDep,
    siren: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "elected",
    csrf: CsrfField = None,
) -> Response:
    if page.me is None:
        return _to_sign_in(page)
    client_ip = page.request.client.host if page.request.client else "unknown"
    try:
        page.check_csrf(csrf)
        async with page.runtime.begin(PortalUow) as uow:
            invitation = await memberships.invite(uow, page.me.person_id, siren, email, role)
            link = await people.request_link(uow, invitation.email, client_ip)
    except DomainError as error:
        return _failed(page, "Invitation impossible", error, "/referent")
    if link is not None:
        url = f"{page.settings.app_url.rstrip('/')}/connexion/lien?jeton={link.secret}"
        try:
            await mail.send(
                page.settings,
                page.platform,
                link.email,
                f"Invitation à rejoindre {collectivite_name(invitation.membership.siren)}",
                mail.invitation_text(
                    url,
                    collectivite_name(invitation.membership.siren),
                    page.settings.sign_in_link_minutes,
                    page.platform.name,
                ),
            )
        except OSError as exc:
            log.warning("portal.mail_failed", error=type(exc).__name__)
    return page.redirect("/referent?notice=invitation")


@router.get("/compte")
async def account(page: PageDep) -> Response:
    if page.me is None:
        return _to_sign_in(page)
    return page.render("account.html", "Mon compte", current="compte")


@router.get("/compte/supprimer")
async def erase_page(page: PageDep) -> Response:
    if page.me is None:
        return _to_sign_in(page)
    return page.render("erase.html", "Supprimer mon compte", current="compte")


@router.post("/compte/supprimer")
async def erase(
    page: PageDep, confirmation: Annotated[str, Form()] = "", csrf: CsrfField = None
) -> Response:
    if page.me is None:
        return _to_sign_in(page)
    try:
        page.check_csrf(csrf)
        if confirmation != "oui":
            raise InvalidInput("Cochez la case de confirmation pour supprimer votre compte.")
        async with page.runtime.begin(PortalUow) as uow:
            await people.erase(uow, page.me.person_id)
    except DomainError as error:
        return _failed(page, "Supprimer mon compte", error, "/compte/supprimer")
    page.me = None
    response = page.message(
        "Compte supprimé",
        "Votre compte est supprimé ; chaque service de la plateforme efface vos données.",
        link={"href": "/", "text": "Revenir à l'accueil"},
    )
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise MembershipNotFound("Cette adhésion n'existe pas.") from None
