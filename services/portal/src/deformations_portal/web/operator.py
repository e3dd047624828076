"""The operators' back-office: people and memberships, collectivités, dead letters, and
the journal of decisions. Operators only (a 403 page for anyone else)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query
from fastapi.responses import Response

from deformations_common.vocabulary.errors import DomainError
from deformations_portal.domain import operator as rules
from deformations_portal.domain.errors import MembershipNotFound
from deformations_portal.domain.memberships import Membership
from deformations_portal.service import operator, people
from deformations_portal.service.uow import PortalUow
from deformations_portal.web import operator_letters
from deformations_portal.web.context import Page, PageDep
from deformations_portal.web.pages import CsrfField, tell_decision

router = APIRouter(include_in_schema=False)

Field = Annotated[str, Form()]

_NOTICES = {
    "accepte": "La demande est acceptée ; la personne est prévenue.",
    "refuse": "La demande est refusée ; la personne est prévenue.",
    "retire": "L'adhésion est retirée.",
    "relance": "Le message est relancé vers son abonnement.",
    "ecarte": "Le message est écarté.",
}


def _operator(page: Page) -> Membership | Response:
    """The operator membership of the signed-in person, else the page to show instead."""
    if page.me is None:
        return page.redirect("/connexion")
    try:
        return rules.require_operator(page.me.memberships)
    except DomainError as error:
        return _refused(page, "Accès réservé", error, "/")


def _refused(page: Page, title: str, error: DomainError, back: str) -> Response:
    return page.message(
        title,
        error.message,
        status=error.status,
        error=True,
        link={"href": back, "text": "Revenir à la page précédente"},
    )


async def operator_form(
    page: Page,
    csrf: str | None,
    step: Callable[[Membership], Awaitable[Response]],
    *,
    title: str,
    back: str,
) -> Response:
    """An operator's form: her operator membership, the form's CSRF token, then ``step``
    in her name. Any refusal on the way is the page ``title`` saying why, with a link
    ``back``; ``step`` raises before it changes anything."""
    acting = _operator(page)
    if not isinstance(acting, Membership):
        return acting
    try:
        page.check_csrf(csrf)
        return await step(acting)
    except DomainError as error:
        return _refused(page, title, error, back)


@router.get("/operateur")
async def home(page: PageDep, q: str = "", notice: str = "") -> Response:
    acting = _operator(page)
    if not isinstance(acting, Membership):
        return acting
    error = ""
    found: list[operator.Person] = []
    async with page.runtime.begin(PortalUow) as uow:
        try:
            found = await operator.search_people(uow, acting.person_id, q)
        except DomainError as refused:
            error = refused.message
        waiting = await operator.pending(uow, acting.person_id)
    return page.render(
        "operator/home.html",
        "Opérateur : personnes et adhésions",
        status=422 if error else 200,
        current="operateur",
        section="personnes",
        query=q,
        found=found,
        searched=bool(q.strip()) and not error,
        waiting=waiting,
        error=error,
        notice=_NOTICES.get(notice, ""),
    )


@router.post("/operateur/decider")
async def decide(
    page: PageDep,
    adhesion: Field = "",
    decision: Field = "",
    motif: Field = "",
    csrf: CsrfField = None,
) -> Response:

    async def step(acting: Membership) -> Response:
        async with page.runtime.begin(PortalUow) as uow:
            decided = await operator.decide(
                uow,
                acting.person_id,
                _membership_id(adhesion),
                accept=decision == "accepter",
                why=motif,
            )
            addresses = await people.emails_of(uow, decided.person_id)
        why = None if decided.validated else rules.reason(motif, required=False)
        await tell_decision(page, decided, addresses, why)
        return page.redirect(f"/operateur?notice={'accepte' if decided.validated else 'refuse'}")

    return await operator_form(page, csrf, step, title="Décision impossible", back="/operateur")


@router.post("/operateur/retirer")
async def revoke(
    page: PageDep,
    adhesion: Field = "",
    motif: Field = "",
    q: Field = "",
    csrf: CsrfField = None,
) -> Response:

    async def step(acting: Membership) -> Response:
        async with page.runtime.begin(PortalUow) as uow:
            await operator.revoke(uow, acting.person_id, _membership_id(adhesion), motif)
        return page.redirect("/operateur?" + _query({"q": q, "notice": "retire"}))

    return await operator_form(page, csrf, step, title="Retrait impossible", back="/operateur")


@router.get("/operateur/collectivites")
async def collectivites(page: PageDep, q: str = "") -> Response:
    acting = _operator(page)
    if not isinstance(acting, Membership):
        return acting
    async with page.runtime.begin(PortalUow) as uow:
        rows = await operator.browse_collectivites(uow, acting.person_id, q)
    return page.render(
        "operator/collectivites.html",
        "Opérateur : collectivités",
        current="operateur",
        section="collectivites",
        query=q,
        rows=rows,
    )


@router.get("/operateur/lettres-mortes")
async def dead_letters(page: PageDep, notice: str = "") -> Response:
    acting = _operator(page)
    if not isinstance(acting, Membership):
        return acting
    by_service = await operator_letters.gather(page, acting)
    return page.render(
        "operator/dead_letters.html",
        "Opérateur : lettres mortes",
        current="operateur",
        section="lettres",
        services=by_service,
        notice=_NOTICES.get(notice, ""),
    )


@router.post("/operateur/lettres-mortes")
async def act_on_letter(
    page: PageDep,
    service: Field = "",
    message: Field = "",
    action: Field = "",
    csrf: CsrfField = None,
) -> Response:
    redrive = action == "relancer"

    async def step(acting: Membership) -> Response:
        done = await operator_letters.act(page, acting, service, redrive=redrive, ce_id=message)
        async with page.runtime.begin(PortalUow) as uow:
            await operator.record_dead_letters(
                uow, acting.person_id, service, redriven=redrive, ids=done
            )
        if not done:
            return page.message(
                "Rien à faire",
                "Ce message n'est plus dans la file : un autre opérateur a pu agir avant vous.",
                status=409,
                error=True,
                link={"href": "/operateur/lettres-mortes", "text": "Revenir aux lettres mortes"},
            )
        notice = "relance" if redrive else "ecarte"
        return page.redirect(f"/operateur/lettres-mortes?notice={notice}")

    return await operator_form(
        page, csrf, step, title="Action impossible", back="/operateur/lettres-mortes"
    )


@router.get("/operateur/journal")
async def journal(
    page: PageDep,
    action: str = "",
    siren: str = "",
    number: Annotated[str, Query(alias="page")] = "1",
) -> Response:
    acting = _operator(page)
    if not isinstance(acting, Membership):
        return acting
    try:
        chosen = rules.journal_filter(action, siren, number)
    except DomainError as error:
        return _refused(page, "Journal des décisions", error, "/operateur/journal")
    async with page.runtime.begin(PortalUow) as uow:
        shown = await operator.journal(uow, acting.person_id, chosen)
    base = {"action": action, "siren": siren}
    return page.render(
        "operator/journal.html",
        "Opérateur : journal des décisions",
        current="operateur",
        section="journal",
        shown=shown,
        actions=list(rules.JournalAction),
        action=action,
        siren=siren,
        previous=_query({**base, "page": str(chosen.page - 1)}) if chosen.page > 1 else "",
        following=(
            _query({**base, "page": str(chosen.page + 1)}) if chosen.page < shown.pages else ""
        ),
    )


def _query(values: dict[str, str]) -> str:
    return urlencode({k: v for k, v in values.items() if v})


def _membership_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise MembershipNotFound("Cette adhésion n'existe pas.") from None
