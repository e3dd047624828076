from __future__ import annotations

from datetime import UTC, datetime, time
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest

from deformations_contracts.events.diagnosis import DiagnosisCompleted, DiagnosisTeamUpdated
from deformations_contracts.events.lending import LoanAgreed
from deformations_contracts.events.moderation import ContentHidden
from deformations_contracts.events.sessions import SessionScheduled
from deformations_contracts.registry import examples
from deformations_notifications.domain.audience import (
    Audience,
    RoleHolders,
    audience_of,
    holders_among,
    team_membership,
)
from deformations_notifications.domain.planning import (
    IncomingEvent,
    SkipReason,
    plan,
    plan_webhooks,
)
from deformations_notifications.domain.preferences import (
    Consent,
    DigestFrequency,
    DigestSchedule,
    RecipientPreferences,
)
from deformations_notifications.domain.unsubscribe import UnsubscribeClaim, apply_unsubscribe
from deformations_notifications.domain.webhooks import WebhookSubscription

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 26, 22, 0, tzinfo=PARIS)  # inside default quiet hours
CONSENT = Consent(given_at=datetime(2026, 1, 1, tzinfo=UTC), wording="J'accepte")


def prefs(
    person: str, frequency: DigestFrequency = DigestFrequency.IMMEDIATE
) -> RecipientPreferences:
    return RecipientPreferences(
        person_id=person,
        email=f"{person}@example.org",
        digest=DigestSchedule(frequency=frequency, send_time=time(8, 0)),
        consent=CONSENT,
    )


def test_a_loan_concerns_both_collectivites_and_the_agent() -> None:
    event = LoanAgreed.model_validate(
        {
            "loan_id": str(uuid4()),
            "offer_id": str(uuid4()),
            "lender_siren": "200000172",
            "borrower_siren": "217400019",
            "agent_role": "technicien alimentation",
            "theme": "alimentation",
            "half_days_agreed": 4,
            "agent_person_id": "agent-9",
            "period": {"start": "2026-12-01", "end": "2027-01-31"},
            "modality": "on_site",
            "reimbursement_basis": "time_exchange",
            "agreed_at": "2026-11-26T10:00:00Z",
        }
    )
    assert audience_of(event) == Audience(
        people=frozenset({"agent-9"}), sirens=frozenset({"200000172", "217400019"})
    )


def diagnosis(person: str | None, campaign: UUID) -> DiagnosisCompleted:
    return DiagnosisCompleted.model_validate(
        {
            "response_id": str(uuid4()),
            "questionnaire_version": "2026.1",
            "person_id": person,
            "campaign_id": str(campaign),
            "family": "solidaires",
            "clear_cut": 0.5,
            "axis_scores": {"ecologie": 50.0},
            "availability": {"modality": "remote", "half_days_per_month": 1},
            "next_steps": [{"recipe_code": "t01_quiz", "format": "soiree", "label": "Module"}],
            "completed_at": "2026-11-26T09:00:00Z",
        }
    )


def test_sessions_teams_groups_and_anonymous_diagnoses() -> None:
    session = {
        "session_id": str(uuid4()),
        "kind": "peer_group",
        "related_id": str(uuid4()),
        "starts_at": "2026-12-01T17:00:00Z",
        "ends_at": "2026-12-01T19:00:00Z",
        "remote": True,
        "participants": ["a", "b"],
        "sequence": 0,
        "scheduled_at": "2026-11-26T10:00:00Z",
    }
    assert audience_of(SessionScheduled.model_validate(session)).people == {"a", "b"}
    campaign = uuid4()
    team = DiagnosisTeamUpdated.model_validate(
        {
            "campaign_id": str(campaign),
            "team_kind": "municipal_council",
            "collectivite_siren": "212601082",
            "questionnaire_version": "2026.1",
            "response_count": 3,
            "family_distribution": {"solidaires": 3},
            "axis_statistics": {"ecologie": {"mean": 50.0, "spread": 10.0}},
            "updated_at": "2026-11-26T09:00:00Z",
        }
    )
    assert audience_of(team) == Audience(campaigns=frozenset({str(campaign)}))
    anonymous = diagnosis(None, campaign)
    assert audience_of(anonymous).empty
    assert team_membership(anonymous) is None
    named = diagnosis("elu-5", campaign)
    assert team_membership(named) == (str(campaign), "elu-5")
    assert audience_of(named).people == {"elu-5"}


