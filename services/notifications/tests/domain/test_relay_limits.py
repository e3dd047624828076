"""The contact relay's limits per sender (pure rules; the HTTP path is in tests/)."""

from deformations_notifications.domain.relay import RelayLimits, over_limit

LIMITS = RelayLimits(messages_per_hour=3, new_threads_per_day=2)


def test_below_both_limits_a_message_goes() -> None:
    assert over_limit(LIMITS, sent_last_hour=2, opened_last_day=1, new_thread=True) is None


def test_a_sender_at_the_hourly_limit_waits_an_hour() -> None:
    refusal = over_limit(LIMITS, sent_last_hour=3, opened_last_day=0, new_thread=False)
    assert refusal is not None and refusal.retry_after_s == 3_600
    assert "3 messages en une heure" in refusal.reason


def test_opening_conversations_has_its_own_daily_limit() -> None:
    refusal = over_limit(LIMITS, sent_last_hour=0, opened_last_day=2, new_thread=True)
    assert refusal is not None and refusal.retry_after_s == 86_400
    # Answering in a conversation already open is not opening one.
    assert over_limit(LIMITS, sent_last_hour=0, opened_last_day=2, new_thread=False) is None
