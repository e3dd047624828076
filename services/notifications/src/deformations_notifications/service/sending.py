"""Sending what is due: e-mails on their own, digests, webhook deliveries.

Rows are claimed with ``FOR UPDATE SKIP LOCKED`` and leased to the sender for
``SENDING_LEASE_S``, so two replicas never send the same row. Each mail is then recorded as
'sending' with its stable Message-ID (committed) before it is handed to SMTP, and its outcome
recorded after: a sender that dies leaves at most the mails it was handing over in doubt,
and those go again once, with the same Message-ID. Rows claimed but not handed over are
simply claimed again when their lease ends. Within a batch the sends overlap (several SMTP
connections).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, Protocol
from uuid import NAMESPACE_URL, UUID, uuid5

from deformations_common.logging import get_logger
from deformations_notifications import metrics
from deformations_notifications.domain.outcome import AttemptResult, Outcome
from deformations_notifications.domain.planning import skip_reason
from deformations_notifications.domain.preferences import Channel, RecipientPreferences
from deformations_notifications.domain.reminders import (
    REMINDER,
    SESSION_STARTED,
    session_started,
    wants_reminders,
)
from deformations_notifications.domain.retry import DeliveryStatus, RetryPolicy
from deformations_notifications.rendering.compose import Composer
from deformations_notifications.service.deliveries import bounded, delivery_state
from deformations_notifications.service.uow import NotificationsUow

log = get_logger()
Row = Mapping[str, Any]
# Opens a unit of work (a transaction): sending spans several, one per step of each mail.
Begin = Callable[[], AbstractAsyncContextManager[NotificationsUow]]


class MailSender(Protocol):
    async def send(self, message: EmailMessage) -> AttemptResult: ...


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One e-mail of a batch: the rows it stands for (several for a digest) and its message."""

    rows: Sequence[Row]
    message: EmailMessage | None  # None: it could not be rendered
    error: str = ""

    @property
    def message_id(self) -> str:
        return message_id_of(self.rows, self.domain)

    @property
    def digest_id(self) -> UUID | None:
        return _digest_key(self.rows) if len(self.rows) > 1 else None

    domain: str = "localhost"


def _digest_key(rows: Sequence[Row]) -> UUID:
    return uuid5(NAMESPACE_URL, ",".join(sorted(str(r["id"]) for r in rows)))


def message_id_of(rows: Sequence[Row], domain: str) -> str:
    """Stable, from the notification ids: the same mail sent again keeps its Message-ID."""
    if len(rows) == 1:
        return f"<{rows[0]['id']}@{domain}>"
    return f"<digest-{_digest_key(rows)}@{domain}>"


def _still_wanted(
    row: Row, prefs: Mapping[str, RecipientPreferences]
) -> RecipientPreferences | str:
    """The recipient's preferences, or why the message must not go any more."""
    person = prefs.get(row["recipient_id"])
    family = row["event_type"].split(".", 1)[0]
    reason = skip_reason(person, Channel.EMAIL, family)
    if reason is not None or person is None:
        return reason.value if reason else "not_registered"
    if row["template"] == REMINDER and not wants_reminders(person):
        return "muted"
    return person


def _too_late(row: Row, now: datetime) -> bool:
    """A reminder whose session has started (held back by an outage, a backlog or
    retries): it would remind of something under way."""
    if row["template"] != REMINDER:
        return False
    return session_started(datetime.fromisoformat(row["payload"]["starts_at"]), now)


async def _skip_unwanted(
    uow: NotificationsUow, rows: Sequence[Row], prefs: Mapping[str, RecipientPreferences]
) -> list[tuple[Row, RecipientPreferences]]:
    wanted = []
    now = uow.now()
    for row in rows:
        if _too_late(row, now):
            log.info("notifications.reminder_after_start_dropped")
            await uow.notifications.mark_skipped([row["id"]], SESSION_STARTED)
            continue
        person = _still_wanted(row, prefs)
        if isinstance(person, str):
            await uow.notifications.mark_skipped([row["id"]], person)
        else:
            wanted.append((row, person))
    return wanted


def _render(
    composer: Composer,
    uow: NotificationsUow,
    rows: Sequence[Row],
    person: RecipientPreferences,
    *,
    digest: bool,
) -> Outgoing:
    now = uow.now()
    domain = uow.settings.mail_domain
    try:
        if digest:
            message = composer.digest(rows, person, now)
        else:
            message = composer.single(rows[0], person, now)
    except Exception as exc:  # a template bug: no retry will fix it
        return Outgoing(rows, None, f"rendering: {exc!r}"[:500], domain=domain)
    outgoing = Outgoing(rows, message, domain=domain)
    del message["Message-ID"]
    message["Message-ID"] = outgoing.message_id
    return outgoing


async def _record_mail(
    uow: NotificationsUow, item: Outgoing, result: AttemptResult, policy: RetryPolicy
) -> None:
    rows = item.rows
    ids = [r["id"] for r in rows]
    now = uow.now()
    metrics.ATTEMPTS.labels("email", result.outcome.value).inc(len(ids))
    if result.outcome is Outcome.DELIVERED:
        await uow.notifications.mark_sent(ids, now, item.digest_id)
        return
    state = delivery_state(max(rows, key=lambda r: r["attempts"])).record(result, now, policy)
    failed = state.status is DeliveryStatus.FAILED
    if failed:
        metrics.FAILED.labels("email").inc(len(ids))
        log.warning("notifications.email_failed", attempts=state.attempts, error=state.last_error)
    await uow.notifications.mark_attempt(
        ids,
        status="failed" if failed else "pending",
        attempts=state.attempts,
        next_attempt_at=state.next_attempt_at,
        error=state.last_error,
    )


