from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deformations_notifications.domain import tokens
from deformations_notifications.domain.relay import (
    RelayError,
    RelayThread,
    compose,
    reply_address,
    resolve_reply_token,
    token_from_address,
)
from deformations_notifications.domain.unsubscribe import (
    TokenStanding,
    UnsubscribeClaim,
    make_unsubscribe_token,
    standing,
    verify_unsubscribe_token,
)
from deformations_notifications.domain.webhooks import WebhookSubscription, subscribers_for

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
SECRET = b"test-secret-of-the-caller"


def sub(types: set[str], max_failures: int = 3) -> WebhookSubscription:
    return WebhookSubscription(
        id="s1",
        url="https://lms.region.example/hooks",
        secret="whsec_x",
        event_types=frozenset(types),
        max_consecutive_failures=max_failures,
    )


def test_subscription_filters_event_types() -> None:
    s = sub({"loan.agreed.v1", "session.*"})
    assert s.wants("loan.agreed.v1")
    assert s.wants("session.rescheduled.v1")
    assert not s.wants("loan.cancelled.v1")
    assert not s.wants("sessions.x.v1")
    assert sub({"*"}).wants("diagnosis.completed.v1")
    assert [x.id for x in subscribers_for("loan.agreed.v1", [s, sub({"match.*"})])] == ["s1"]


def test_subscription_pauses_after_consecutive_failures_and_resumes() -> None:
    s = sub({"*"}, max_failures=3)
    s = s.record_failure(NOW).record_failure(NOW).record_success().record_failure(NOW)
    assert s.active  # a success in between resets the count
    s = s.record_failure(NOW).record_failure(NOW)
    assert not s.active
    assert s.paused_at == NOW
    assert not s.wants("loan.agreed.v1")
    resumed = s.resume()
    assert resumed.active
    assert resumed.consecutive_failures == 0
    assert resumed.wants("loan.agreed.v1")


def test_subscription_validation() -> None:
    with pytest.raises(ValueError, match="http"):
        WebhookSubscription(id="x", url="ftp://a", secret="s", event_types=frozenset({"*"}))
    with pytest.raises(ValueError, match="at least one"):
        WebhookSubscription(id="x", url="https://a", secret="s", event_types=frozenset())


@settings(max_examples=100)
@given(payload=st.text(max_size=200), purpose=st.sampled_from(["a", "b"]))
def test_tokens_round_trip(payload: str, purpose: str) -> None:
    token = tokens.sign(purpose, payload, SECRET)
    assert tokens.verify(purpose, token, SECRET) == payload
    assert tokens.verify(purpose, token, b"another secret") is None
    assert tokens.verify("a" if purpose == "b" else "b", token, SECRET) is None


def test_tampered_tokens_are_refused() -> None:
    token = tokens.sign("p", "person-1", SECRET)
    body, mac = token.split(".")
    forged = tokens.sign("p", "person-2", SECRET).split(".")[0] + "." + mac
    assert tokens.verify("p", forged, SECRET) is None
    assert tokens.verify("p", body, SECRET) is None
    assert tokens.verify("p", "!!!.???", SECRET) is None
    with pytest.raises(ValueError, match="secret"):
        tokens.sign("p", "x", b"")


def test_unsubscribe_token() -> None:
    token = make_unsubscribe_token(UnsubscribeClaim("person-1", "match", issued_at=NOW), SECRET)
    assert verify_unsubscribe_token(token, SECRET) == UnsubscribeClaim(
        "person-1", "match", issued_at=NOW
    )
    assert verify_unsubscribe_token(token, b"wrong") is None
    relay_token = RelayThread("t1", "a", "b").reply_token("a", SECRET)
    assert verify_unsubscribe_token(relay_token, SECRET) is None


def test_relay_routes_replies_to_the_other_person() -> None:
    thread = RelayThread(id="3f9a0c1e5b7d4e2a9c8b", initiator="elu-1", counterpart="rh-2")
    msg = compose(thread, "elu-1", " Question ", "Bonjour !", NOW, SECRET)
    assert msg.recipient == "rh-2"
    assert msg.subject == "Question"
    route = resolve_reply_token(msg.reply_token, SECRET)
    assert route is not None
    assert route.thread_id == thread.id
    assert thread.replier(route.side) == "rh-2"
    answer = compose(thread, thread.replier(route.side), "Re", "Volontiers", NOW, SECRET)
    assert answer.recipient == "elu-1"


def test_relay_reply_address_fits_an_email_local_part() -> None:
    thread = RelayThread(id="x" * 24, initiator="elu-1", counterpart="rh-2")
    token = thread.reply_token("rh-2", SECRET)
    address = reply_address(token, "relais.deformations.example")
    local = address.split("@")[0]
    assert len(local) <= 64
    assert token_from_address(f"<{address}>", "RELAIS.deformations.example") == token
    assert token_from_address("relais+abc@evil.example", "relais.deformations.example") is None
    assert (
        token_from_address("someone@relais.deformations.example", "relais.deformations.example")
        is None
    )


def test_relay_refuses_outsiders_forgeries_and_empty_messages() -> None:
    thread = RelayThread(id="t1", initiator="elu-1", counterpart="rh-2")
    with pytest.raises(RelayError):
        compose(thread, "intrus", "x", "y", NOW, SECRET)
    with pytest.raises(RelayError):
        compose(thread, "elu-1", "x", "   ", NOW, SECRET)
    with pytest.raises(RelayError):
        compose(thread, "elu-1", "a\nBcc: x@y", "y", NOW, SECRET)
    with pytest.raises(RelayError):
        RelayThread(id="t2", initiator="same", counterpart="same")
    token = thread.reply_token("elu-1", SECRET)
    assert resolve_reply_token(token[:-2] + "AA", SECRET) is None
    assert resolve_reply_token(token, b"other") is None


def test_an_unsubscribe_token_lapses_after_its_lifetime_or_once_links_are_renewed() -> None:
    claim = verify_unsubscribe_token(
        make_unsubscribe_token(UnsubscribeClaim("p", issued_at=NOW), SECRET), SECRET
    )
    assert claim is not None and claim.issued_at == NOW
    year = timedelta(days=365)
    assert standing(claim, NOW + year - timedelta(seconds=1), year, None) is TokenStanding.VALID
    assert standing(claim, NOW + year, year, None) is TokenStanding.EXPIRED
    # Links renewed in the very second it was issued keep it (tokens carry whole seconds).
    same_second = NOW + timedelta(microseconds=500)
    assert standing(claim, NOW, year, same_second) is TokenStanding.VALID
    assert standing(claim, NOW, year, NOW + timedelta(seconds=1)) is TokenStanding.REVOKED


def test_a_first_version_unsubscribe_token_is_recognised_as_expired() -> None:
    old = tokens.sign("unsubscribe/v1", "p\nall", SECRET)
    claim = verify_unsubscribe_token(old, SECRET)
    assert claim is not None and claim.person_id == "p"
    assert standing(claim, NOW, timedelta(days=365), None) is TokenStanding.EXPIRED
