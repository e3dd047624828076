"""Contact relay: write to a person by id without seeing their address; reply by token."""

import secrets
from datetime import datetime
from html import escape
from urllib.parse import parse_qs
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from deformations_common.auth import CurrentPrincipal, OptionalPrincipal, Role
from deformations_common.db import Connection
from deformations_common.errors import Forbidden, NotFound, TooManyRequests, Unprocessable
from deformations_common.service import Runtime, RuntimeDep
from deformations_notifications import handling
from deformations_notifications.api.deps import ClockDep, SettingsDep
from deformations_notifications.api.pages import html_page
from deformations_notifications.domain.planning import IncomingEvent
from deformations_notifications.domain.relay import (
    MAX_BODY,
    MAX_SUBJECT,
    RelayError,
    RelayThread,
    compose,
    over_limit,
    resolve_reply_token,
    token_from_address,
)
from deformations_notifications.rendering.names import collectivite_name
from deformations_notifications.repositories import relay
from deformations_notifications.settings import NotificationsSettings

router = APIRouter(prefix="/v1/relay", tags=["relay"])
SOURCE = "notifications.relay"


class MessageBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: str = Field(min_length=1, max_length=MAX_SUBJECT)
    body: str = Field(min_length=1, max_length=MAX_BODY)


class NewThreadBody(MessageBody):
    to: str = Field(min_length=1, max_length=200, description="Person id of the recipient.")


class ReplyBody(MessageBody):
    token: str = Field(min_length=10, max_length=200)


class InboundBody(MessageBody):
    to: str = Field(min_length=3, max_length=320, description="relais+<token>@MAIL_DOMAIN")


class Sent(BaseModel):
    thread_id: str
    message_id: UUID
    sent_at: datetime


def _label(authority: str | None) -> str:
    if authority:
        return f"Une personne de {collectivite_name(authority)}"
    return "Une personne inscrite sur (Dé)formations"


async def _send(
    conn: Connection,
    thread: RelayThread,
    sender: str,
    sender_label: str,
    body: MessageBody,
    now: datetime,
    settings: NotificationsSettings,
    *,
    new_thread: bool = False,
) -> Sent:
    try:
        message = compose(thread, sender, body.subject, body.body, now, settings.secret())
    except RelayError as exc:
        raise Unprocessable(str(exc), code="invalid_relay_message") from exc
    sent_last_hour, opened_last_day = await relay.recent_activity(conn, sender, now)
    refusal = over_limit(
        settings.relay_limits(),
        sent_last_hour=sent_last_hour,
        opened_last_day=opened_last_day,
        new_thread=new_thread,
    )
    if refusal is not None:
        raise TooManyRequests(
            refusal.reason, retry_after_s=refusal.retry_after_s, code="relay_limit"
        )
    if new_thread:
        await relay.open_thread(conn, thread, now)
    message_id = await relay.add_message(conn, message)
    payload = {
        "thread_id": thread.id,
        "sender_label": sender_label,
        "subject": message.subject,
        "body": message.body,
        "reply_token": message.reply_token,
    }
    notice = IncomingEvent(SOURCE, str(message_id), "relay.message.v1", now, payload)
    await handling.record_plan(conn, notice, {message.recipient}, now)
    return Sent(thread_id=thread.id, message_id=message_id, sent_at=now)


@router.post("/messages", status_code=201)
async def write(
    body: NewThreadBody,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> Sent:
    """Start a conversation with a person (a lender's HR, a peer of one's group)."""
    now = clock()
    try:
        thread = RelayThread(secrets.token_urlsafe(12), principal.sub, body.to)
    except RelayError as exc:
        raise Unprocessable(str(exc), code="invalid_relay_message") from exc
    async with runtime.transaction() as conn:
        return await _send(
            conn,
            thread,
            principal.sub,
            _label(principal.authority),
            body,
            now,
            settings,
            new_thread=True,
        )


async def _reply(
    runtime: Runtime[NotificationsSettings],
    settings: NotificationsSettings,
    now: datetime,
    token: str,
    body: MessageBody,
    signed_in: str | None = None,
) -> Sent:
    route = resolve_reply_token(token, settings.secret())
    if route is None:
        raise Forbidden("Ce lien de réponse n'est pas valide.", code="invalid_reply_token")
    async with runtime.transaction() as conn:
        thread = await relay.thread(conn, route.thread_id)
        if thread is None:
            raise NotFound("Cette conversation n'existe plus.", code="unknown_thread")
        replier = thread.replier(route.side)
        if signed_in is not None and signed_in != replier:
            raise Forbidden("Ce lien de réponse appartient à quelqu'un d'autre.")
        label = "Votre correspondant·e sur (Dé)formations"
        return await _send(conn, thread, replier, label, body, now, settings)


@router.post("/replies", status_code=201)
async def reply(
    body: ReplyBody,
    principal: OptionalPrincipal,
    runtime: RuntimeDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> Sent:
    """Answer with the token of a relayed message (its link or Reply-To address)."""
    signed_in = principal.sub if principal is not None else None
    return await _reply(runtime, settings, clock(), body.token, body, signed_in)


@router.post("/inbound", status_code=201)
async def inbound(
    body: InboundBody,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> Sent:
    """For the mail server's inbound hook: a reply sent to ``relais+<token>@MAIL_DOMAIN``."""
    principal.require(Role.OPERATOR)
    token = token_from_address(body.to, settings.mail_domain)
    if token is None:
        raise Unprocessable("Cette adresse n'est pas une adresse du relais.", code="not_relay")
    return await _reply(runtime, settings, clock(), token, body)


@router.get("/reply", response_class=HTMLResponse)
async def reply_page(token: str, settings: SettingsDep) -> HTMLResponse:
    """The page of the « Répondre » link: a form, the address of nobody shown."""
    if resolve_reply_token(token, settings.secret()) is None:
        return html_page("Lien de réponse invalide", "<p>Ce lien n'est pas valide.</p>", 400)
    form = f"""<form method="post" action="?token={escape(token)}">
<p><label>Objet<br><input name="subject" required maxlength="{MAX_SUBJECT}" size="50"
value="Re : votre message"></label></p>
<p><label>Votre réponse<br><textarea name="body" required rows="10" cols="50"
maxlength="{MAX_BODY}"></textarea></label></p>
<p><button type="submit">Envoyer</button></p>
</form>
<p>Votre adresse reste confidentielle, comme celle de votre interlocuteur·rice.</p>"""
    return html_page("Répondre", form)


@router.post("/reply", response_class=HTMLResponse)
async def reply_form(
    token: str,
    request: Request,
    runtime: RuntimeDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> HTMLResponse:
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    try:
        body = MessageBody(subject=form.get("subject", [""])[0], body=form.get("body", [""])[0])
    except ValidationError:
        return html_page("Réponse incomplète", "<p>Il manque l'objet ou le message.</p>", 422)
    try:
        await _reply(runtime, settings, clock(), token, body)
    except TooManyRequests as exc:
        return html_page("Trop de messages", f"<p>{escape(exc.detail)}</p>", 429)
    return html_page("Réponse envoyée", "<p>Votre réponse a été transmise.</p>")
