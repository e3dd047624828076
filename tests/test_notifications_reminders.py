"""Reminders of sessions on the real broker, database and an SMTP capture, with a moved
clock: one per attendee at the lead time, re-armed when the session moves, none when it is
cancelled or the person erased, at most the one mail in flight re-sent after a crash, and
none once the session has started, however late the sender is."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from uuid import UUID, uuid4

import pytest
from platform_harness import Platform, RunningService
from test_notifications_e2e import (
    PARIS,
    idle_rounds,
    notifications_of,
    publish,
    register,
    session,
    smtp,
    start_notifications,
)

from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.events.people import PersonErasureRequested
from deformations_contracts.events.sessions import (
    SessionCancelled,
    SessionRescheduled,
    SessionScheduled,
)
from deformations_devtools.notifications.catchers import MailCatcher
from deformations_devtools.testing import wait_until
from deformations_notifications import jobs
from deformations_notifications.delivery.smtp import SmtpPool
from deformations_notifications.domain.outcome import AttemptResult

pytestmark = pytest.mark.integration
__all__ = ["smtp"]

MORNING = datetime(2026, 11, 26, 10, 0, tzinfo=PARIS)  # Thursday
START = datetime(2026, 11, 28, 14, 0, tzinfo=PARIS)  # Saturday 14:00
DUE = START - timedelta(hours=24)  # the default lead


def reminders(mails: list[EmailMessage]) -> list[EmailMessage]:
    return [m for m in mails if str(m["Subject"]).startswith("Rappel")]


def has_calendar(mail: EmailMessage) -> bool:
    return any(p.get_content_type() == "text/calendar" for p in mail.walk())


async def scheduled(platform: Platform, smtp: MailCatcher, person: str, start: datetime) -> UUID:
    session_id = uuid4()
    await publish(platform, session(SessionScheduled, session_id, [person], 0, start))
    await wait_until(lambda: len(smtp.received) >= 1, what="the invitation")
    return session_id


async def test_one_reminder_at_the_lead_time_with_the_session_link(
    platform: Platform, smtp: MailCatcher
) -> None:
    clock = ManualClock(MORNING)
    service = await start_notifications(platform, clock, smtp)
    person = f"elue-{uuid4().hex[:8]}"
    await register(service, person)
    session_id = await scheduled(platform, smtp, person, START)
    clock.set(DUE - timedelta(minutes=1))
    await idle_rounds(service)
    assert len(smtp.received) == 1  # not before its time

    clock.set(DUE)
    await wait_until(lambda: len(smtp.received) == 2, what="the reminder")
    clock.set(START + timedelta(hours=3))
    await idle_rounds(service, 5)
    assert len(smtp.received) == 2  # once
    [mail] = reminders(smtp.messages())
    assert mail["Subject"] == "Rappel : Café élus-techniciens, demain à 14 h"
    assert not has_calendar(mail)  # the invitation put it in the calendar already
    body = mail.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "Où : Salle du conseil, mairie de Crest" in text
    assert f"/seances/{session_id}" in text
    found = await notifications_of(service, person)
    assert {n["template"]: n["status"] for n in found} == {
        "session.scheduled": "sent",
        "session.reminder": "sent",
    }


async def test_a_moved_session_is_reminded_once_for_its_new_time(
    platform: Platform, smtp: MailCatcher
) -> None:
    clock = ManualClock(MORNING)
    service = await start_notifications(platform, clock, smtp)
    person = f"elue-{uuid4().hex[:8]}"
    await register(service, person)
    session_id = await scheduled(platform, smtp, person, START)
    moved = START + timedelta(days=1)
    await publish(platform, session(SessionRescheduled, session_id, [person], 1, moved))
    await wait_until(lambda: len(smtp.received) == 2, what="the new time")

    clock.set(DUE)  # the old reminder's time: superseded, nothing goes
    await idle_rounds(service)
    assert reminders(smtp.messages()) == []
    clock.set(moved - timedelta(hours=24))
    await wait_until(lambda: len(smtp.received) == 3, what="the reminder of the new time")
    clock.set(moved + timedelta(hours=1))
    await idle_rounds(service, 5)
    assert len(smtp.received) == 3
    [mail] = reminders(smtp.messages())
    body = mail.get_body(("plain",))
    assert body is not None
    assert "dimanche 29 novembre 2026" in body.get_content()


async def test_a_cancelled_session_is_not_reminded(platform: Platform, smtp: MailCatcher) -> None:
    clock = ManualClock(MORNING)
    service = await start_notifications(platform, clock, smtp)
    person = f"elue-{uuid4().hex[:8]}"
    await register(service, person)
    session_id = await scheduled(platform, smtp, person, START)
    await publish(platform, session(SessionCancelled, session_id, [person], 1, START))
    await wait_until(lambda: len(smtp.received) == 2, what="the cancellation")
    clock.set(DUE + timedelta(minutes=5))
    await idle_rounds(service, 5)
    assert reminders(smtp.messages()) == []
    assert len(smtp.received) == 2


async def test_erasure_removes_the_pending_reminder(platform: Platform, smtp: MailCatcher) -> None:
    clock = ManualClock(MORNING)
    service = await start_notifications(platform, clock, smtp)
    person = f"elue-{uuid4().hex[:8]}"
    await register(service, person)
    await scheduled(platform, smtp, person, START)
    pool = service.runtime.pool
    count = "SELECT count(*) FROM notifications WHERE recipient_id = $1 AND template = $2"
    assert await pool.fetchval(count, person, "session.reminder") == 1
    await publish(
        platform,
        PersonErasureRequested(person_id=person, requested_at=datetime.now(UTC)),
        source="portal",
    )

    async def erased() -> bool:
        return bool(await pool.fetchval(count, person, "session.reminder") == 0)

    await wait_until(erased, what="the erasure")
    clock.set(DUE)
    await idle_rounds(service, 5)
    assert len(smtp.received) == 1


class SenderKilled(Exception):
    pass


class AbortedAtTheReminder(SmtpPool):
    """Hands the second mail (the reminder) over, then dies before recording it sent."""

    handed = 0

    async def send(self, message: EmailMessage) -> AttemptResult:
        result = await super().send(message)
        type(self).handed += 1
        if type(self).handed == 2:
            raise SenderKilled("aborted between handing over and recording")
        return result


async def test_a_crash_while_reminding_resends_that_reminder_once_with_its_message_id(
    platform: Platform, smtp: MailCatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "SmtpPool", AbortedAtTheReminder)
    clock = ManualClock(MORNING)
    service = await start_notifications(platform, clock, smtp, smtp_connections=1)
    person = f"elue-{uuid4().hex[:8]}"
    await register(service, person)
    await scheduled(platform, smtp, person, START)
    clock.set(DUE)
    await wait_until(lambda: len(smtp.received) == 2, what="the reminder handed over")
    await idle_rounds(service)
    assert len(smtp.received) == 2  # in doubt: not re-sent while its sender may be at it

    lease = service.settings.sending_lease_s  # type: ignore[attr-defined]
    clock.advance(timedelta(seconds=lease + 1))
    await wait_until(lambda: len(smtp.received) == 3, what="the reminder in doubt, once more")
    clock.advance(timedelta(seconds=lease + 1))
    await idle_rounds(service, 5)
    assert len(smtp.received) == 3
    sent = reminders(smtp.messages())
    assert len(sent) == 2
    assert Counter(m["Message-ID"] for m in sent) == {sent[0]["Message-ID"]: 2}
    found = await notifications_of(service, person)
    assert {n["template"]: n["status"] for n in found}["session.reminder"] == "sent"


async def test_someone_who_turned_reminders_off_gets_none(
    platform: Platform, smtp: MailCatcher
) -> None:
    clock = ManualClock(MORNING)
    service = await start_notifications(platform, clock, smtp)
    person = f"elue-{uuid4().hex[:8]}"
    await register(service, person)
    await scheduled(platform, smtp, person, START)  # planned while she still wanted them
    assert (await register(service, person, reminders=False))["reminders"] is False
    assert (await register(service, person))["reminders"] is False  # left out: unchanged
    clock.set(DUE)
    await idle_rounds(service, 5)
    assert len(smtp.received) == 1
    found = await notifications_of(service, person)
    assert {n["template"]: n["skip_reason"] for n in found}["session.reminder"] == "muted"


async def reminder_row(service: RunningService, person: str) -> dict[str, Any]:
    found = await notifications_of(service, person)
    [row] = [n for n in found if n["template"] == "session.reminder"]
    return row


async def dropped(service: RunningService, person: str) -> bool:
    row = await reminder_row(service, person)
    return bool((row["status"], row["skip_reason"]) == ("skipped", "session_started"))


async def test_a_reminder_the_mail_server_held_back_past_the_start_is_dropped(
    platform: Platform, smtp: MailCatcher
) -> None:
    clock = ManualClock(MORNING)
    service = await start_notifications(platform, clock, smtp)
    person = f"elue-{uuid4().hex[:8]}"
    await register(service, person)
    await scheduled(platform, smtp, person, START)
    smtp.refuse_with = "451 4.3.0 Try again later"
    clock.set(DUE)

    async def refused() -> bool:
        return bool((await reminder_row(service, person))["attempts"] == 1)

    await wait_until(refused, what="the reminder refused at its time")
    # The server is back only once the session has started: the reminder goes no more.
    smtp.refuse_with = None
    clock.set(START + timedelta(minutes=10))
    await wait_until(lambda: dropped(service, person), what="the late reminder dropped")
    await idle_rounds(service, 5)
    assert smtp.refused == 1 and len(smtp.received) == 1  # the invitation only
    row = await reminder_row(service, person)
    assert row["status"] != "failed" and row["attempts"] == 1


async def test_a_reminder_whose_time_passed_while_the_sender_was_behind_is_dropped(
    platform: Platform, smtp: MailCatcher
) -> None:
    clock = ManualClock(MORNING)
    service = await start_notifications(platform, clock, smtp)
    person = f"elue-{uuid4().hex[:8]}"
    await register(service, person)
    await scheduled(platform, smtp, person, START)
    # No round of the sender from before the reminder's time until after the start.
    clock.set(START + timedelta(seconds=1))
    await wait_until(lambda: dropped(service, person), what="the late reminder dropped")
    await idle_rounds(service, 5)
    assert len(smtp.received) == 1
    assert (await reminder_row(service, person))["attempts"] == 0