def test_plan_defers_digests_and_quiet_hours_and_skips_with_reasons() -> None:
    event = IncomingEvent(
        source="lending",
        id="evt-1",
        routing_key="loan.agreed.v1",
        occurred_at=NOW,
        data={"loan_id": "l-3"},
    )
    unsubscribed = prefs("gone").unsubscribe(NOW)
    no_consent = RecipientPreferences(person_id="nc", email="nc@example.org")
    preferences = {
        "now": prefs("now"),
        "weekly": prefs("weekly", DigestFrequency.WEEKLY),
        "gone": unsubscribed,
        "nc": no_consent,
    }
    planned, skipped = plan(
        event, ["weekly", "now", "gone", "nc", "stranger", "now"], preferences, NOW
    )
    by_person = {p.recipient: p for p in planned}
    assert set(by_person) == {"now", "weekly"}
    assert by_person["now"].send_at == datetime(2026, 11, 27, 7, 0, tzinfo=PARIS)
    assert not by_person["now"].batched
    assert by_person["weekly"].batched
    assert by_person["weekly"].send_at == datetime(2026, 11, 30, 8, 0, tzinfo=PARIS)
    assert by_person["now"].template == "loan.agreed"
    assert by_person["now"].item_key == "loan:l-3"
    assert {(s.recipient, s.reason) for s in skipped} == {
        ("gone", SkipReason.UNSUBSCRIBED),
        ("nc", SkipReason.NO_CONSENT),
        ("stranger", SkipReason.NOT_REGISTERED),
    }


def test_calendar_changes_are_never_batched() -> None:
    event = IncomingEvent("matching", "evt-2", "session.cancelled.v1", NOW, {"session_id": "s-1"})
    planned, _ = plan(event, ["weekly"], {"weekly": prefs("weekly", DigestFrequency.WEEKLY)}, NOW)
    assert not planned[0].batched
    assert planned[0].send_at == datetime(2026, 11, 27, 7, 0, tzinfo=PARIS)


def test_replanning_a_redelivered_event_gives_the_same_keys() -> None:
    event = IncomingEvent("lending", "evt-1", "loan.agreed.v1", NOW, {"loan_id": "l-3"})
    first, _ = plan(event, ["now"], {"now": prefs("now")}, NOW)
    again, _ = plan(event, ["now"], {"now": prefs("now")}, NOW.replace(hour=23))
    assert [p.dedup_key for p in first] == [p.dedup_key for p in again]
    assert IncomingEvent("x", "e", "a.b.v1", NOW).item_key == "event:x/e"


def test_scoped_unsubscribe_mutes_one_family_only() -> None:
    p = apply_unsubscribe(prefs("elu"), UnsubscribeClaim("elu", "match", issued_at=NOW), NOW)
    p = apply_unsubscribe(
        p, UnsubscribeClaim("elu", "match", issued_at=NOW), NOW
    )  # clients may POST twice
    match = IncomingEvent("matching", "e1", "match.proposed.v1", NOW, {})
    loan = IncomingEvent("lending", "e2", "loan.agreed.v1", NOW, {})
    planned, skipped = plan(match, ["elu"], {"elu": p}, NOW)
    assert planned == []
    assert skipped[0].reason is SkipReason.MUTED
    assert len(plan(loan, ["elu"], {"elu": p}, NOW)[0]) == 1
    gone = apply_unsubscribe(p, UnsubscribeClaim("elu", issued_at=NOW), NOW)
    assert plan(loan, ["elu"], {"elu": gone}, NOW)[1][0].reason is SkipReason.UNSUBSCRIBED


def test_unsubscribe_token_of_someone_else_is_refused() -> None:
    with pytest.raises(ValueError, match="someone else"):
        apply_unsubscribe(prefs("elu"), UnsubscribeClaim("other", issued_at=NOW), NOW)


def test_webhook_plan_follows_subscriptions() -> None:
    def sub(sid: str, types: set[str]) -> WebhookSubscription:
        return WebhookSubscription(sid, "https://crm.example/h", "whsec_x", frozenset(types))

    paused = WebhookSubscription(
        "s3", "https://crm.example/h", "whsec_x", frozenset({"*"}), paused_at=NOW
    )
    event = IncomingEvent("lending", "e9", "loan.agreed.v1", NOW, {})
    planned = plan_webhooks(event, [sub("s2", {"loan.*"}), sub("s1", {"match.*"}), paused])
    # A paused subscription gets its delivery recorded, held until it is resumed.
    assert [p.subscription_id for p in planned] == ["s2", "s3"]
    assert planned[0].dedup_key.channel.value == "webhook"
    assert planned[:1] == plan_webhooks(event, [sub("s2", {"loan.*"})])
    assert not paused.wants("loan.agreed.v1") and paused.matches("loan.agreed.v1")


def test_a_hidden_text_is_told_to_its_author_or_its_collectivite_only() -> None:
    call, offer = (ContentHidden.model_validate(e) for e in examples("content.hidden.v1"))
    assert audience_of(call) == Audience(people=frozenset({call.person_id or ""}))
    assert audience_of(offer) == Audience(sirens=frozenset({"212601082"}))


def test_the_holders_of_a_role_then_the_referents_then_nobody() -> None:
    wanted = RoleHolders("212601082", frozenset({"elected"}))
    members = {("elue", "elected"), ("rh", "hr"), ("sec", "secretary"), ("agent", "agent")}
    assert holders_among(wanted, members) == {"elue"}
    assert holders_among(wanted, members - {("elue", "elected")}) == {"rh", "sec"}
    assert holders_among(wanted, {("agent", "agent")}) == frozenset()
    assert not Audience(holders=wanted).empty
