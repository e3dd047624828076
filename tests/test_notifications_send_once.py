"""Send once: a sender aborted between handing a mail to SMTP and recording it re-sends at
most that mail (with the same Message-ID), never its batch; on the real broker, database and
a real SMTP capture."""

from collections import Counter
from datetime import datetime, timedelta
from email.message import EmailMessage
from uuid import uuid4

import pytest
from platform_harness import Platform
from test_notifications_e2e import (
    PARIS,
    diagnosis_completed,
    idle_rounds,
    notifications_of,
    publish,
    register,
    smtp,
    start_notifications,
)

from deformations_common.vocabulary.clock import ManualClock
from deformations_devtools.notifications.catchers import MailCatcher
from deformations_devtools.testing import wait_until
from deformations_notifications import jobs
from deformations_notifications.delivery.smtp import SmtpPool
from deformations_notifications.domain.outcome import AttemptResult

pytestmark = pytest.mark.integration
__all__ = ["smtp"]  # the fixture, shared with the end-to-end tests

NIGHT = datetime(2026, 11, 26, 23, 0, tzinfo=PARIS)  # quiet hours: everything waits for 7:00
DAWN = datetime(2026, 11, 27, 7, 0, tzinfo=PARIS)


class SenderKilled(Exception):
    pass


class AbortedAfterHandover(SmtpPool):
    """Hands the ``at``-th mail to the SMTP server, then aborts before its outcome is known."""

    at = 3
    handed = 0

    async def send(self, message: EmailMessage) -> AttemptResult:
        result = await super().send(message)
        type(self).handed += 1
        if type(self).handed == self.at:
            raise SenderKilled("aborted between handing over and recording")
        return result


async def test_an_aborted_sender_resends_only_the_mail_in_flight(
    platform: Platform, smtp: MailCatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "SmtpPool", AbortedAfterHandover)
    clock = ManualClock(NIGHT)
    service = await start_notifications(platform, clock, smtp, smtp_connections=1)
    people = [f"elu-{uuid4().hex[:8]}" for _ in range(6)]
    for person in people:
        await register(service, person)
        await publish(platform, diagnosis_completed(person), source="diagnosis")

    async def recorded() -> bool:
        return all([await notifications_of(service, p) for p in people])

    await wait_until(recorded, what="six notifications waiting for the morning")
    clock.set(DAWN)  # one batch of six becomes due
    await wait_until(lambda: len(smtp.received) >= 6, what="the batch handed over")
    await idle_rounds(service)
    statuses = Counter([(await notifications_of(service, p))[0]["status"] for p in people])
    assert statuses == {"sent": 5, "sending": 1}
    assert len(smtp.received) == 6  # nothing re-sent while its sender may still be at it

    clock.advance(timedelta(seconds=service.settings.sending_lease_s + 1))  # type: ignore[attr-defined]
    await wait_until(lambda: len(smtp.received) == 7, what="the mail in doubt, once more")
    await idle_rounds(service, 5)
    assert len(smtp.received) == 7
    ids = Counter(m["Message-ID"] for m in smtp.messages())
    assert sorted(ids.values()) == [1, 1, 1, 1, 1, 2]  # only the one in flight, same id
    [twice] = [mid for mid, n in ids.items() if n == 2]
    assert [(await notifications_of(service, p))[0]["status"] for p in people] == ["sent"] * 6
    domain = service.settings.mail_domain  # type: ignore[attr-defined]
    assert twice.endswith(f"@{domain}>")
