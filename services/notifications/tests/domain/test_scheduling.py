from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deformations_notifications.domain.preferences import (
    Consent,
    DigestFrequency,
    DigestSchedule,
    QuietHours,
    RecipientPreferences,
)
from deformations_notifications.domain.scheduling import (
    end_of_quiet_hours,
    is_batched,
    next_digest_slot,
    send_time,
)

PARIS = ZoneInfo("Europe/Paris")


def prefs(
    frequency: DigestFrequency = DigestFrequency.IMMEDIATE,
    quiet: QuietHours | None = None,
    send_at: time = time(8, 0),
    weekday: int = 0,
) -> RecipientPreferences:
    return RecipientPreferences(
        person_id="p-1",
        email="elue@example.org",
        quiet_hours=quiet if quiet is not None else QuietHours(),
        digest=DigestSchedule(frequency=frequency, send_time=send_at, weekday=weekday),
        consent=Consent(given_at=datetime(2026, 1, 5, tzinfo=UTC), wording="J'accepte"),
    )


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def test_immediate_outside_quiet_hours_goes_now() -> None:
    now = paris(2026, 11, 26, 10, 15)
    assert send_time(now, prefs()) == now


def test_evening_message_waits_for_seven_next_morning() -> None:
    now = paris(2026, 11, 26, 22, 30)
    assert send_time(now, prefs()) == paris(2026, 11, 27, 7, 0)


def test_early_morning_message_waits_until_seven_same_day() -> None:
    assert send_time(paris(2026, 11, 26, 5, 59), prefs()) == paris(2026, 11, 26, 7, 0)


def test_quiet_hours_edges() -> None:
    quiet = QuietHours()
    assert quiet.contains(paris(2026, 11, 26, 21, 0))
    assert not quiet.contains(paris(2026, 11, 26, 20, 59))
    assert not quiet.contains(paris(2026, 11, 26, 7, 0))
    assert quiet.contains(paris(2026, 11, 26, 6, 59))


def test_daytime_quiet_window_and_none() -> None:
    lunch = QuietHours(start=time(12, 0), end=time(14, 0))
    assert end_of_quiet_hours(paris(2026, 6, 1, 13, 0), lunch) == paris(2026, 6, 1, 14, 0)
    never = QuietHours(start=time(9, 0), end=time(9, 0))
    moment = paris(2026, 6, 1, 9, 0)
    assert end_of_quiet_hours(moment, never) == moment


def test_quiet_hours_follow_paris_time_across_dst() -> None:
    # 29 March 2026: clocks go from 2:00 to 3:00; 7:00 that day is 05:00 UTC, not 06:00.
    now = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)  # 00:00 Paris
    assert send_time(now, prefs()) == datetime(2026, 3, 29, 5, 0, tzinfo=UTC)


def test_daily_digest_goes_at_next_slot() -> None:
    p = prefs(DigestFrequency.DAILY, send_at=time(18, 0))
    assert send_time(paris(2026, 11, 26, 10, 0), p) == paris(2026, 11, 26, 18, 0)
    assert send_time(paris(2026, 11, 26, 18, 0), p) == paris(2026, 11, 27, 18, 0)


def test_weekly_digest_goes_on_chosen_weekday() -> None:
    p = prefs(DigestFrequency.WEEKLY, send_at=time(8, 0), weekday=0)  # Monday morning
    assert send_time(paris(2026, 11, 26, 10, 0), p) == paris(2026, 11, 30, 8, 0)


def test_digest_slot_inside_quiet_hours_is_deferred() -> None:
    p = prefs(DigestFrequency.DAILY, send_at=time(6, 0))
    assert send_time(paris(2026, 11, 26, 10, 0), p) == paris(2026, 11, 27, 7, 0)


def test_urgent_messages_skip_the_digest_but_not_quiet_hours() -> None:
    p = prefs(DigestFrequency.WEEKLY)
    assert not is_batched(p, digestible=False)
    assert is_batched(p)
    assert send_time(paris(2026, 11, 26, 23, 0), p, digestible=False) == paris(2026, 11, 27, 7)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        send_time(datetime(2026, 1, 1, 12, 0), prefs())


instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
quiet_windows = st.builds(
    QuietHours,
    start=st.integers(18, 23).map(lambda h: time(h, 0)),
    end=st.integers(5, 9).map(lambda h: time(h, 0)),
)
schedules = st.builds(
    DigestSchedule,
    frequency=st.sampled_from(DigestFrequency),
    send_time=st.integers(6, 20).map(lambda h: time(h, 30)),
    weekday=st.integers(0, 6),
)


@settings(max_examples=150, deadline=None)
@given(now=instants, quiet=quiet_windows, schedule=schedules, digestible=st.booleans())
def test_send_time_properties(
    now: datetime, quiet: QuietHours, schedule: DigestSchedule, digestible: bool
) -> None:
    p = prefs(schedule.frequency, quiet, schedule.send_time, schedule.weekday)
    at = send_time(now, p, digestible=digestible)
    assert at >= now
    assert not quiet.contains(at)
    assert at - now <= timedelta(days=8)
    if not is_batched(p, digestible=digestible):
        # Sent at once, or at the very first minute quiet hours allow.
        assert at == now or quiet.contains(at - timedelta(minutes=1))
    else:
        slot = next_digest_slot(now, p.digest, PARIS)
        assert slot > now
        assert at == end_of_quiet_hours(slot, quiet)
        local = slot.astimezone(PARIS)
        assert local.time() == schedule.send_time
        if schedule.frequency is DigestFrequency.WEEKLY:
            assert local.weekday() == schedule.weekday
