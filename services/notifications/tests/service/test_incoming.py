"""Events of the catalogue → notifications and webhook deliveries, over the fake unit of work."""

from __future__ import annotations

import json
from datetime import time, timedelta
from typing import Any
from uuid import UUID, uuid4

from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.base import EventData
from deformations_contracts.cloudevents import CloudEventAttributes, event_type
from deformations_contracts.events.diagnosis import DiagnosisCompleted, DiagnosisTeamUpdated
from deformations_contracts.events.lending import LoanAgreed
from deformations_contracts.events.matching import MatchProposed
from deformations_contracts.events.people import PersonErasureRequested
from deformations_contracts.events.sessions import SessionKind, SessionRescheduled, SessionScheduled
from deformations_contracts.registry import EVENTS, examples
from deformations_notifications.domain.audience import audience_of
from deformations_notifications.domain.marks import MARKS_DUE
from deformations_notifications.domain.preferences import (
    Consent,
    DigestSchedule,
    QuietHours,
    RecipientPreferences,
)
from deformations_notifications.domain.webhooks import WebhookSubscription
from deformations_notifications.service import incoming, recipients

from .conftest import MORNING
from .fakes import FakeUow

LENDER, BORROWER = "212601082", "938438454"


def event(model: type[EventData], **changes: Any) -> Any:
    return model.model_validate({**examples(model.routing_key)[0], **changes})


def attributes(e: EventData, source: str = "lending", event_id: UUID | None = None) -> Any:
    return CloudEventAttributes(
        id=event_id or uuid4(), source=source, type=event_type(e.routing_key), time=MORNING
    )


async def registered(uow: FakeUow, person: str, *, quiet: bool = True) -> None:
    await uow.recipients.save(
        RecipientPreferences(
            person,
            f"{person}@example.org",
            quiet_hours=QuietHours(time(21, 0), time(7, 0)) if quiet else None,
            digest=DigestSchedule(),
            consent=Consent(MORNING, "ok"),
        ),
        MORNING,
    )


async def test_a_loan_tells_the_people_of_both_collectivites_and_waits_for_the_agent(
    uow: FakeUow,
) -> None:
    await registered(uow, "rh-crest")
    await uow.recipients.add_collectivite("rh-crest", LENDER)
    agreed = event(LoanAgreed, agent_person_id="agent-1")
    await incoming.handle_event(uow, agreed, attributes(agreed))
    [told] = uow.notifications.of("rh-crest")
    assert (told["status"], told["template"], told["send_at"]) == (
        "pending",
        "loan.agreed",
        MORNING,
    )
    [waiting] = uow.notifications.of("agent-1")
    assert (waiting["send_at"], waiting["skip_reason"]) == (None, "not_registered")
    assert uow.emitted == []


async def test_a_redelivered_event_records_nothing_twice(uow: FakeUow) -> None:
    await registered(uow, "agent-1")
    agreed = event(LoanAgreed, agent_person_id="agent-1")
    same = attributes(agreed)
    await incoming.handle_event(uow, agreed, same)
    await incoming.handle_event(uow, agreed, same)
    assert len(uow.notifications.of("agent-1")) == 1


async def test_quiet_hours_defer_with_the_unit_of_works_clock(
    uow: FakeUow, clock: ManualClock
) -> None:
    clock.set(MORNING.replace(hour=22))
    await registered(uow, "agent-1")
    agreed = event(LoanAgreed, agent_person_id="agent-1")
    await incoming.handle_event(uow, agreed, attributes(agreed))
    [deferred] = uow.notifications.of("agent-1")
    assert deferred["send_at"] == (MORNING + timedelta(days=1)).replace(hour=7)


async def test_webhooks_get_the_event_as_a_structured_cloud_event(uow: FakeUow) -> None:
    hook = WebhookSubscription(
        str(uuid4()), "https://hooks.example/x", "whsec_x", frozenset({"loan.*"})
    )
    other = WebhookSubscription(
        str(uuid4()), "https://hooks.example/y", "whsec_y", frozenset({"session.*"})
    )
    for subscription in (hook, other):
        await uow.webhooks.create(subscription, description="", created_by="op")
    agreed = event(LoanAgreed)
    await incoming.handle_event(uow, agreed, attributes(agreed))
    [(subscription_id, routing_key, body)] = uow.webhooks.deliveries_by_key.values()
    assert (subscription_id, routing_key) == (hook.id, "loan.agreed.v1")
    document = json.loads(body)
    assert document["type"] == "fr.deformations.loan.agreed.v1"
    assert document["data"]["loan_id"] == str(agreed.loan_id)


