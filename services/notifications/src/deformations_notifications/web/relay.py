"""The « Répondre » and « Signaler » pages of relayed mails: a French form, then the
answer goes, or the conversation is reported to the operators."""

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from deformations_common.vocabulary.errors import DomainError
from deformations_notifications.api.deps import RuntimeDep
from deformations_notifications.api.relay import MessageBody
from deformations_notifications.domain.errors import RelayLimitReached, ReplyTokenExpired
from deformations_notifications.domain.relay import MAX_BODY, MAX_SUBJECT, resolve_reply_token
from deformations_notifications.service import relay
from deformations_notifications.service.uow import NotificationsUow
from deformations_notifications.web.pages import PagesDep

router = APIRouter(prefix="/v1/relay", tags=["relay"])


@router.get("/reply", response_class=HTMLResponse)
async def reply_page(token: str, runtime: RuntimeDep, pages: PagesDep) -> HTMLResponse:
    """A form, the address of nobody shown."""
    if resolve_reply_token(token, runtime.settings.secret()) is None:
        return pages.notice("Lien de réponse invalide", "Ce lien n'est pas valide.", 400)
    return pages.page("reply.html.j2", token=token, max_subject=MAX_SUBJECT, max_body=MAX_BODY)


@router.post("/reply", response_class=HTMLResponse)
async def reply_form(
    token: str, request: Request, runtime: RuntimeDep, pages: PagesDep
) -> HTMLResponse:
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    try:
        body = MessageBody(subject=form.get("subject", [""])[0], body=form.get("body", [""])[0])
    except ValidationError:
        return pages.notice("Réponse incomplète", "Il manque l'objet ou le message.", 422)
    try:
        async with runtime.begin(NotificationsUow) as uow:
            await relay.reply(uow, token, body.subject, body.body)
    except RelayLimitReached as exc:
        return pages.notice("Trop de messages", exc.message, 429)
    except ReplyTokenExpired as exc:
        return pages.notice("Lien de réponse expiré", exc.message, 410)
    except DomainError as exc:
        # A bad token or a conversation erased since the mail: a page, as a person clicked.
        return pages.notice("Réponse impossible", exc.message, exc.status)
    return pages.notice("Réponse envoyée", "Votre réponse a été transmise.")


REPORT_MIN, REPORT_MAX = 3, 1000


@router.get("/report", response_class=HTMLResponse)
async def report_page(token: str, runtime: RuntimeDep, pages: PagesDep) -> HTMLResponse:
    """Opening the link reports nothing: the form's button does."""
    if resolve_reply_token(token, runtime.settings.secret()) is None:
        return pages.notice("Lien de signalement invalide", "Ce lien n'est pas valide.", 400)
    return pages.page("report.html.j2", token=token, max_reason=REPORT_MAX)


@router.post("/report", response_class=HTMLResponse)
async def report_form(
    token: str, request: Request, runtime: RuntimeDep, pages: PagesDep
) -> HTMLResponse:
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    reason = " ".join(form.get("reason", [""])[0].split())
    if not REPORT_MIN <= len(reason) <= REPORT_MAX:
        return pages.page(
            "report.html.j2",
            status=422,
            token=token,
            max_reason=REPORT_MAX,
            error=f"Dites en quelques mots ce qui pose problème ({REPORT_MAX} caractères au plus).",
            reason=reason,
        )
    try:
        async with runtime.begin(NotificationsUow) as uow:
            await relay.report(uow, token, reason)
    except DomainError as exc:
        return pages.notice("Signalement impossible", exc.message, exc.status)
    return pages.notice(
        "Signalement transmis",
        "Merci : l'équipe de la plateforme va examiner cette conversation. Vous pouvez aussi "
        "ne plus répondre.",
    )
