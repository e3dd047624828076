"""When a session's reminder goes: the lead time, quiet hours, never after the start."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from deformations_common.vocabulary.french import PARIS
from deformations_notifications.domain.preferences import QuietHours, RecipientPreferences
from deformations_notifications.domain.reminders import reminder_time, session_started, when_fr

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=PARIS)
DAY = timedelta(hours=24)


def prefs(
    quiet: QuietHours | None = None, muted: frozenset[str] = frozenset()
) -> RecipientPreferences:
    return RecipientPreferences("elu-1", "elu-1@example.org", quiet_hours=quiet, muted=muted)


def test_the_reminder_goes_the_lead_time_before_the_start() -> None:
    start = datetime(2026, 11, 28, 14, 0, tzinfo=PARIS)
    assert reminder_time(start, DAY, NOW, prefs()) == datetime(2026, 11, 27, 14, 0, tzinfo=PARIS)
    assert reminder_time(start, timedelta(hours=2), NOW, prefs()) == start - timedelta(hours=2)


def test_a_reminder_due_in_quiet_hours_waits_for_their_end() -> None:
    start = datetime(2026, 11, 28, 8, 30, tzinfo=PARIS)  # due 27th at 8:30, quiet until 9:00
    quiet = QuietHours(time(21, 0), time(9, 0))
    assert reminder_time(start, DAY, NOW, prefs(quiet)) == datetime(
        2026, 11, 27, 9, 0, tzinfo=PARIS
    )


def test_a_reminder_quiet_hours_would_push_past_the_start_is_not_sent() -> None:
    start = datetime(2026, 11, 28, 8, 0, tzinfo=PARIS)
    quiet = QuietHours(time(21, 0), time(9, 0))
    assert reminder_time(start, timedelta(hours=2), NOW, prefs(quiet)) is None


def test_no_reminder_for_a_session_too_close_or_past() -> None:
    soon = NOW + timedelta(hours=3)  # its time passed already: the invitation just went
    assert reminder_time(soon, DAY, NOW, prefs()) is None
    assert reminder_time(NOW - timedelta(hours=1), DAY, NOW, prefs()) is None


def test_a_reminder_is_too_late_from_its_session_start_on() -> None:
    start = datetime(2026, 11, 28, 14, 0, tzinfo=PARIS)
    assert not session_started(start, start - timedelta(seconds=1))
    assert session_started(start, start)
    assert session_started(start, start + timedelta(hours=2))
    # The same instant in another zone: the payload's offset is not the service's.
    assert session_started(start, datetime(2026, 11, 28, 13, 0, tzinfo=UTC))


def test_times_without_a_zone_are_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        reminder_time(datetime(2026, 11, 28, 14, 0), DAY, NOW, prefs())
    with pytest.raises(ValueError, match="time zone"):
        session_started(datetime(2026, 11, 28, 14, 0), NOW)


def test_the_subject_says_today_tomorrow_or_the_date_in_paris_time() -> None:
    assert when_fr(datetime(2026, 11, 26, 18, 0, tzinfo=PARIS), NOW) == "aujourd'hui à 18 h"
    assert when_fr(datetime(2026, 11, 27, 14, 30, tzinfo=PARIS), NOW) == "demain à 14 h 30"
    assert (
        when_fr(datetime(2026, 11, 29, 9, 0, tzinfo=PARIS), NOW)
        == "le dimanche 29 novembre 2026 à 9 h"
    )