async def _send_one(begin: Begin, item: Outgoing, smtp: MailSender, policy: RetryPolicy) -> None:
    if item.message is None:
        result = AttemptResult(Outcome.PERMANENT, item.error)
    else:
        # Committed before SMTP sees the mail: if this sender dies from here on, only this
        # mail is in doubt, and it goes again with the same Message-ID (see resend_in_doubt).
        async with begin() as uow:
            ids = [r["id"] for r in item.rows]
            # Checked again as SMTP is about to see it: a batch can take minutes to go.
            if all(_too_late(r, uow.now()) for r in item.rows):
                await uow.notifications.skip_unsent(ids, SESSION_STARTED)
                log.info("notifications.reminder_after_start_dropped")
                return
            if not await uow.notifications.hand_over(ids, uow.now(), item.message_id):
                return  # erased or handled elsewhere meanwhile
        result = await smtp.send(item.message)
    try:
        async with begin() as uow:
            await _record_mail(uow, item, result, policy)
    except Exception as exc:
        # Left 'sending': retried once, with the same Message-ID, after the lease.
        log.warning("notifications.email_not_recorded", error=repr(exc)[:300])


async def send_batch(
    begin: Begin, batch: Sequence[Outgoing], smtp: MailSender, policy: RetryPolicy, limit: int
) -> None:
    """Each mail handed over, sent and recorded on its own; several side by side."""
    calls = [lambda item=item: _send_one(begin, item, smtp, policy) for item in batch]
    await bounded(calls, limit)


def _lease(uow: NotificationsUow) -> datetime:
    return uow.now() + timedelta(seconds=uow.settings.sending_lease_s)


async def claim_due(uow: NotificationsUow, composer: Composer) -> tuple[list[Outgoing], int]:
    """The e-mails due on their own, leased to this sender and rendered; and how many rows
    were taken care of (skipped ones included)."""
    rows = await uow.notifications.claim_due(uow.now(), uow.settings.sender_batch_size, _lease(uow))
    prefs = await uow.recipients.preferences_of({r["recipient_id"] for r in rows})
    wanted = await _skip_unwanted(uow, rows, prefs)
    batch = [_render(composer, uow, [row], person, digest=False) for row, person in wanted]
    return batch, len(rows)


async def send_due(begin: Begin, smtp: MailSender, composer: Composer, policy: RetryPolicy) -> int:
    """The e-mails due on their own; returns how many rows were taken care of."""
    async with begin() as uow:
        batch, count = await claim_due(uow, composer)
        limit = uow.settings.smtp_connections
    await send_batch(begin, batch, smtp, policy, limit)
    return count


async def digest_recipients(uow: NotificationsUow, limit: int) -> list[str]:
    """People whose digest is due."""
    return await uow.notifications.digest_recipients(uow.now(), limit)


async def send_digest(
    begin: Begin,
    person_id: str,
    smtp: MailSender,
    composer: Composer,
    policy: RetryPolicy,
) -> int:
    """One person's due digest as one mail; returns how many rows it took care of."""
    async with begin() as uow:
        rows = await uow.notifications.claim_digest(person_id, uow.now(), _lease(uow))
        prefs = await uow.recipients.preferences_of([person_id])
        wanted = [row for row, _ in await _skip_unwanted(uow, rows, prefs)]
        batch = [_render(composer, uow, wanted, prefs[person_id], digest=True)] if wanted else []
    await send_batch(begin, batch, smtp, policy, 1)
    return len(rows)


async def claim_in_doubt(uow: NotificationsUow, composer: Composer) -> list[Outgoing]:
    """Mails a dead sender handed to SMTP without recording what became of them: each goes
    again once, with its Message-ID (receivers may drop the copy); never a third time."""
    before = uow.now() - timedelta(seconds=uow.settings.sending_lease_s)
    rows = await uow.notifications.in_doubt(before, uow.settings.sender_batch_size)
    mails: dict[str, list[Row]] = {}
    for row in rows:
        mails.setdefault(row["message_id"], []).append(row)
    prefs = await uow.recipients.preferences_of({r["recipient_id"] for r in rows})
    batch = []
    for message_id, group in mails.items():
        if max(r["handovers"] for r in group) >= 2:
            await uow.notifications.mark_attempt(
                [r["id"] for r in group],
                status="failed",
                attempts=max(r["attempts"] for r in group) + 1,
                next_attempt_at=None,
                error="interrupted twice while sending: not sent a third time",
            )
            continue
        wanted = await _skip_unwanted(uow, group, prefs)
        if not wanted:
            continue
        digest = any(r["batched"] for r in group)
        item = _render(composer, uow, [r for r, _ in wanted], wanted[0][1], digest=digest)
        if item.message is not None and item.message_id != message_id:
            continue  # the mail in doubt was a digest of other rows: leave no surprise
        batch.append(item)
    return batch


async def resend_in_doubt(
    begin: Begin, smtp: MailSender, composer: Composer, policy: RetryPolicy
) -> int:
    async with begin() as uow:
        batch = await claim_in_doubt(uow, composer)
        limit = uow.settings.smtp_connections
    await send_batch(begin, batch, smtp, policy, limit)
    return len(batch)


async def refresh_family_labels(uow: NotificationsUow, composer: Composer) -> None:
    """The composer names diagnosis families as diagnosis last labelled them."""
    composer.family_labels = await uow.read_models.family_labels()
