"""Contact relay: write to a person by id without seeing their address; reply by token.

A relayed message is kept, then told to its recipient as a ``relay.message`` notification
(under their preferences); past the sender's limits nothing is kept.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from deformations_common.vocabulary.collectivites import collectivite_name, of
from deformations_notifications.domain.errors import (
    InvalidReplyToken,
    NoSharedContext,
    NotRelayAddress,
    NotYourReplyToken,
    RelayLimitReached,
    ReplyTokenExpired,
    SenderBlocked,
    UnknownReport,
    UnknownThread,
)
from deformations_notifications.domain.planning import IncomingEvent
from deformations_notifications.domain.relay import (
    RelayThread,
    compose,
    over_limit,
    reply_lapsed,
    resolve_reply_token,
    token_from_address,
)
from deformations_notifications.service.recording import record_plan
from deformations_notifications.service.uow import NotificationsUow

SOURCE = "notifications.relay"


@dataclass(frozen=True, slots=True)
class Sent:
    thread_id: str
    message_id: UUID
    sent_at: datetime


def sender_label(authority: str | None, platform_name: str) -> str:
    """How the recipient sees a first message's author: never by name nor address."""
    if authority:
        return f"Une personne {of(collectivite_name(authority))}"
    return f"Une personne inscrite sur {platform_name}"


def replier_label(platform_name: str) -> str:
    """How a reply's author is seen: the other side of the conversation, nameless."""
    return f"Votre correspondant·e sur {platform_name}"


async def _send(
    uow: NotificationsUow,
    thread: RelayThread,
    sender: str,
    label: str,
    subject: str,
    body: str,
    *,
    new_thread: bool = False,
) -> Sent:
    now, settings = uow.now(), uow.settings
    if await uow.relay.is_blocked(sender):
        raise SenderBlocked()
    message = compose(thread, sender, subject, body, now, settings.secret())
    sent_last_hour, opened_last_day = await uow.relay.recent_activity(sender, now)
    refusal = over_limit(
        settings.relay_limits(),
        sent_last_hour=sent_last_hour,
        opened_last_day=opened_last_day,
        new_thread=new_thread,
    )
    if refusal is not None:
        raise RelayLimitReached(refusal.reason, refusal.retry_after_s)
    if new_thread:
        await uow.relay.open_thread(thread, now)
    message_id = await uow.relay.add_message(message)
    payload = {
        "thread_id": thread.id,
        "sender_label": label,
        "subject": message.subject,
        "body": message.body,
        "reply_token": message.reply_token,
    }
    notice = IncomingEvent(SOURCE, str(message_id), "relay.message.v1", now, payload)
    await record_plan(uow, notice, {message.recipient}, now)
    return Sent(thread_id=thread.id, message_id=message_id, sent_at=now)


async def write(
    uow: NotificationsUow, sender: str, authority: str | None, to: str, subject: str, body: str
) -> Sent:
    """Start a conversation with a person (a lender's HR, a peer of one's group): only one
    the sender shares a context with (``domain.contexts``)."""
    thread = RelayThread(secrets.token_urlsafe(12), sender, to)
    sender_sirens = set(await uow.recipients.collectivites_of(sender))
    if authority:
        sender_sirens.add(authority)
    recipient_sirens = await uow.recipients.collectivites_of(to)
    if not await uow.relay.share_a_context(sender, sender_sirens, to, recipient_sirens):
        raise NoSharedContext()
    label = sender_label(authority, uow.settings.platform_name)
    return await _send(uow, thread, sender, label, subject, body, new_thread=True)


def reply_token_is_valid(uow: NotificationsUow, token: str) -> bool:
    return resolve_reply_token(token, uow.settings.secret()) is not None


async def reply(
    uow: NotificationsUow, token: str, subject: str, body: str, signed_in: str | None = None
) -> Sent:
    """Answer with the token of a relayed message (its link, form or Reply-To address)."""
    route = resolve_reply_token(token, uow.settings.secret())
    if route is None:
        raise InvalidReplyToken()
    thread = await uow.relay.thread(route.thread_id)
    if thread is None:
        raise UnknownThread()
    last = await uow.relay.last_message_at(thread.id)
    days = uow.settings.relay_reply_days
    if last is not None and reply_lapsed(last, uow.now(), days):
        raise ReplyTokenExpired(days)
    replier = thread.replier(route.side)
    if signed_in is not None and signed_in != replier:
        raise NotYourReplyToken()
    label = replier_label(uow.settings.platform_name)
    return await _send(uow, thread, replier, label, subject, body)


async def reply_by_mail(uow: NotificationsUow, to: str, subject: str, body: str) -> Sent:
    """A reply mailed to ``relais+<token>@MAIL_DOMAIN``, handed over by the mail server."""
    token = token_from_address(to, uow.settings.mail_domain)
    if token is None:
        raise NotRelayAddress()
    return await reply(uow, token, subject, body)


async def report(uow: NotificationsUow, token: str, reason: str) -> UUID:
    """The recipient of a relayed message reports the conversation (the token of its mail
    says who she is in it): the other side is reported to the operators."""
    route = resolve_reply_token(token, uow.settings.secret())
    if route is None:
        raise InvalidReplyToken()
    thread = await uow.relay.thread(route.thread_id)
    if thread is None:
        raise UnknownThread()
    reporter = thread.replier(route.side)
    reported = thread.other(reporter)
    return await uow.relay.add_report(thread.id, reporter, reported, reason, uow.now())


async def open_reports(uow: NotificationsUow, limit: int) -> list[dict[str, Any]]:
    return await uow.relay.open_reports(limit)


async def block_sender(uow: NotificationsUow, report_id: UUID, reason: str, by: str) -> str:
    """Block the sender a report is about; every open report on them is closed. Their
    messages are refused from now on. Returns the blocked person's id."""
    found = await uow.relay.report(report_id)
    if found is None or found["closed_at"] is not None:
        raise UnknownReport()
    await uow.relay.block(found["reported"], reason, by, uow.now())
    return str(found["reported"])


async def dismiss(uow: NotificationsUow, report_id: UUID) -> None:
    found = await uow.relay.report(report_id)
    if found is None or found["closed_at"] is not None:
        raise UnknownReport()
    await uow.relay.dismiss(report_id, uow.now())
