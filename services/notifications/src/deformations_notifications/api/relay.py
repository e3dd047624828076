"""Contact relay: write to a person by id without seeing their address; reply by token.

The « Répondre » page of the mails (``GET``/``POST /v1/relay/reply``) is in ``web/``.
"""

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from deformations_common.auth import CurrentPrincipal, OptionalPrincipal
from deformations_common.vocabulary.roles import Role
from deformations_notifications.api.deps import RuntimeDep
from deformations_notifications.domain.relay import MAX_BODY, MAX_SUBJECT
from deformations_notifications.service import relay
from deformations_notifications.service.uow import NotificationsUow

router = APIRouter(prefix="/v1/relay", tags=["relay"])


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


def _out(sent: relay.Sent) -> Sent:
    return Sent(thread_id=sent.thread_id, message_id=sent.message_id, sent_at=sent.sent_at)


@router.post("/messages", status_code=201)
async def write(body: NewThreadBody, principal: CurrentPrincipal, runtime: RuntimeDep) -> Sent:
    """Start a conversation with a person (a lender's HR, a peer of one's group)."""
    async with runtime.begin(NotificationsUow) as uow:
        sent = await relay.write(
            uow, principal.sub, principal.authority, body.to, body.subject, body.body
        )
    return _out(sent)


@router.post("/replies", status_code=201)
async def reply(body: ReplyBody, principal: OptionalPrincipal, runtime: RuntimeDep) -> Sent:
    """Answer with the token of a relayed message (its link or Reply-To address)."""
    signed_in = principal.sub if principal is not None else None
    async with runtime.begin(NotificationsUow) as uow:
        sent = await relay.reply(uow, body.token, body.subject, body.body, signed_in)
    return _out(sent)


@router.post("/inbound", status_code=201)
async def inbound(body: InboundBody, principal: CurrentPrincipal, runtime: RuntimeDep) -> Sent:
    """For the mail server's inbound hook: a reply sent to ``relais+<token>@MAIL_DOMAIN``."""
    principal.require(Role.OPERATOR)
    async with runtime.begin(NotificationsUow) as uow:
        sent = await relay.reply_by_mail(uow, body.to, body.subject, body.body)
    return _out(sent)