async def test_a_diagnosis_keeps_the_team_and_the_family_label(uow: FakeUow) -> None:
    campaign = uuid4()
    completed = event(
        DiagnosisCompleted,
        person_id="elu-1",
        campaign_id=str(campaign),
        family="pionnier",
        family_label="Les pionniers",
    )
    await incoming.handle_diagnosis_completed(uow, completed, attributes(completed, "diagnosis"))
    assert uow.recipients.members == {(str(campaign), "elu-1")}
    assert uow.read_models.labels == {"pionnier": "Les pionniers"}
    assert [n["template"] for n in uow.notifications.of("elu-1")] == ["diagnosis.completed"]


async def test_only_the_latest_team_result_goes(uow: FakeUow) -> None:
    campaign = str(uuid4())
    await uow.recipients.add_campaign_member(campaign, "elu-1")
    await registered(uow, "elu-1", quiet=False)
    older = event(DiagnosisTeamUpdated, campaign_id=campaign, response_count=7)
    newer = event(DiagnosisTeamUpdated, campaign_id=campaign, response_count=8)
    await incoming.handle_event(uow, newer, attributes(newer, "diagnosis"))
    late = attributes(older, "diagnosis").model_copy(update={"time": MORNING - timedelta(hours=1)})
    await incoming.handle_event(uow, older, late)
    statuses = sorted((n["occurred_at"], n["status"]) for n in uow.notifications.of("elu-1"))
    assert statuses == [(MORNING - timedelta(hours=1), "skipped"), (MORNING, "pending")]


async def test_an_invitation_older_than_one_seen_is_superseded(uow: FakeUow) -> None:
    await registered(uow, "elu-1")
    session_id = str(uuid4())
    moved = event(SessionRescheduled, session_id=session_id, participants=["elu-1"], sequence=1)
    first = event(SessionScheduled, session_id=session_id, participants=["elu-1"], sequence=0)
    await incoming.handle_event(uow, moved, attributes(moved, "lending"))
    await incoming.handle_event(uow, first, attributes(first, "lending"))
    by_template = {n["template"]: n for n in uow.notifications.of("elu-1")}
    assert by_template["session.rescheduled"]["status"] == "pending"
    assert (
        by_template["session.scheduled"]["status"],
        by_template["session.scheduled"]["skip_reason"],
    ) == (
        "skipped",
        "superseded",
    )


async def test_an_erasure_request_erases_and_is_forwarded_to_webhooks(uow: FakeUow) -> None:
    await registered(uow, "elu-1")
    agreed = event(LoanAgreed, agent_person_id="elu-1")
    await incoming.handle_event(uow, agreed, attributes(agreed))
    hook = WebhookSubscription(str(uuid4()), "https://hooks.example/x", "whsec_x", frozenset({"*"}))
    await uow.webhooks.create(hook, description="", created_by="op")
    erasure = event(PersonErasureRequested, person_id="elu-1")
    await incoming.handle_erasure_requested(uow, erasure, attributes(erasure, "people"))
    assert "elu-1" not in uow.recipients.people
    assert uow.notifications.of("elu-1") == []
    assert [t for _, t, _ in uow.webhooks.deliveries_by_key.values()] == [
        "person.erasure_requested.v1"
    ]


async def test_team_updates_mail_each_person_at_most_once_an_hour_the_latest_state(
    uow: FakeUow, clock: ManualClock
) -> None:
    campaign = str(uuid4())
    await uow.recipients.add_campaign_member(campaign, "elu-1")
    await registered(uow, "elu-1", quiet=False)

    async def update(count: int, minutes: int) -> None:
        clock.set(MORNING + timedelta(minutes=minutes))
        e = event(DiagnosisTeamUpdated, campaign_id=campaign, response_count=count)
        at = attributes(e, "diagnosis").model_copy(update={"time": clock.now})
        await incoming.handle_event(uow, e, at)

    await update(7, 0)
    [first] = uow.notifications.of("elu-1")
    assert first["send_at"] == MORNING  # the first one goes at once
    first.update(status="sent", sent_at=MORNING)
    await update(8, 10)
    await update(9, 20)
    rows = sorted(uow.notifications.of("elu-1"), key=lambda r: r["occurred_at"])
    assert [(r["payload"]["response_count"], r["status"]) for r in rows] == [
        (7, "sent"),
        (8, "skipped"),
        (9, "pending"),
    ]
    assert rows[2]["send_at"] == MORNING + timedelta(hours=1)  # an hour after the last mail


async def test_a_late_event_about_an_erased_person_notifies_nobody_again(uow: FakeUow) -> None:
    erasure = event(PersonErasureRequested, person_id="elu-1")
    await incoming.handle_erasure_requested(uow, erasure, attributes(erasure, "people"))
    await incoming.handle_erasure_requested(uow, erasure, attributes(erasure, "people"))
    assert await uow.erased_people.is_erased("elu-1")
    late = event(LoanAgreed, agent_person_id="elu-1")
    await incoming.handle_event(uow, late, attributes(late))
    assert uow.notifications.of("elu-1") == []
    control = event(LoanAgreed, agent_person_id="elu-3")
    await incoming.handle_event(uow, control, attributes(control))
    assert uow.notifications.of("elu-3") != []
    # Only an account's erasure leaves a tombstone, not removing one's contact details.
    await recipients.erase_person(uow, "elu-2")
    assert not await uow.erased_people.is_erased("elu-2")


