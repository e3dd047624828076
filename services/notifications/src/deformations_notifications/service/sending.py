"""Sending what is due: e-mails on their own, digests, webhook deliveries.

Rows are claimed with ``FOR UPDATE SKIP LOCKED`` in the unit of work that records their
outcome, so two replicas never send the same row, and a replica that dies mid-send leaves
its rows to be sent again (at least once, never lost). Within a batch the sends overlap
(several SMTP connections, concurrent HTTP requests); outcomes are then recorded one by
one, each in its own savepoint.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol
from uuid import uuid4

from deformations_common.logging import get_logger
from deformations_notifications import metrics
from deformations_notifications.domain.outcome import AttemptResult, Outcome
from deformations_notifications.domain.planning import skip_reason
from deformations_notifications.domain.preferences import Channel, RecipientPreferences
from deformations_notifications.domain.retry import DeliveryStatus, RetryPolicy
from deformations_notifications.rendering.compose import Composer
from deformations_notifications.service.deliveries import bounded, delivery_state
from deformations_notifications.service.uow import NotificationsUow

log = get_logger()
Row = Mapping[str, Any]


class MailSender(Protocol):
    async def send(self, message: EmailMessage) -> AttemptResult: ...


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One e-mail of a batch: the rows it stands for (several for a digest) and its message."""

    rows: Sequence[Row]
    message: EmailMessage | None  # None: it could not be rendered
    error: str = ""


def _still_wanted(
    row: Row, prefs: Mapping[str, RecipientPreferences]
) -> RecipientPreferences | str:
    """The recipient's preferences, or why the message must not go any more."""
    person = prefs.get(row["recipient_id"])
    family = row["event_type"].split(".", 1)[0]
    reason = skip_reason(person, Channel.EMAIL, family)
    if reason is not None or person is None:
        return reason.value if reason else "not_registered"
    return person


async def _skip_unwanted(
    uow: NotificationsUow, rows: Sequence[Row], prefs: Mapping[str, RecipientPreferences]
) -> list[tuple[Row, RecipientPreferences]]:
    wanted = []
    for row in rows:
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
    try:
        if digest:
            return Outgoing(rows, composer.digest(rows, person, now))
        return Outgoing(rows, composer.single(rows[0], person, now))
    except Exception as exc:  # a template bug: no retry will fix it
        return Outgoing(rows, None, f"rendering: {exc!r}"[:500])


async def _record_mail(
    uow: NotificationsUow, rows: Sequence[Row], result: AttemptResult, policy: RetryPolicy
) -> None:
    ids = [r["id"] for r in rows]
    now = uow.now()
    metrics.ATTEMPTS.labels("email", result.outcome.value).inc(len(ids))
    if result.outcome is Outcome.DELIVERED:
        await uow.notifications.mark_sent(ids, now, uuid4() if len(ids) > 1 else None)
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


async def _send_and_record(
    uow: NotificationsUow, batch: Sequence[Outgoing], smtp: MailSender, policy: RetryPolicy
) -> None:
    async def send(item: Outgoing) -> AttemptResult:
        if item.message is None:
            return AttemptResult(Outcome.PERMANENT, item.error)
        return await smtp.send(item.message)

    calls = [lambda item=item: send(item) for item in batch]
    results = await bounded(calls, uow.settings.smtp_connections)
    for item, result in zip(batch, results, strict=True):
        try:
            # A savepoint per message: one that cannot be recorded spoils no other.
            async with uow.savepoint():
                await _record_mail(uow, item.rows, result, policy)
        except Exception as exc:
            log.warning("notifications.email_not_recorded", error=repr(exc)[:300])


async def send_due(
    uow: NotificationsUow, smtp: MailSender, composer: Composer, policy: RetryPolicy
) -> int:
    """The e-mails due on their own; returns how many rows were taken care of."""
    rows = await uow.notifications.claim_due(uow.now(), uow.settings.sender_batch_size)
    prefs = await uow.recipients.preferences_of({r["recipient_id"] for r in rows})
    wanted = await _skip_unwanted(uow, rows, prefs)
    batch = [_render(composer, uow, [row], person, digest=False) for row, person in wanted]
    await _send_and_record(uow, batch, smtp, policy)
    return len(rows)


async def digest_recipients(uow: NotificationsUow, limit: int) -> list[str]:
    """People whose digest is due."""
    return await uow.notifications.digest_recipients(uow.now(), limit)


async def send_digest(
    uow: NotificationsUow,
    person_id: str,
    smtp: MailSender,
    composer: Composer,
    policy: RetryPolicy,
) -> int:
    """One person's due digest as one mail; returns how many rows it took care of."""
    rows = await uow.notifications.claim_digest(person_id, uow.now())
    prefs = await uow.recipients.preferences_of([person_id])
    wanted = [row for row, _ in await _skip_unwanted(uow, rows, prefs)]
    if wanted:
        digest = _render(composer, uow, wanted, prefs[person_id], digest=True)
        await _send_and_record(uow, [digest], smtp, policy)
    return len(rows)


async def refresh_family_labels(uow: NotificationsUow, composer: Composer) -> None:
    """The composer names diagnosis families as diagnosis last labelled them."""
    composer.family_labels = await uow.read_models.family_labels()
