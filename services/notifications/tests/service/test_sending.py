"""Sending what is due, over the fake unit of work and a fake mail sender: delivered,
retried later, skipped when no longer wanted, grouped into one digest."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from email.message import EmailMessage
from typing import Any
from uuid import uuid4

import pytest

from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.events.sessions import SessionScheduled
from deformations_contracts.registry import examples
from deformations_devtools.notifications.samples import SAMPLES
from deformations_notifications.domain.outcome import AttemptResult, Outcome
from deformations_notifications.domain.planning import IncomingEvent
from deformations_notifications.domain.preferences import (
    Consent,
    DigestFrequency,
    DigestSchedule,
    RecipientPreferences,
)
from deformations_notifications.domain.reminders import REMINDER, SESSION_STARTED
from deformations_notifications.rendering.compose import Composer
from deformations_notifications.service import sending
from deformations_notifications.service.recording import record_plan
from deformations_notifications.service.reminders import record_reminders
from deformations_notifications.settings import NotificationsSettings

from .conftest import MORNING
from .fakes import FakeUow


class FakeSmtp:
    """Answers ``outcomes`` one per message, then delivers; keeps what it was given."""

    def __init__(self, *outcomes: Outcome) -> None:
        self.outcomes = list(outcomes)
        self.sent: list[EmailMessage] = []

    async def send(self, message: EmailMessage) -> AttemptResult:
        self.sent.append(message)
        outcome = self.outcomes.pop(0) if self.outcomes else Outcome.DELIVERED
        return AttemptResult(outcome, "" if outcome is Outcome.DELIVERED else "451 later")


def relay_notice(n: int) -> IncomingEvent:
    payload = {**SAMPLES["relay.message"], "thread_id": f"t{n}", "reply_token": "tok"}
    return IncomingEvent("notifications.relay", f"m{n}", "relay.message.v1", MORNING, payload)


async def person(uow: FakeUow, **changes: object) -> RecipientPreferences:
    prefs = RecipientPreferences(
        "p", "p@example.org", quiet_hours=None, consent=Consent(MORNING, "ok")
    )
    prefs = replace(prefs, **changes)  # type: ignore[arg-type]
    await uow.recipients.save(prefs, MORNING)
    return prefs


async def test_a_due_mail_is_sent_and_marked_sent(uow: FakeUow) -> None:
    await person(uow)
    await record_plan(uow, relay_notice(1), {"p"}, MORNING)
    smtp = FakeSmtp()
    done = await sending.send_due(
        uow.begin, smtp, Composer(uow.settings), uow.settings.retry_policy()
    )
    [row] = uow.notifications.of("p")
    assert done == 1 and (row["status"], row["sent_at"]) == ("sent", MORNING)
    assert [m["To"] for m in smtp.sent] == ["p@example.org"]


async def test_a_temporary_refusal_is_retried_later_not_now(
    uow: FakeUow, clock: ManualClock
) -> None:
    await person(uow)
    await record_plan(uow, relay_notice(1), {"p"}, MORNING)
    composer, policy = Composer(uow.settings), uow.settings.retry_policy()
    await sending.send_due(uow.begin, FakeSmtp(Outcome.TRANSIENT), composer, policy)
    [row] = uow.notifications.of("p")
    assert (row["status"], row["attempts"]) == ("pending", 1)
    assert row["next_attempt_at"] > MORNING
    smtp = FakeSmtp()
    assert await sending.send_due(uow.begin, smtp, composer, policy) == 0
    clock.set(row["next_attempt_at"])
    assert await sending.send_due(uow.begin, smtp, composer, policy) == 1
    assert row["status"] == "sent" and len(smtp.sent) == 1


async def test_a_mail_to_someone_who_unsubscribed_since_is_skipped(uow: FakeUow) -> None:
    await person(uow)
    await record_plan(uow, relay_notice(1), {"p"}, MORNING)
    await person(uow, unsubscribed_at=MORNING)
    smtp = FakeSmtp()
    await sending.send_due(uow.begin, smtp, Composer(uow.settings), uow.settings.retry_policy())
    [row] = uow.notifications.of("p")
    assert (row["status"], row["skip_reason"], smtp.sent) == ("skipped", "unsubscribed", [])


async def test_a_daily_digest_sends_everything_due_in_one_mail(
    uow: FakeUow, clock: ManualClock
) -> None:
    await person(uow, digest=DigestSchedule(DigestFrequency.DAILY))
    composer, policy = Composer(uow.settings), uow.settings.retry_policy()
    for n in range(3):
        data = {**examples("loan.cancelled.v1")[0], "loan_id": str(uuid4())}
        notice = IncomingEvent("lending", f"e{n}", "loan.cancelled.v1", MORNING, data)
        await record_plan(uow, notice, {"p"}, MORNING)
    assert await sending.digest_recipients(uow, 10) == []  # the slot is tomorrow at 8
    clock.advance(timedelta(days=1))
    assert await sending.digest_recipients(uow, 10) == ["p"]
    smtp = FakeSmtp()
    assert await sending.send_digest(uow.begin, "p", smtp, composer, policy) == 3
    assert len(smtp.sent) == 1
    assert {r["status"] for r in uow.notifications.of("p")} == {"sent"}
    assert len({r["digest_id"] for r in uow.notifications.of("p")}) == 1


class CrashAfterHandover(FakeSmtp):
    """Delivers, then dies before the outcome can be recorded, on the ``at``-th mail."""

    def __init__(self, at: int) -> None:
        super().__init__()
        self.at = at

    async def send(self, message: EmailMessage) -> AttemptResult:
        result = await super().send(message)
        if len(self.sent) == self.at:
            raise RuntimeError("sender killed")
        return result


async def test_a_crash_after_handover_leaves_only_that_mail_in_doubt(
    clock: ManualClock,
) -> None:
    uow = FakeUow(NotificationsSettings(smtp_connections=1), clock)
    await person(uow)
    for n in range(4):
        await record_plan(uow, relay_notice(n), {"p"}, MORNING)
    composer, policy = Composer(uow.settings), uow.settings.retry_policy()
    smtp = CrashAfterHandover(at=2)
    with pytest.raises(RuntimeError):
        await sending.send_due(uow.begin, smtp, composer, policy)
    statuses = sorted(r["status"] for r in uow.notifications.of("p"))
    assert statuses == ["sending", "sent", "sent", "sent"]  # the rest of the batch went on
    # In doubt only once its lease is over (its sender might still be at it).
    assert await sending.resend_in_doubt(uow.begin, smtp, composer, policy) == 0
    clock.advance(timedelta(seconds=uow.settings.sending_lease_s))
    assert await sending.resend_in_doubt(uow.begin, smtp, composer, policy) == 1
    await sending.send_due(uow.begin, smtp, composer, policy)
    ids = [m["Message-ID"] for m in smtp.sent]
    assert len(ids) == 5 and len(set(ids)) == 4  # the one in flight, twice, same Message-ID
    assert {r["status"] for r in uow.notifications.of("p")} == {"sent"}


async def test_a_mail_in_doubt_twice_is_not_sent_a_third_time(
    uow: FakeUow, clock: ManualClock
) -> None:
    await person(uow)
    await record_plan(uow, relay_notice(1), {"p"}, MORNING)
    composer, policy = Composer(uow.settings), uow.settings.retry_policy()
    smtp = CrashAfterHandover(at=1)
    with pytest.raises(RuntimeError):
        await sending.send_due(uow.begin, smtp, composer, policy)
    clock.advance(timedelta(seconds=uow.settings.sending_lease_s))
    smtp.at = 2
    with pytest.raises(RuntimeError):
        await sending.resend_in_doubt(uow.begin, smtp, composer, policy)
    clock.advance(timedelta(seconds=uow.settings.sending_lease_s))
    assert await sending.resend_in_doubt(uow.begin, smtp, composer, policy) == 0
    [row] = uow.notifications.of("p")
    assert row["status"] == "failed" and "interrupted twice" in row["last_error"]
    assert len(smtp.sent) == 2


START = MORNING + timedelta(days=2)  # its reminder is due a day before, at the default lead


async def reminder(uow: FakeUow) -> dict[str, Any]:
    """The reminder of a session starting at ``START``, planned for ``p``."""
    data = {
        **examples("session.scheduled.v1")[0],
        "participants": ["p"],
        "starts_at": START.isoformat(),
        "ends_at": (START + timedelta(hours=2)).isoformat(),
    }
    scheduled = SessionScheduled.model_validate(data)
    message = IncomingEvent(
        "matching", "s1", scheduled.routing_key, MORNING, scheduled.model_dump(mode="json")
    )
    await record_reminders(uow, scheduled, message, {"p"})
    [row] = [r for r in uow.notifications.of("p") if r["template"] == REMINDER]
    assert row["send_at"] == START - timedelta(hours=24)
    return row


@pytest.mark.parametrize(
    ("sender_back_at", "sent"),
    [
        (START - timedelta(minutes=1), True),
        (START, False),
        (START + timedelta(hours=3), False),
    ],
)
async def test_a_reminder_held_back_until_its_session_started_is_dropped(
    uow: FakeUow, clock: ManualClock, sender_back_at: Any, sent: bool
) -> None:
    await person(uow)
    row = await reminder(uow)
    clock.set(sender_back_at)  # the sender was down from before the reminder's time
    smtp = FakeSmtp()
    await sending.send_due(uow.begin, smtp, Composer(uow.settings), uow.settings.retry_policy())
    assert len(smtp.sent) == int(sent)
    if sent:
        assert row["status"] == "sent"
    else:
        # Not sent, not failed: dropped, and said why.
        assert (row["status"], row["skip_reason"], row["attempts"]) == (
            "skipped",
            SESSION_STARTED,
            0,
        )


async def test_a_reminder_refused_until_its_session_started_is_dropped_not_failed(
    uow: FakeUow, clock: ManualClock
) -> None:
    await person(uow)
    row = await reminder(uow)
    composer, policy = Composer(uow.settings), uow.settings.retry_policy()
    clock.set(row["send_at"])
    smtp = FakeSmtp(Outcome.TRANSIENT)
    await sending.send_due(uow.begin, smtp, composer, policy)
    assert (row["status"], row["attempts"]) == ("pending", 1)
    assert row["next_attempt_at"] < START
    clock.set(START + timedelta(minutes=5))  # the mail server refused until now
    await sending.send_due(uow.begin, smtp, composer, policy)
    assert len(smtp.sent) == 1  # the refused attempt only
    assert (row["status"], row["skip_reason"]) == ("skipped", SESSION_STARTED)


async def test_a_reminder_claimed_before_the_start_is_not_handed_over_after_it(
    uow: FakeUow, clock: ManualClock
) -> None:
    await person(uow)
    row = await reminder(uow)
    clock.set(START - timedelta(seconds=30))
    batch, claimed = await sending.claim_due(uow, Composer(uow.settings))
    assert claimed == 1 and len(batch) == 1
    clock.set(START)  # a slow batch: its turn comes once the session has started
    smtp = FakeSmtp()
    await sending.send_batch(uow.begin, batch, smtp, uow.settings.retry_policy(), 1)
    assert smtp.sent == []
    assert (row["status"], row["skip_reason"]) == ("skipped", SESSION_STARTED)
