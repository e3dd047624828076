"""Skill lending between collectivités (the booklet's Thématique 8): browse the offers,
propose a skill, express a need, withdraw one's own, ask for a loan and take the proposals
matching made. Every read and change goes to lending with the person's own token."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import Response

from deformations_common.geography import UnknownCollectiviteError, load_geography
from deformations_common.vocabulary.errors import DomainError, InvalidInput
from deformations_common.vocabulary.roles import Role
from deformations_contracts.themes import LABELS as THEME_LABELS
from deformations_portal.web.context import Page, PageDep, acting_as, failed, not_found
from deformations_portal.web.lending_client import lending_client
from deformations_portal.web.lending_forms import (
    HALF_DAYS,
    MODALITIES,
    REIMBURSEMENTS,
    VISIBILITIES,
    Checked,
    loan_body,
    offer_body,
    reason_body,
    request_body,
)

router = APIRouter(include_in_schema=False)

CsrfField = Annotated[str | None, Form()]
THEMES = {t.value: label for t, label in THEME_LABELS.items()}
NEAR = {
    "partout": "Partout",
    "departement": "Dans mon département",
    "epci": "Dans mon intercommunalité",
}
OFFER_STATUS = {"open": "ouverte", "withdrawn": "retirée"}
REQUEST_STATUS = {"open": "ouverte", "withdrawn": "retirée", "fulfilled": "satisfaite"}
PROPOSAL_KINDS = {
    "need_offer": "Une offre qui répond à votre besoin",
    "grouped_offer": "Une offre à partager avec des communes voisines",
}


def party_of(page: Page) -> str | None:
    """The SIREN the person acts for as an élu·e or HR: who publishes and asks for loans."""
    return acting_as(page, Role.ELECTED, Role.HR)


def _uuid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise InvalidInput("Cette adresse ne désigne rien de connu.") from None


def nearby(siren: str | None, near: str) -> list[tuple[str, str]]:
    """The filters of « près de chez moi », from where the collectivité acted for is."""
    if siren is None or near == "partout":
        return []
    geo = load_geography()
    if siren in geo.epcis:
        return [("epci", siren)] if near == "epci" else []
    try:
        commune = geo.commune_by_siren(siren)
    except UnknownCollectiviteError:
        return []
    if near == "epci" and commune.epci_siren:
        return [("epci", commune.epci_siren)]
    if near == "departement":
        return [("departement", commune.departement)]
    return []


def _not_party(page: Page, what: str) -> Response:
    return page.message(
        what,
        "Seuls les élus et les ressources humaines d'une collectivité, adhésion validée, "
        "publient et demandent des prêts : choisissez cette adhésion dans « Mes "
        "collectivités ».",
        status=403,
        error=True,
        link={"href": "/adhesions", "text": "Mes collectivités"},
    )


@router.get("/competences")
async def browse(
    page: PageDep,
    theme: str = "",
    pres: str = "partout",
    modalite: str = "",
    du: str = "",
    au: str = "",
) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    acting = page.me.acting.siren if page.me.acting is not None else None
    chosen = {"theme": theme, "pres": pres, "modalite": modalite, "du": du, "au": au}
    params: list[tuple[str, str]] = []
    error = ""
    offers: list[dict[str, Any]] = []
    try:
        if theme:
            if theme not in THEMES:
                raise InvalidInput("Choisissez un thème de la liste.")
            params.append(("theme", theme))
        params.extend(nearby(acting, pres if pres in NEAR else "partout"))
        for name, value in (("start", du), ("end", au)):
            if value:
                try:
                    date.fromisoformat(value)
                except ValueError:
                    raise InvalidInput("Indiquez les dates au format jj/mm/aaaa.") from None
                params.append((name, value))
        client = await lending_client(page)
        offers = await client.get("/v1/offers", params=params)
    except DomainError as exc:
        error = exc.message
    if modalite in MODALITIES and modalite != "either":
        offers = [o for o in offers if o["modality"] in (modalite, "either")]
    return page.render(
        "lending/browse.html",
        "Prêts de compétences entre collectivités",
        status=422 if error else 200,
        current="competences",
        chosen=chosen,
        themes=THEMES,
        near=NEAR,
        modalities=MODALITIES,
        offers=[o for o in offers if o.get("lender", {}).get("siren") != acting],
        error=error,
        party=party_of(page) is not None,
    )


async def _form_of(page: Page) -> tuple[dict[str, str], list[str]]:
    """The posted fields as typed, and the half-days of the week ticked."""
    form = await page.request.form()
    given = {k: str(v) for k, v in form.items() if k != "creneau"}
    return given, [str(v) for v in form.getlist("creneau")]


def _publish_form(
    page: Page,
    kind: str,
    given: dict[str, str],
    ticked: list[str],
    errors: dict[str, str],
    error: str = "",
    status: int = 200,
) -> Response:
    title = "Proposer une compétence" if kind == "offre" else "Exprimer un besoin"
    return page.render(
        f"lending/{'offer_form' if kind == 'offre' else 'request_form'}.html",
        title,
        status=status,
        current="competences",
        themes=THEMES,
        modalities=MODALITIES,
        reimbursements=REIMBURSEMENTS,
        visibilities=VISIBILITIES,
        half_days=HALF_DAYS,
        given=given,
        ticked=ticked,
        errors=errors,
        error=error,
    )


@router.get("/competences/proposer")
async def offer_page_form(page: PageDep) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    if party_of(page) is None:
        return _not_party(page, "Proposer une compétence")
    return _publish_form(page, "offre", {"visibilite": "visible", "modalite": "either"}, [], {})


@router.get("/competences/besoin")
async def request_page_form(page: PageDep) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    if party_of(page) is None:
        return _not_party(page, "Exprimer un besoin")
    return _publish_form(page, "besoin", {"modalite": "either"}, [], {})


async def _publish(page: Page, kind: str) -> Response:
    assert page.me is not None
    given, ticked = await _form_of(page)
    try:
        page.check_csrf(given.get("csrf"))
    except DomainError as exc:
        return failed(page, "Formulaire expiré", exc, "/competences")
    if party_of(page) is None:
        return _not_party(page, "Publier")
    read: Checked = (offer_body if kind == "offre" else request_body)(given, ticked, THEMES)
    if not read.ok:
        return _publish_form(page, kind, given, ticked, read.errors, status=422)
    try:
        client = await lending_client(page)
        path = "/v1/offers" if kind == "offre" else "/v1/requests"
        created = await client.post(path, read.body)
    except DomainError as exc:
        return _publish_form(page, kind, given, ticked, {}, exc.message, status=exc.status)
    if kind == "offre":
        return page.redirect(f"/competences/offres/{created['id']}?publiee=1")
    return page.redirect("/competences/publications?besoin=publie")


@router.post("/competences/proposer")
async def publish_offer(page: PageDep) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    return await _publish(page, "offre")


@router.post("/competences/besoin")
async def publish_request(page: PageDep) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    return await _publish(page, "besoin")


def _offer_page(
    page: Page,
    offer: dict[str, Any],
    *,
    given: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    error: str = "",
    notice: str = "",
    status: int = 200,
) -> Response:
    siren = party_of(page)
    lender = offer["lender"]["siren"]
    return page.render(
        "lending/offer.html",
        f"{offer['agent_role']} — {offer['theme_label']}",
        status=status,
        current="competences",
        offer=offer,
        status_label=OFFER_STATUS.get(offer["status"], offer["status"]),
        modality=MODALITIES.get(offer["modality"], offer["modality"]),
        visibility=VISIBILITIES.get(offer["visibility"], ""),
        own=siren is not None and siren == lender,
        may_ask=siren is not None
        and siren != lender
        and offer["status"] == "open"
        and not offer.get("hidden_reason"),
        modalities=MODALITIES,
        given=given
        or {
            "modalite": offer["modality"],
            "du": offer["period"]["start"],
            "au": offer["period"]["end"],
        },
        errors=errors or {},
        error=error,
        notice=notice,
    )


@router.get("/competences/offres/{offer_id}")
async def offer_page(
    page: PageDep, offer_id: str, publiee: str = "", retiree: str = ""
) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    try:
        client = await lending_client(page)
        offer = await client.get(f"/v1/offers/{_uuid(offer_id)}")
    except DomainError as exc:
        if exc.status == 404 or isinstance(exc, InvalidInput):
            return not_found(page)
        return failed(page, "Offre de compétence", exc, "/competences")
    notice = ""
    if publiee:
        notice = "Votre offre est publiée : les collectivités voisines peuvent la demander."
    elif retiree:
        notice = "Votre offre est retirée : elle n'est plus proposée."
    return _offer_page(page, offer, notice=notice)


@router.post("/competences/offres/{offer_id}/demande")
async def ask_for_loan(page: PageDep, offer_id: str) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    form = await page.request.form()
    given = {k: str(v) for k, v in form.items()}
    try:
        page.check_csrf(given.get("csrf"))
        client = await lending_client(page)
        offer = await client.get(f"/v1/offers/{_uuid(offer_id)}")
    except DomainError as exc:
        return failed(page, "Demander ce prêt", exc, f"/competences/offres/{offer_id}")
    if party_of(page) is None:
        return _not_party(page, "Demander ce prêt")
    read = loan_body(offer["id"], given)
    if not read.ok:
        return _offer_page(page, offer, given=given, errors=read.errors, status=422)
    try:
        loan = await client.post("/v1/loans", read.body)
    except DomainError as exc:
        return _offer_page(page, offer, given=given, error=exc.message, status=exc.status)
    return page.redirect(f"/prets/{loan['id']}?fait=demande")


async def _withdraw(page: Page, path: str, back: str) -> Response | None:
    """Withdraws an offer or a request; a page to show when it did not happen."""
    form = await page.request.form()
    given = {k: str(v) for k, v in form.items()}
    try:
        page.check_csrf(given.get("csrf"))
        read = reason_body(given)
        if not read.ok:
            raise InvalidInput("Indiquez le motif du retrait (au moins 3 caractères).")
        client = await lending_client(page)
        await client.post(path, read.body)
    except DomainError as exc:
        return failed(page, "Retrait impossible", exc, back)
    return None


@router.post("/competences/offres/{offer_id}/retrait")
async def withdraw_offer(page: PageDep, offer_id: str) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    back = f"/competences/offres/{offer_id}"
    try:
        path = f"/v1/offers/{_uuid(offer_id)}/withdraw"
    except DomainError:
        return not_found(page)
    refused = await _withdraw(page, path, back)
    return refused or page.redirect(f"{back}?retiree=1")


@router.post("/competences/besoins/{request_id}/retrait")
async def withdraw_request(page: PageDep, request_id: str) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    try:
        path = f"/v1/requests/{_uuid(request_id)}/withdraw"
    except DomainError:
        return not_found(page)
    refused = await _withdraw(page, path, "/competences/publications")
    return refused or page.redirect("/competences/publications?besoin=retire")


@router.get("/competences/publications")
async def my_publications(page: PageDep, besoin: str = "") -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    siren = party_of(page)
    if siren is None:
        return _not_party(page, "Les publications de ma collectivité")
    params = [("collectivite", siren), ("include_closed", "true")]
    try:
        client = await lending_client(page)
        offers = await client.get("/v1/offers", params=params)
        requests = await client.get("/v1/requests", params=params)
    except DomainError as exc:
        return failed(page, "Les publications de ma collectivité", exc, "/competences")
    notices = {
        "publie": "Votre besoin est publié : les propositions arriveront dans « Propositions "
        "pour vous ».",
        "retire": "Votre besoin est retiré.",
    }
    return page.render(
        "lending/publications.html",
        "Les publications de ma collectivité",
        current="competences",
        offers=offers,
        requests=requests,
        offer_status=OFFER_STATUS,
        request_status=REQUEST_STATUS,
        modalities=MODALITIES,
        notice=notices.get(besoin, ""),
    )


@router.get("/competences/propositions")
async def proposals(page: PageDep) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    if party_of(page) is None:
        return _not_party(page, "Propositions pour vous")
    try:
        client = await lending_client(page)
        found = await client.get("/v1/proposals")
    except DomainError as exc:
        return failed(page, "Propositions pour vous", exc, "/competences")
    return page.render(
        "lending/proposals.html",
        "Propositions pour vous",
        current="competences",
        proposals=found,
        kinds=PROPOSAL_KINDS,
        themes=THEMES,
    )


@router.post("/competences/propositions/{proposal_id}")
async def take_proposal(page: PageDep, proposal_id: str) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    form = await page.request.form()
    try:
        page.check_csrf(str(form.get("csrf") or ""))
        request_id = _uuid(str(form.get("request_id") or ""))
        client = await lending_client(page)
        loan = await client.post(
            f"/v1/proposals/{_uuid(proposal_id)}/loans", {"request_id": request_id}
        )
    except DomainError as exc:
        return failed(page, "Donner suite à la proposition", exc, "/competences/propositions")
    return page.redirect(f"/prets/{loan['id']}?fait=demande")
