from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from deformations_notifications.domain.audience import concerned
from deformations_notifications.domain.planning import IncomingEvent, SkipReason, plan
from deformations_notifications.domain.preferences import (
    Consent,
    DigestFrequency,
    DigestSchedule,
    RecipientPreferences,
)

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 26, 22, 0, tzinfo=PARIS)  # inside default quiet hours
CONSENT = Consent(given_at=datetime(2026, 1, 1, tzinfo=UTC), wording="J'accepte")


class FakeDirectory:
    def people_of(self, siren: str) -> Iterable[str]:
        return {"200000172": ["rh-evian", "elu-evian"], "217400019": ["elu-abondance"]}.get(
            siren, []
        )

    def members_of(self, team_id: str) -> Iterable[str]:
        return ["elu-1", "elu-2", "elu-3"] if team_id == "team-7" else []


def prefs(
    person: str, frequency: DigestFrequency = DigestFrequency.IMMEDIATE
) -> RecipientPreferences:
    return RecipientPreferences(
        person_id=person,
        email=f"{person}@example.org",
        digest=DigestSchedule(frequency=frequency, send_time=time(8, 0)),
        consent=CONSENT,
    )


def test_concerned_people_of_a_loan_are_both_collectivites_and_the_agent() -> None:
    data = {
        "loan_id": "l-3",
        "lender_siren": "200000172",
        "borrower_siren": "217400019",
        "agent_id": "agent-9",
    }
    assert concerned(data, FakeDirectory()) == {"rh-evian", "elu-evian", "elu-abondance", "agent-9"}


def test_concerned_people_of_sessions_teams_and_groups() -> None:
    d = FakeDirectory()
    assert concerned({"participants": [{"person_id": "a"}, {"person_id": "b"}]}, d) == {"a", "b"}
    assert concerned({"members": ["x", "y"]}, d) == {"x", "y"}
    assert concerned({"team_id": "team-7"}, d) == {"elu-1", "elu-2", "elu-3"}
    assert concerned({"person_id": "elu-5", "unrelated": "zzz"}, d) == {"elu-5"}
    assert concerned({}, d) == set()


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