TRAINING_KEYS = (
    "enrolment.confirmed.v1",
    "enrolment.waitlisted.v1",
    "enrolment.promoted.v1",
    "enrolment.cancelled.v1",
    "rebond.proposed.v1",
    "evaluation.due.v1",
    "programme.invited.v1",
    "programme.review_due.v1",
)


async def test_every_training_example_is_for_the_person_it_names(uow: FakeUow) -> None:
    for key in TRAINING_KEYS:
        for payload in examples(key):
            told = EVENTS[key].model_validate(payload)
            person = payload["person_id"]
            await registered(uow, person, quiet=False)
            await incoming.handle_event(uow, told, attributes(told, source="training"))
            rows = [r for r in uow.notifications.of(person) if r["template"] == key[:-3]]
            assert rows and {r["status"] for r in rows} == {"pending"}, key
    # The trainer of a rebond and the facilitator of a programme are told nothing.
    others = {
        p.get("trainer_id") or p.get("facilitator_id")
        for key in ("rebond.proposed.v1", "programme.invited.v1")
        for p in examples(key)
    } - {None}
    assert others
    for other in others:
        assert uow.notifications.of(str(other)) == []


async def test_events_put_people_in_contexts_for_the_relay(uow: FakeUow) -> None:
    agreed = event(LoanAgreed, agent_person_id="agent-1")
    await incoming.handle_event(uow, agreed, attributes(agreed))
    assert await uow.relay.share_a_context("agent-1", [], "rh", [agreed.lender_siren])
    assert await uow.relay.share_a_context("elu", [agreed.borrower_siren], "agent-1", [])
    assert not await uow.relay.share_a_context("agent-1", [], "rh", ["200040509"])
    # An erased person is not brought back into a context by a late event.
    erasure = event(PersonErasureRequested, person_id="elu-1")
    await incoming.handle_erasure_requested(uow, erasure, attributes(erasure, "people"))
    late = event(LoanAgreed, agent_person_id="elu-1", loan_id=uuid4())
    await incoming.handle_event(uow, late, attributes(late))
    assert not await uow.relay.share_a_context("elu-1", [], "rh", [late.lender_siren])


async def test_a_reminder_waits_for_registration_then_goes_the_lead_time_before(
    uow: FakeUow, clock: ManualClock
) -> None:
    start = MORNING + timedelta(days=3)
    soon = MORNING + timedelta(hours=30)  # its reminder is past by the time she registers
    for session_id, at in ((str(uuid4()), start), (str(uuid4()), soon)):
        scheduled = event(
            SessionScheduled,
            session_id=session_id,
            participants=["elu-1"],
            starts_at=at.isoformat(),
            ends_at=(at + timedelta(hours=2)).isoformat(),
        )
        await incoming.handle_event(uow, scheduled, attributes(scheduled))
    waiting = [n for n in uow.notifications.of("elu-1") if n["template"] == "session.reminder"]
    assert [(n["send_at"], n["skip_reason"]) for n in waiting] == [(None, "not_registered")] * 2
    clock.advance(timedelta(hours=8))
    await registered(uow, "elu-1")
    prefs = await uow.recipients.get("elu-1")
    assert prefs is not None
    await recipients.schedule_waiting(uow, prefs, uow.now())
    reminders = sorted(
        (n["send_at"] is None, n["status"], n["send_at"], n["skip_reason"])
        for n in uow.notifications.of("elu-1")
        if n["template"] == "session.reminder"
    )
    assert reminders == [
        (False, "pending", start - timedelta(hours=24), None),
        (True, "skipped", None, "reminder_not_due"),
    ]


