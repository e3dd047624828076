"""The operators' questionnaire versions: upload a version's YAML (a file or pasted text),
preview it as the quiz shows it, publish it after confirming. Diagnosis checks and keeps
the versions (its operator API); each upload and publication is journaled here."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from deformations_common.vocabulary.errors import DomainError, InvalidInput
from deformations_portal.domain.memberships import Membership
from deformations_portal.domain.quiz import items_by_section
from deformations_portal.service import content
from deformations_portal.service.uow import PortalUow
from deformations_portal.web.context import Page, PageDep
from deformations_portal.web.diagnosis_client import diagnosis_client
from deformations_portal.web.operator_access import action_refused, operator_of

router = APIRouter(include_in_schema=False)

BASE = "/operateur/questionnaires"
API = "/v1/questionnaire-versions"
# As diagnosis's own bound on a questionnaire file (characters; UTF-8 takes up to 4 bytes).
MAX_SOURCE_CHARS = 80_000
MAX_SOURCE_BYTES = 4 * MAX_SOURCE_CHARS
_VERSION = re.compile(r"^[0-9]{4}-[0-9]{2}-v[0-9]+$")
_NOTICES = {
    "depose": "La version est déposée en brouillon : vérifiez l'aperçu avant de la publier.",
    "publie": "La version est publiée : les nouvelles réponses l'utilisent.",
}


def _render_list(
    page: Page,
    versions: list[dict[str, Any]],
    *,
    unavailable: str = "",
    source: str = "",
    problems: list[str] | None = None,
    notice: str = "",
) -> Response:
    return page.render(
        "operator/questionnaires.html",
        "Opérateur : questionnaires",
        status=422 if problems else 200,
        current="operateur",
        section="questionnaires",
        versions=versions,
        unavailable=unavailable,
        source=source,
        problems=problems or [],
        notice=notice,
    )


async def _versions(page: Page, acting: Membership) -> tuple[list[dict[str, Any]], str]:
    """The versions diagnosis knows, or the French reason it could not say."""
    try:
        listing = await (await diagnosis_client(page, acting)).get(API)
    except DomainError as error:
        return [], error.message
    return list(listing["versions"]), ""


@router.get(BASE)
async def versions(page: PageDep, notice: str = "") -> Response:
    acting = operator_of(page)
    if not isinstance(acting, Membership):
        return acting
    found, unavailable = await _versions(page, acting)
    return _render_list(page, found, unavailable=unavailable, notice=_NOTICES.get(notice, ""))


async def _posted_source(page: Page) -> tuple[str, str | None]:
    """The pasted text, or the chosen file's (which wins), and the csrf token."""
    form = await page.request.form()
    csrf = form.get("csrf")
    text = form.get("source")
    source = text if isinstance(text, str) else ""
    upload = form.get("fichier")
    if isinstance(upload, UploadFile) and upload.filename:
        raw = await upload.read(MAX_SOURCE_BYTES + 1)
        if len(raw) > MAX_SOURCE_BYTES:
            raise InvalidInput("Le fichier est trop grand pour un questionnaire.")
        try:
            source = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput("Le fichier doit être un texte encodé en UTF-8.") from None
    return source, csrf if isinstance(csrf, str) else None


@router.post(BASE)
async def upload(page: PageDep) -> Response:
    acting = operator_of(page)
    if not isinstance(acting, Membership):
        return acting
    source = ""
    try:
        source, csrf = await _posted_source(page)
    except DomainError as error:
        found, unavailable = await _versions(page, acting)
        return _render_list(page, found, unavailable=unavailable, problems=[error.message])
    try:
        page.check_csrf(csrf)
    except DomainError as error:
        return action_refused(page, error, BASE, "Revenir aux questionnaires")
    try:
        if not source.strip():
            raise InvalidInput("Choisissez un fichier ou collez le contenu du questionnaire.")
        if len(source) > MAX_SOURCE_CHARS:
            raise InvalidInput(f"Le fichier dépasse {MAX_SOURCE_CHARS} caractères.")
        uploaded = await (await diagnosis_client(page, acting)).post(API, {"source": source})
        async with page.runtime.begin(PortalUow) as uow:
            await content.record_questionnaire(
                uow, acting.person_id, uploaded["version"], published=False
            )
    except DomainError as error:
        problems = error.details.get("problems") or [error.message]
        found, unavailable = await _versions(page, acting)
        return _render_list(
            page, found, unavailable=unavailable, source=source, problems=list(problems)
        )
    return page.redirect(f"{BASE}/{uploaded['version']}?notice=depose")


async def _preview(
    page: Page, acting: Membership, version: str, *, error: str = "", notice: str = ""
) -> Response:
    if not _VERSION.match(version):
        return page.message("Version inconnue", "Cette version n'existe pas.", status=404)
    try:
        shown = await (await diagnosis_client(page, acting)).get(f"{API}/{version}")
    except DomainError as refused:
        return page.message(
            "Version indisponible",
            refused.message,
            status=refused.status,
            error=True,
            link={"href": BASE, "text": "Revenir aux questionnaires"},
        )
    questionnaire = shown["questionnaire"]
    return page.render(
        "operator/questionnaire.html",
        f"Opérateur : questionnaire {version}",
        status=422 if error else 200,
        current="operateur",
        section="questionnaires",
        v=shown,
        questionnaire=questionnaire,
        sections=items_by_section(questionnaire),
        answers={},
        item_errors={},
        error=error,
        notice=notice,
    )


@router.get(BASE + "/{version}")
async def preview(page: PageDep, version: str, notice: str = "") -> Response:
    acting = operator_of(page)
    if not isinstance(acting, Membership):
        return acting
    return await _preview(page, acting, version, notice=_NOTICES.get(notice, ""))


@router.post(BASE + "/{version}/publier")
async def publish(page: PageDep, version: str) -> Response:
    acting = operator_of(page)
    if not isinstance(acting, Membership):
        return acting
    form = await page.request.form()
    csrf = form.get("csrf")
    try:
        page.check_csrf(csrf if isinstance(csrf, str) else None)
    except DomainError as error:
        return action_refused(page, error, BASE, "Revenir aux questionnaires")
    try:
        if form.get("confirmation") != "oui":
            raise InvalidInput("Cochez la confirmation pour publier cette version.")
        if not _VERSION.match(version):
            raise InvalidInput("Cette version n'existe pas.")
        await (await diagnosis_client(page, acting)).post(f"{API}/{version}/publish", {})
        async with page.runtime.begin(PortalUow) as uow:
            await content.record_questionnaire(uow, acting.person_id, version, published=True)
    except DomainError as error:
        return await _preview(page, acting, version, error=error.message)
    return page.redirect(f"{BASE}?notice=publie")
