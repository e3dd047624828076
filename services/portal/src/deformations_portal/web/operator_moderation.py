"""The moderation queue of the back-office: the free text people post, across the services
that own it (matching's appels à pairs, lending's offers and requests), newest first; an
operator hides a text with a reason (its author, a person or a collectivité's people, is
told by the owning service's event) or shows it again. Every action goes to the journal."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import Response

from deformations_common.vocabulary.errors import DomainError, InvalidInput
from deformations_portal.domain import moderation as rules
from deformations_portal.domain.errors import ReasonRequired
from deformations_portal.domain.memberships import Membership
from deformations_portal.service import moderation
from deformations_portal.service.uow import PortalUow
from deformations_portal.web import notifications_client
from deformations_portal.web.context import Page, PageDep
from deformations_portal.web.lending_client import LENDING
from deformations_portal.web.matching_client import MATCHING
from deformations_portal.web.operator import _operator, operator_form
from deformations_portal.web.pages import CsrfField
from deformations_portal.web.service_client import Service, client_for

router = APIRouter(include_in_schema=False)

Field = Annotated[str, Form()]
QUEUE_SIZE = 100
_NOTICES = {
    "masque": "Le texte est masqué ; son auteur est prévenu par courriel.",
    "reaffiche": "Le texte est de nouveau visible.",
    "bloque": "L'expéditeur est bloqué : le relais refuse désormais ses messages.",
    "classe": "Le signalement est classé.",
}
REPORTS = "/v1/relay/reports"
BACK = "/operateur/moderation"


@dataclass(frozen=True)
class Source:
    """A kind of free text and where its owning service moderates it."""

    service: Service
    kind: str
    label: str  # « Appel à pairs »
    path: str  # the operator API of the owning service
    id_key: str  # the text's id in that API's answers

    def item(self, row: dict[str, Any]) -> dict[str, Any]:
        """A row of the owning service as the queue shows it: written by a person (an
        appel à pairs), else published by a collectivité (an offer, a request)."""
        collectivite = row.get("collectivite") or {}
        return {
            **row,
            "service": self.service.name,
            "kind_label": self.label,
            "content_id": row[self.id_key],
            "person_id": row.get("person_id"),
            "siren": collectivite.get("siren"),
            "author": collectivite.get("name"),
        }


SOURCES = {
    (s.service.name, s.kind): s
    for s in (
        Source(
            MATCHING,
            "peer_call",
            "Appel à pairs",
            "/v1/operations/moderation/peer-calls",
            "call_id",
        ),
        Source(
            LENDING,
            "offer",
            "Offre de compétence",
            "/v1/operations/moderation/offers",
            "content_id",
        ),
        Source(
            LENDING,
            "request",
            "Demande de compétence",
            "/v1/operations/moderation/requests",
            "content_id",
        ),
    )
}


@dataclass
class Queue:
    items: list[dict[str, Any]]
    problems: list[str]
    # Abuse reports on the contact relay (notifications), oldest first.
    reports: list[dict[str, Any]]


async def _queue(page: Page, acting: Membership) -> Queue:
    items: list[dict[str, Any]] = []
    problems = []
    for source in SOURCES.values():
        client = await client_for(page, source.service, acting)
        try:
            found = await client.get(source.path, {"limit": QUEUE_SIZE})
        except DomainError as error:
            problems.append(f"{source.label} : {error.message}")
            continue
        items.extend(source.item(row) for row in found)
    reports: list[dict[str, Any]] = []
    try:
        reports = await (await notifications_client.as_operator(page, acting)).get(REPORTS)
    except DomainError as error:
        problems.append(f"Signalements du relais : {error.message}")
    people = [i["person_id"] for i in items if i["person_id"]]
    people += [p for r in reports for p in (r["reporter"], r["reported"])]
    async with page.runtime.begin(PortalUow) as uow:
        names = await moderation.authors(uow, acting.person_id, people)
    for item in items:
        if item["person_id"]:
            item["author"] = names[item["person_id"]]
    for report in reports:
        report["reporter_name"] = names[report["reporter"]]
        report["reported_name"] = names[report["reported"]]
    items.sort(key=lambda i: str(i["created_at"]), reverse=True)
    return Queue(items, problems, reports)


def _render(
    page: Page,
    queue: Queue,
    *,
    notice: str = "",
    failed: str = "",
    error: str = "",
    reason: str = "",
) -> Response:
    return page.render(
        "operator/moderation.html",
        "Opérateur : modération",
        status=422 if error else 200,
        current="operateur",
        section="moderation",
        queue=queue,
        notice=_NOTICES.get(notice, ""),
        failed=failed,
        error=error,
        reason=reason,
    )


@router.get("/operateur/moderation")
async def queue_page(page: PageDep, notice: str = "") -> Response:
    acting = _operator(page)
    if not isinstance(acting, Membership):
        return acting
    return _render(page, await _queue(page, acting), notice=notice)


async def _again(
    page: Page, acting: Membership, failed: str, error: ReasonRequired, reason: str
) -> Response:
    """The queue again, the error beside the field of the item concerned, the reason kept."""
    queue = await _queue(page, acting)
    return _render(page, queue, failed=failed, error=error.message, reason=reason)


@router.post("/operateur/moderation")
async def act(
    page: PageDep,
    service: Field = "",
    kind: Field = "",
    contenu: Field = "",
    action: Field = "",
    motif: Field = "",
    csrf: CsrfField = None,
) -> Response:
    hide = action == "masquer"

    async def step(acting: Membership) -> Response:
        source = SOURCES.get((service, kind))
        content_id = _uuid(contenu)
        if source is None or content_id is None:
            raise InvalidInput("Ce texte n'est pas connu du portail.")
        try:
            reason = rules.hide_reason(motif) if hide else None
        except ReasonRequired as error:
            return await _again(page, acting, contenu, error, motif)
        client = await client_for(page, source.service, acting)
        target = f"{source.path}/{content_id}/{'hide' if hide else 'show'}"
        done = source.item(await client.post(target, {"reason": reason} if hide else {}))
        async with page.runtime.begin(PortalUow) as uow:
            await moderation.record(
                uow,
                acting.person_id,
                f"{source.service.name}:{source.kind}:{content_id}",
                hidden=hide,
                reason=reason,
                siren=done["siren"],
            )
        return page.redirect(f"/operateur/moderation?notice={'masque' if hide else 'reaffiche'}")

    return await operator_form(page, csrf, step, title="Action impossible", back=BACK)


@router.post("/operateur/moderation/signalements")
async def handle_report(
    page: PageDep,
    signalement: Field = "",
    action: Field = "",
    motif: Field = "",
    csrf: CsrfField = None,
) -> Response:
    """Block the reported sender (with a reason) or dismiss the report."""
    block = action == "bloquer"

    async def step(acting: Membership) -> Response:
        report_id = _uuid(signalement)
        if report_id is None:
            raise InvalidInput("Ce signalement n'est pas connu.")
        try:
            reason = rules.block_reason(motif) if block else None
        except ReasonRequired as error:
            return await _again(page, acting, signalement, error, motif)
        client = await notifications_client.as_operator(page, acting)
        if block:
            done = await client.post(f"{REPORTS}/{report_id}/block", {"reason": reason})
            subject = f"notifications:relay:{done['blocked']}"
        else:
            await client.post(f"{REPORTS}/{report_id}/dismiss", {})
            subject = f"notifications:report:{report_id}"
        async with page.runtime.begin(PortalUow) as uow:
            await moderation.record_report(
                uow, acting.person_id, subject, blocked=block, reason=reason
            )
        return page.redirect(f"/operateur/moderation?notice={'bloque' if block else 'classe'}")

    return await operator_form(page, csrf, step, title="Action impossible", back=BACK)


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