async def test_a_speed_dating_evening_asks_its_participants_for_marks_when_it_ends(
    uow: FakeUow,
) -> None:
    for person in ("elu-1", "elu-2"):
        await registered(uow, person)
    ends = MORNING + timedelta(days=3, hours=9)  # 19:00 in Paris, before the quiet hours
    evening = event(
        SessionScheduled,
        kind=SessionKind.SPEED_DATING_ROUND,
        participants=["elu-1", "elu-2", "elu-3"],
        starts_at=(ends - timedelta(hours=1)).isoformat(),
        ends_at=ends.isoformat(),
    )
    await incoming.handle_event(uow, evening, attributes(evening, "matching"))
    for person in ("elu-1", "elu-2"):
        [asked] = [n for n in uow.notifications.of(person) if n["template"] == MARKS_DUE]
        assert (asked["status"], asked["send_at"]) == ("pending", ends)
    # Not registered: not asked later either.
    assert MARKS_DUE not in {n["template"] for n in uow.notifications.of("elu-3")}
    # Moved: the first evening's question is superseded, the new one is due at its end.
    moved = event(
        SessionRescheduled,
        kind=SessionKind.SPEED_DATING_ROUND,
        session_id=str(evening.session_id),
        related_id=str(evening.related_id),
        participants=["elu-1", "elu-2"],
        sequence=1,
        starts_at=(ends + timedelta(days=1, hours=2)).isoformat(),
        ends_at=(ends + timedelta(days=1, hours=3)).isoformat(),
        previous_starts_at=evening.starts_at.isoformat(),
    )
    await incoming.handle_event(uow, moved, attributes(moved, "matching"))
    asked = sorted(
        (n["status"], n["send_at"])
        for n in uow.notifications.of("elu-1")
        if n["template"] == MARKS_DUE
    )
    # 22:00 is inside her quiet hours: the question waits for the morning.
    morning_after = (ends + timedelta(days=2)).replace(hour=7, minute=0)
    assert asked == [("pending", morning_after), ("skipped", ends)]
    # Another kind of session asks nothing.
    cafe = event(SessionScheduled, participants=["elu-1"], session_id=str(uuid4()))
    await incoming.handle_event(uow, cafe, attributes(cafe, "matching"))
    assert len([n for n in uow.notifications.of("elu-1") if n["template"] == MARKS_DUE]) == 2


def test_a_rotation_mails_nobody_the_evenings_invitation_does() -> None:
    rotation = MatchProposed.model_validate(
        examples("match.proposed.v1")[0]
        | {
            "kind": "speed_dating_rotation",
            "members": ["a", "b"],
            "rounds": [{"number": 1, "pairings": [{"first": "a", "second": "b"}]}],
            "requests": [],
            "offer": None,
        }
    )
    assert audience_of(rotation).empty


async def test_a_replacement_in_a_peer_group_is_told_and_not_those_already_in(
    uow: FakeUow,
) -> None:
    members = ["elu-1", "elu-2", "elu-3", "elu-4"]
    for person in [*members, "elu-5"]:
        await registered(uow, person)
    call = str(uuid4())
    group = {
        "kind": "peer_group",
        "members": members,
        "peer_call_id": call,
        "requests": [],
        "offer": None,
    }
    first = event(MatchProposed, **group)
    await incoming.handle_event(uow, first, attributes(first, "matching"))
    # elu-4 left; elu-5 takes the place: the proposal names everyone still in.
    refill = event(
        MatchProposed, **{**group, "proposal_id": str(uuid4()), "members": [*members[:3], "elu-5"]}
    )
    await incoming.handle_event(uow, refill, attributes(refill, "matching"))
    told = {
        person: [n["payload"]["proposal_id"] for n in uow.notifications.of(person)]
        for person in [*members, "elu-5"]
    }
    assert told == {
        **{person: [str(first.proposal_id)] for person in members},
        "elu-5": [str(refill.proposal_id)],
    }
    # Another appel's group is news to the same people.
    other = event(
        MatchProposed, **{**group, "proposal_id": str(uuid4()), "peer_call_id": str(uuid4())}
    )
    await incoming.handle_event(uow, other, attributes(other, "matching"))
    assert len(uow.notifications.of("elu-1")) == 2


async def test_the_author_of_a_peer_group_is_told_it_is_formed_not_asked_to_answer(
    uow: FakeUow,
) -> None:
    members = ["elu-1", "elu-2", "elu-3", "elu-4"]
    for person in [*members, "elu-5"]:
        await registered(uow, person)
    group = {
        "kind": "peer_group",
        "members": members,
        "accepted": ["elu-1"],
        "peer_call_id": str(uuid4()),
        "requests": [],
        "offer": None,
    }
    formed = event(MatchProposed, **group)
    delivered = attributes(formed, "matching")
    await incoming.handle_event(uow, formed, delivered)
    await incoming.handle_event(uow, formed, delivered)  # redelivered
    templates = {p: [n["template"] for n in uow.notifications.of(p)] for p in members}
    assert templates == {
        "elu-1": ["match.group_formed"],
        **{person: ["match.proposed"] for person in members[1:]},
    }
    # elu-4 left, elu-5 takes the place: the author, told already, is not told again.
    refill = event(
        MatchProposed,
        **{
            **group,
            "proposal_id": str(uuid4()),
            "members": [*members[:3], "elu-5"],
            "accepted": members[:3],
        },
    )
    await incoming.handle_event(uow, refill, attributes(refill, "matching"))
    assert [n["template"] for n in uow.notifications.of("elu-1")] == ["match.group_formed"]
    assert [n["template"] for n in uow.notifications.of("elu-5")] == ["match.proposed"]
