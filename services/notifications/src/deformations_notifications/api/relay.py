"""Contact relay: write to a person by id without seeing their address; reply by token."""

import secrets
from datetime import datetime
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from deformations_common.auth import CurrentPrincipal, OptionalPrincipal
from deformations_common.db import Connection
from deformations_common.errors import Forbidden, NotFound, Unprocessable
from deformations_common.service import RuntimeDep
from deformations_notifications import handling
from deformations_notifications.api.deps import ClockDep, SettingsDep
from deformations_notifications.domain.planning import IncomingEvent
from deformations_notifications.domain.relay import (
    MAX_BODY,
    MAX_SUBJECT,
    RelayError,
    RelayThread,
    compose,
    resolve_reply_token,
)
from deformations_notifications.rendering.names import collectivite_name
from deformations_notifications.repositories import relay

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
    secret: bytes,
) -> Sent:
    try:
        message = compose(thread, sender, body.subject, body.body, now, secret)
    except RelayError as exc:
        raise Unprocessable(str(exc), code="invalid_relay_message") from exc
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
        await relay.open_thread(conn, thread, now)
        return await _send(
            conn, thread, principal.sub, _label(principal.authority), body, now, settings.secret()
        )


@router.post("/replies", status_code=201)
async def reply(
    body: ReplyBody,
    principal: OptionalPrincipal,
    runtime: RuntimeDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> Sent:
    """Answer with the token of a relayed message (its link or Reply-To address)."""
    route = resolve_reply_token(body.token, settings.secret())
    if route is None:
        raise Forbidden("Ce lien de réponse n'est pas valide.", code="invalid_reply_token")
    now = clock()
    async with runtime.transaction() as conn:
        thread = await relay.thread(conn, route.thread_id)
        if thread is None:
            raise NotFound("Cette conversation n'existe plus.", code="unknown_thread")
        replier = thread.replier(route.side)
        if principal is not None and principal.sub != replier:
            raise Forbidden("Ce lien de réponse appartient à quelqu'un d'autre.")
        label = "Votre correspondant·e sur (Dé)formations"
        return await _send(conn, thread, replier, label, body, now, settings.secret())
