"""Notifications end to end, on the real broker and database, with a real SMTP server:
an event published on RabbitMQ ends as a mail (its invitation parsed back), once, when and
how the person asked."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import aio_pika
import icalendar
import pytest
from platform_harness import Platform, RunningService

from deformations_common.codec import encode
from deformations_common.metrics import EVENTS_CONSUMED
from deformations_common.service import create_app
from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.base import EventData
from deformations_contracts.events.diagnosis import DiagnosisCompleted, DiagnosisTeamUpdated
from deformations_contracts.events.lending import LoanAgreed, LoanCompleted
from deformations_contracts.events.matching import MatchProposed
from deformations_contracts.events.people import PersonErasureRequested
from deformations_contracts.events.sessions import (
    SessionCancelled,
    SessionRescheduled,
    SessionScheduled,
)
from deformations_contracts.themes import label as theme_label
from deformations_devtools.notifications.catchers import MailCatcher
from deformations_devtools.notifications.tls import self_signed
from deformations_devtools.testing import running, wait_until
from deformations_notifications.app import definition
from deformations_notifications.jobs import Sender
from deformations_notifications.settings import NotificationsSettings

pytestmark = pytest.mark.integration

PARIS = ZoneInfo("Europe/Paris")
CREST = "212601082"  # commune of Crest (Drôme)
CRESTOIS = "200040509"  # its intercommunality
# Thursday 26 November 2026, 10:00 in Paris: outside the default quiet hours.
MORNING = datetime(2026, 11, 26, 10, 0, tzinfo=PARIS)


# ---- events -------------------------------------------------------------------------------


def diagnosis_completed(person: str, campaign: UUID | None = None) -> DiagnosisCompleted:
    return DiagnosisCompleted.model_validate(
        {
            "response_id": str(uuid4()),
            "questionnaire_version": "2026.1",
            "person_id": person,
            "campaign_id": str(campaign) if campaign else None,
            "family": "solidaires_de_terrain",
            "family_label": "Les solidaires de terrain",
            "clear_cut": 0.7,
            "axis_scores": {"ecologie": 60.0},
            "priority_themes": ["alimentation"],
            "availability": {"modality": "remote", "half_days_per_month": 2},
            "next_steps": [
                {"recipe_code": "t01_quiz", "format": "soiree", "label": "Un module en soirée"}
            ],
            "completed_at": "2026-11-26T09:00:00Z",
        }
    )


def team_updated(campaign: UUID) -> DiagnosisTeamUpdated:
    return DiagnosisTeamUpdated.model_validate(
        {
            "campaign_id": str(campaign),
            "team_kind": "municipal_council",
            "collectivite_siren": CREST,
            "questionnaire_version": "2026.1",
            "response_count": 3,
            "family_distribution": {"solidaires_de_terrain": 3},
            "axis_statistics": {"ecologie": {"mean": 50.0, "spread": 10.0}},
            "updated_at": "2026-11-26T09:00:00Z",
        }
    )


def loan(model: type[LoanAgreed | LoanCompleted], loan_id: UUID, agent: str) -> EventData:
    data: dict[str, Any] = {
        "loan_id": str(loan_id),
        "offer_id": str(uuid4()),
        "lender_siren": CREST,
        "borrower_siren": CRESTOIS,
        "agent_role": "Technicienne restauration collective",
        "theme": "alimentation",
        "half_days_agreed": 4,
        "agent_person_id": agent,
    }
    if model is LoanAgreed:
        data |= {
            "period": {"start": "2026-12-01", "end": "2027-01-31"},
            "modality": "on_site",
            "reimbursement_basis": "time_exchange",
            "agreed_at": "2026-11-26T09:00:00Z",
        }
    else:
        data |= {"half_days_used": 3, "completed_at": "2026-11-26T09:30:00Z"}
    return model.model_validate(data)


def pair(members: list[str]) -> MatchProposed:
    return MatchProposed.model_validate(
        {
            "proposal_id": str(uuid4()),
            "kind": "elu_technicien_pair",
            "score": 0.8,
            "reasons": ["Même thème prioritaire"],
            "theme": "alimentation",
            "members": members,
            "proposed_at": "2026-11-26T09:00:00Z",
        }
    )


def session(
    model: type[SessionScheduled | SessionRescheduled | SessionCancelled],
    session_id: UUID,
    participants: list[str],
    sequence: int,
    start: datetime,
) -> EventData:
    data: dict[str, Any] = {
        "session_id": str(session_id),
        "kind": "cafe_elus_techniciens",
        "related_id": str(uuid4()),
        "title": "Café élus-techniciens",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "place_label": "Salle du conseil, mairie de Crest",
        "participants": participants,
        "sequence": sequence,
    }
    if model is SessionScheduled:
        data["scheduled_at"] = "2026-11-26T09:00:00Z"
    elif model is SessionRescheduled:
        data |= {"previous_starts_at": start.isoformat(), "rescheduled_at": "2026-11-26T09:00:00Z"}
    else:
        data |= {"reason": "Salle indisponible", "cancelled_at": "2026-11-26T09:00:00Z"}
    return model.model_validate(data)


# ---- harness ------------------------------------------------------------------------------


async def start_notifications(
    platform: Platform, clock: ManualClock, smtp: MailCatcher, **overrides: Any
) -> RunningService:
    """The service with a hand-moved clock and its sender polling quickly."""
    values: dict[str, Any] = {
        "smtp_port": smtp.port,
        "sender_poll_interval_s": 0.05,
        "retry_base_s": 60.0,
        "smtp_timeout_s": 5.0,
    }
    settings = platform.settings("notifications", **(values | overrides))
    assert isinstance(settings, NotificationsSettings)
    app = create_app(definition(settings, clock=clock))
    client = await platform.stack.enter_async_context(running(app))
    service = RunningService("notifications", app, client, settings)
    platform.services["notifications"] = service
    return service


def sender_of(service: RunningService) -> Sender:
    sender: Sender = service.app.state.sender
    return sender


async def idle_rounds(service: RunningService, rounds: int = 3) -> None:
    """Let the sender and the webhook worker complete a few rounds at the current time
    (nothing else to wait on)."""
    jobs = [sender_of(service), service.app.state.webhooks]
    targets = [job.ticks + rounds for job in jobs]
    await wait_until(
        lambda: all(job.ticks >= t for job, t in zip(jobs, targets, strict=True)),
        what="sender and webhook rounds",
    )


async def publish(
    platform: Platform, event: EventData, *, source: str = "lending", event_id: UUID | None = None
) -> UUID:
    message = encode(event, source=source, event_id=event_id)
    connection = await aio_pika.connect(platform.infra.amqp_url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.get_exchange(f"deformations.events.{platform.namespace}")
        await exchange.publish(
            aio_pika.Message(
                message.body,
                headers=dict(message.headers),
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                message_id=str(message.event_id),
            ),
            routing_key=message.routing_key,
        )
    return message.event_id


async def put_together(
    platform: Platform, service: RunningService, first: str, second: str
) -> None:
    """Propose the two as a pair, so that the relay lets them write to each other; wait
    until notifications took it in."""
    proposal = pair([first, second])
    await publish(platform, proposal, source="matching")

    async def known() -> bool:
        count = await service.runtime.pool.fetchval(
            "SELECT count(*) FROM relay_contexts WHERE context = $1",
            f"match:{proposal.proposal_id}",
        )
        return bool(count == 2)

    await wait_until(known, what="the pair known to the relay")


async def register(
    service: RunningService, person: str, authority: str | None = None, **prefs: Any
) -> dict[str, Any]:
    body = {"email": f"{person}@example.org", "consent": True} | prefs
    # As the portal does: the token vouches for the address, proven to be the person's.
    headers = service.auth(person, authority=authority, email=body["email"], email_verified=True)
    response = await service.client.put("/v1/me/recipient", json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    registered: dict[str, Any] = response.json()
    return registered


async def notifications_of(service: RunningService, person: str) -> list[dict[str, Any]]:
    response = await service.client.get("/v1/me/notifications", headers=service.auth(person))
    assert response.status_code == 200
    found: list[dict[str, Any]] = response.json()
    return found


def invitation(msg: EmailMessage) -> icalendar.Calendar:
    [part] = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return icalendar.Calendar.from_ical(payload)


@pytest.fixture
async def smtp() -> AsyncIterator[MailCatcher]:
    async with MailCatcher.running() as catcher:
        yield catcher


# ---- tests --------------------------------------------------------------------------------


async def test_session_events_end_as_mails_with_invitations_parsed_back(
    platform: Platform, smtp: MailCatcher
) -> None:
    service = await start_notifications(platform, ManualClock(MORNING), smtp)
    person = f"elue-{uuid4().hex[:8]}"
    await register(service, person)
    session_id = uuid4()
    start = datetime(2026, 12, 3, 18, 0, tzinfo=PARIS)
    steps: list[
        tuple[type[SessionScheduled | SessionRescheduled | SessionCancelled], int, datetime]
    ]
    steps = [
        (SessionScheduled, 0, start),
        (SessionRescheduled, 1, start + timedelta(days=1)),
        (SessionCancelled, 2, start + timedelta(days=1)),
    ]
    for count, (model, sequence, when) in enumerate(steps, start=1):
        await publish(platform, session(model, session_id, [person], sequence, when))
        await wait_until(lambda n=count: len(smtp.received) >= n, what=f"mail {count}")  # type: ignore[misc]

    mails = smtp.messages()
    assert smtp.recipients == [[f"{person}@example.org"]] * 3
    calendars = [invitation(m) for m in mails]
    assert [str(c["method"]) for c in calendars] == ["REQUEST", "REQUEST", "CANCEL"]
    events = [c.walk("VEVENT")[0] for c in calendars]
    assert len({str(e["uid"]) for e in events}) == 1
    assert [int(str(e["sequence"])) for e in events] == [0, 1, 2]
    assert events[1].decoded("dtstart") == start + timedelta(days=1)
    assert str(events[1].decoded("dtstart").tzinfo) == "Europe/Paris"
    # One mail per participant, inviting only them: nobody sees the others' addresses.
    assert str(events[0]["attendee"]) == f"mailto:{person}@example.org"
    assert mails[0]["Subject"].startswith("Invitation : Café élus-techniciens")
    assert mails[2]["Subject"].startswith("Annulé")
    assert mails[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    await idle_rounds(service)  # the round that sent the last mail has committed
    found = await notifications_of(service, person)
    assert {n["status"] for n in found if n["template"] != "session.reminder"} == {"sent"}
    # Each change superseded the reminder of the time before; the cancel left none.
    assert {n["skip_reason"] for n in found if n["template"] == "session.reminder"} == {
        "superseded"
    }


async def test_one_click_unsubscribe_from_the_mail_header(
    platform: Platform, smtp: MailCatcher
) -> None:
    service = await start_notifications(platform, ManualClock(MORNING), smtp)
    person = f"elu-{uuid4().hex[:8]}"
    await register(service, person)
    await publish(platform, diagnosis_completed(person), source="diagnosis")
    await wait_until(lambda: len(smtp.received) == 1, what="the diagnosis mail")
    [mail] = smtp.messages()
    url = str(mail["List-Unsubscribe"]).split(",")[0].strip("<> ")
    path = url.removeprefix(service.settings.public_url)

    page = await service.client.get(path)
    assert page.status_code == 200
    assert "Confirmer le désabonnement" in page.text
    assert (await service.client.get("/v1/me/recipient", headers=service.auth(person))).json()[
        "unsubscribed_at"
    ] is None  # a visit unsubscribes nobody

    not_one_click = await service.client.post(path, content=b"x=1")
    assert not_one_click.status_code == 400
    forged = await service.client.post(
        path[:-3] + "AAA",
        content=b"List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert forged.status_code == 403
    for _ in range(2):  # mail clients may POST twice
        done = await service.client.post(
            path,
            content=b"List-Unsubscribe=One-Click",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert done.status_code == 200
        assert "désabonné" in done.text
    me = (await service.client.get("/v1/me/recipient", headers=service.auth(person))).json()
    assert me["unsubscribed_at"] is not None

    await publish(platform, diagnosis_completed(person), source="diagnosis")
    await wait_until(
        lambda: _skipped(service, person), what="the next notification skipped as unsubscribed"
    )
    assert len(smtp.received) == 1


async def _skipped(service: RunningService, person: str) -> bool:
    found = await notifications_of(service, person)
    return any(n["skip_reason"] == "unsubscribed" for n in found)


async def test_a_redelivered_event_notifies_each_person_once(
    platform: Platform, smtp: MailCatcher
) -> None:
    service = await start_notifications(platform, ManualClock(MORNING), smtp)
    lender, borrower, agent = (f"{role}-{uuid4().hex[:6]}" for role in ("rh", "elu", "agent"))
    await register(service, lender, authority=CREST)
    await register(service, borrower, authority=CRESTOIS)
    await register(service, agent)
    event = loan(LoanAgreed, uuid4(), agent)
    duplicates = EVENTS_CONSUMED.labels("notifications", "loan.agreed.v1", "duplicate")
    before = duplicates._value.get()
    event_id = await publish(platform, event)
    await wait_until(lambda: len(smtp.received) == 3, what="three mails")
    await publish(platform, event, event_id=event_id)  # the same ce-id: a redelivery
    await wait_until(lambda: duplicates._value.get() > before, what="the duplicate consumed")
    await idle_rounds(service)
    assert sorted(r[0] for r in smtp.recipients) == sorted(
        f"{p}@example.org" for p in (lender, borrower, agent)
    )
    mail = smtp.to(f"{lender}@example.org")[0]
    assert "Crest" in mail["Subject"] or "Crest" in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    count = await service.runtime.pool.fetchval("SELECT count(*) FROM notifications")
    assert count == 3


async def test_smtp_refusing_then_recovering_loses_nothing(
    platform: Platform, smtp: MailCatcher
) -> None:
    clock = ManualClock(MORNING)
    service = await start_notifications(platform, clock, smtp)
    person = f"elu-{uuid4().hex[:8]}"
    await register(service, person)
    smtp.refuse_with = "451 4.3.0 Try again later"
    await publish(platform, diagnosis_completed(person), source="diagnosis")

    async def deferred() -> bool:
        found = await notifications_of(service, person)
        return bool(found) and found[0]["attempts"] == 1

    await wait_until(deferred, what="a first refused attempt")
    [waiting] = await notifications_of(service, person)
    assert waiting["status"] == "pending"
    assert waiting["last_error"].startswith("451")
    await idle_rounds(service)
    assert smtp.refused == 1  # not retried before its back-off

    smtp.refuse_with = None
    clock.advance(timedelta(minutes=5))
    await wait_until(lambda: len(smtp.received) == 1, what="the mail after recovery")

    async def sent() -> bool:
        return bool((await notifications_of(service, person))[0]["status"] == "sent")

    await wait_until(sent, what="the notification marked sent")
    [done] = await notifications_of(service, person)
    assert done["attempts"] == 2


async def test_failed_sends_are_visible_to_operators_and_in_metrics(
    platform: Platform, smtp: MailCatcher
) -> None:
    service = await start_notifications(
        platform, ManualClock(MORNING), smtp, retry_max_attempts=1, metrics_refresh_s=0
    )
    person = f"elu-{uuid4().hex[:8]}"
    await register(service, person)
    smtp.refuse_with = "550 5.1.1 Unknown mailbox"
    await publish(platform, diagnosis_completed(person), source="diagnosis")

    async def failed() -> bool:
        return any(n["status"] == "failed" for n in await notifications_of(service, person))

    await wait_until(failed, what="the failed notification")
    forbidden = await service.client.get("/v1/notifications", headers=service.auth(person))
    assert forbidden.status_code == 403
    listed = await service.client.get(
        "/v1/notifications?status=failed", headers=service.auth("ops", roles=("operator",))
    )
    assert [n["recipient_id"] for n in listed.json()] == [person]
    assert listed.json()[0]["last_error"].startswith("550")
    assert "payload" not in listed.json()[0]

    async def counted() -> bool:
        metrics = (await service.client.get("/metrics")).text
        return 'notifications_notifications{status="failed"} 1.0' in metrics

    await wait_until(counted, what="the failed notification in the metrics")
    metrics = (await service.client.get("/metrics")).text
    assert 'notifications_delivery_failed_total{channel="email"}' in metrics

    # The mailbox exists now: an operator tries again.
    smtp.refuse_with = None
    failed_id = listed.json()[0]["id"]
    ops = service.auth("ops", roles=("operator",))
    retried = await service.client.post(f"/v1/notifications/{failed_id}/retry", headers=ops)
    assert retried.status_code == 202
    await wait_until(lambda: len(smtp.received) == 1, what="the mail sent after the retry")
    again = await service.client.post(f"/v1/notifications/{failed_id}/retry", headers=ops)
    assert again.status_code == 404


async def test_quiet_hours_defer_and_digests_group_with_a_controlled_clock(
    platform: Platform, smtp: MailCatcher
) -> None:
    late = datetime(2026, 11, 26, 23, 0, tzinfo=PARIS)
    clock = ManualClock(late)
    service = await start_notifications(platform, clock, smtp)
    night_owl = f"elue-{uuid4().hex[:6]}"
    busy = f"elu-{uuid4().hex[:6]}"
    await register(service, night_owl)
    await register(
        service, busy, authority=CREST, digest={"frequency": "daily", "send_time": "08:00"}
    )
    await publish(platform, diagnosis_completed(night_owl), source="diagnosis")
    loan_id = uuid4()
    await publish(platform, loan(LoanAgreed, loan_id, "agent-x"))
    await publish(platform, loan(LoanCompleted, loan_id, "agent-x"))
    await publish(platform, pair([busy, "technicien-1"]), source="matching")

    async def recorded() -> bool:
        mine = await notifications_of(service, busy)
        return len(mine) == 3 and len(await notifications_of(service, night_owl)) == 1

    await wait_until(recorded, what="four notifications recorded")
    [deferred] = await notifications_of(service, night_owl)
    assert datetime.fromisoformat(deferred["send_at"]) == datetime(2026, 11, 27, 7, 0, tzinfo=PARIS)
    assert {
        datetime.fromisoformat(n["send_at"]) for n in await notifications_of(service, busy)
    } == {datetime(2026, 11, 27, 8, 0, tzinfo=PARIS)}
    await idle_rounds(service)
    assert smtp.received == []  # quiet hours: nothing at 23:00

    clock.set(datetime(2026, 11, 27, 7, 0, tzinfo=PARIS))
    await wait_until(lambda: len(smtp.received) == 1, what="the mail at the end of quiet hours")
    await idle_rounds(service)
    assert smtp.recipients == [[f"{night_owl}@example.org"]]

    clock.set(datetime(2026, 11, 27, 8, 0, tzinfo=PARIS))
    await wait_until(lambda: len(smtp.received) == 2, what="the daily digest")
    await idle_rounds(service)
    assert len(smtp.received) == 2  # one digest for three notifications
    digest = smtp.to(f"{busy}@example.org")[0]
    assert digest["Subject"] == "Votre récapitulatif du jour : 2 sujets"
    text = digest.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    # Grouped per item (the loan), newest first inside the group.
    assert text.index("terminée") < text.index("convenue")
    assert {n["status"] for n in await notifications_of(service, busy)} == {"sent"}


async def test_every_event_for_people_is_rendered_and_sent(
    platform: Platform, smtp: MailCatcher
) -> None:
    service = await start_notifications(platform, ManualClock(MORNING), smtp)
    elu = f"elu-{uuid4().hex[:6]}"
    await register(service, elu, authority=CREST)
    campaign = uuid4()
    await publish(platform, diagnosis_completed(elu, campaign), source="diagnosis")
    await wait_until(lambda: len(smtp.received) == 1, what="the diagnosis mail")
    await publish(platform, team_updated(campaign), source="diagnosis")  # elu is in the team
    await publish(platform, pair([elu, "tech-2"]), source="matching")
    await publish(platform, loan(LoanAgreed, uuid4(), "agent-1"))
    await publish(platform, loan(LoanCompleted, uuid4(), "agent-1"))
    await wait_until(lambda: len(smtp.received) == 5, what="five mails")
    subjects = sorted(str(m["Subject"]) for m in smtp.messages())
    assert subjects == [
        "Mise à disposition convenue : Technicienne restauration collective – "
        + theme_label("alimentation"),
        "Mise à disposition terminée : Technicienne restauration collective – "
        + theme_label("alimentation"),
        "Résultat collectif mis à jour : l'équipe de Crest",
        "Un binôme vous est proposé : " + theme_label("alimentation"),
        "Votre autodiagnostic : Les solidaires de terrain",
    ]
    completed = next(m for m in smtp.messages() if "terminée" in str(m["Subject"]))
    text = completed.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Crest" in text and "10 h 30" in text  # 3 half-days of 3 h 30
    collective = next(m for m in smtp.messages() if "collectif" in str(m["Subject"]))
    text = collective.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Les solidaires de terrain : 3" in text  # the label learnt from the diagnosis


async def test_erasure_removes_contact_details_and_notifications(
    platform: Platform, smtp: MailCatcher
) -> None:
    service = await start_notifications(platform, ManualClock(MORNING), smtp)
    person = f"elu-{uuid4().hex[:8]}"
    other = f"elu-{uuid4().hex[:8]}"
    await put_together(platform, service, person, other)
    await register(service, person, authority=CREST)
    await register(service, other)
    written = await service.client.post(
        "/v1/relay/messages",
        json={"to": other, "subject": "Bonjour", "body": "Un message à effacer ensuite."},
        headers=service.auth(person),
    )
    assert written.status_code == 201
    await publish(
        platform,
        PersonErasureRequested(person_id=person, requested_at=datetime.now(UTC)),
        source="portal",
    )

    async def erased() -> bool:
        # Once erased, her token is refused everywhere (the tombstone): 410.
        me = await service.client.get("/v1/me/recipient", headers=service.auth(person))
        return bool(me.status_code == 410)

    await wait_until(erased, what="the erasure")
    pool = service.runtime.pool
    assert (
        await pool.fetchval("SELECT count(*) FROM notifications WHERE recipient_id = $1", person)
        == 0
    )
    assert await pool.fetchval("SELECT count(*) FROM recipient_collectivites") == 0
    assert await pool.fetchval("SELECT count(*) FROM relay_messages") == 0
    assert (
        await pool.fetchval("SELECT count(*) FROM relay_contexts WHERE person_id = $1", person) == 0
    )
    assert (
        await pool.fetchval("SELECT count(*) FROM recipients WHERE email LIKE $1", f"{person}%")
        == 0
    )


async def test_a_newer_invitation_replaces_one_still_waiting(
    platform: Platform, smtp: MailCatcher
) -> None:
    clock = ManualClock(datetime(2026, 11, 26, 23, 0, tzinfo=PARIS))
    service = await start_notifications(platform, clock, smtp)
    person = f"elue-{uuid4().hex[:8]}"
    await register(service, person)
    session_id = uuid4()
    start = datetime(2026, 12, 3, 18, 0, tzinfo=PARIS)
    await publish(platform, session(SessionScheduled, session_id, [person], 0, start))
    moved = start + timedelta(hours=1)
    await publish(platform, session(SessionRescheduled, session_id, [person], 1, moved))

    async def both() -> bool:
        found = await notifications_of(service, person)
        return {n["status"] for n in found} == {"pending", "skipped"}

    await wait_until(both, what="the older invitation superseded")
    clock.set(datetime(2026, 11, 27, 7, 0, tzinfo=PARIS))
    await wait_until(lambda: len(smtp.received) == 1, what="the newest invitation")
    await idle_rounds(service)
    [mail] = smtp.messages()
    event = invitation(mail).walk("VEVENT")[0]
    assert (int(str(event["sequence"])), event.decoded("dtstart")) == (1, moved)
    assert len(smtp.received) == 1


async def test_only_the_latest_collective_result_waits_for_a_late_registration(
    platform: Platform, smtp: MailCatcher
) -> None:
    service = await start_notifications(platform, ManualClock(MORNING), smtp)
    elu = f"elu-{uuid4().hex[:6]}"
    campaign = uuid4()
    await publish(platform, diagnosis_completed(elu, campaign), source="diagnosis")

    async def counted(n: int) -> bool:
        return len(await notifications_of(service, elu)) == n

    # Team membership is learnt from diagnosis.completed, which travels on another queue
    # than the team's updates: it must be in before them.
    await wait_until(lambda: counted(1), what="the élu's own result")
    for _ in range(3):  # the result changes with every new response
        await publish(platform, team_updated(campaign), source="diagnosis")

    async def recorded() -> bool:
        return await counted(4)

    await wait_until(recorded, what="four notifications waiting for the élu")
    await register(service, elu)
    await wait_until(lambda: len(smtp.received) == 2, what="two mails")
    await idle_rounds(service)
    subjects = sorted(str(m["Subject"]) for m in smtp.messages())
    assert subjects[0].startswith("Résultat collectif") and len(subjects) == 2
    reasons = [n["skip_reason"] for n in await notifications_of(service, elu)]
    assert reasons.count("superseded") == 2


async def test_the_running_service_sends_over_smtps_when_smtp_tls_is_set(
    platform: Platform, tmp_path: Path
) -> None:
    tls = self_signed(tmp_path)
    # Entered before the service: the catcher outlives the service's sender.
    smtps = await platform.stack.enter_async_context(MailCatcher.running(tls=tls.server_context()))
    service = await start_notifications(
        platform, ManualClock(MORNING), smtps, smtp_tls=True, smtp_ca_file=str(tls.cert_file)
    )
    person = f"elue-{uuid4().hex[:8]}"
    await register(service, person)
    await publish(platform, diagnosis_completed(person), source="diagnosis")
    await wait_until(lambda: len(smtps.received) == 1, what="the mail over SMTPS")
    assert smtps.recipients == [[f"{person}@example.org"]]
    assert smtps.tls[0] is not None and smtps.tls[0].startswith("TLS")


async def test_an_expired_or_revoked_unsubscribe_link_explains_and_changes_nothing(
    platform: Platform, smtp: MailCatcher
) -> None:
    clock = ManualClock(MORNING)
    service = await start_notifications(platform, clock, smtp)
    person = f"elu-{uuid4().hex[:8]}"
    await register(service, person)
    await publish(platform, diagnosis_completed(person), source="diagnosis")
    await wait_until(lambda: len(smtp.received) == 1, what="the diagnosis mail")
    url = str(smtp.messages()[0]["List-Unsubscribe"]).split(",")[0].strip("<> ")
    path = url.removeprefix(service.settings.public_url)
    form = {"content-type": "application/x-www-form-urlencoded"}

    async def unsubscribed_at() -> Any:
        me = await service.client.get("/v1/me/recipient", headers=service.auth(person))
        return me.json()["unsubscribed_at"]

    # Revoked from « Mes préférences »: the link of the mail sent before no longer acts.
    clock.advance(timedelta(seconds=1))
    revoked = await service.client.delete("/v1/me/unsubscribe-links", headers=service.auth(person))
    assert revoked.status_code == 204
    page = await service.client.get(path)
    assert page.status_code == 410 and page.headers["content-type"].startswith("text/html")
    assert "révoqué" in page.text and "Mes préférences" in page.text
    one_click = await service.client.post(path, content=b"List-Unsubscribe=One-Click", headers=form)
    assert one_click.status_code == 410 and "Mes préférences" in one_click.text
    assert await unsubscribed_at() is None

    # A link of a mail sent after works, until its lifetime is over.
    await publish(platform, diagnosis_completed(person), source="diagnosis")
    await wait_until(lambda: len(smtp.received) == 2, what="the second mail")
    url = str(smtp.messages()[1]["List-Unsubscribe"]).split(",")[0].strip("<> ")
    path = url.removeprefix(service.settings.public_url)
    assert (await service.client.get(path)).status_code == 200
    clock.advance(timedelta(days=service.settings.unsubscribe_token_days))
    page = await service.client.get(path)
    assert page.status_code == 410 and "expiré" in page.text
    one_click = await service.client.post(path, content=b"List-Unsubscribe=One-Click", headers=form)
    assert one_click.status_code == 410
    assert await unsubscribed_at() is None
