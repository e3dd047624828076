"""E-mails built, sent to a real aiosmtpd server on 127.0.0.1 and parsed back."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import icalendar

from deformations_common.vocabulary.calendar import session_uid
from deformations_devtools.notifications.servers import RunningSmtp
from deformations_notifications.delivery.smtp import SmtpConfig, SmtpSender
from deformations_notifications.domain.dedup import DedupKey
from deformations_notifications.domain.outcome import Outcome
from deformations_notifications.domain.preferences import Channel
from deformations_notifications.domain.relay import RelayThread, compose, reply_address
from deformations_notifications.domain.retry import DeliveryState, DeliveryStatus, RetryPolicy
from deformations_notifications.domain.sessions import SessionCalendar
from deformations_notifications.domain.unsubscribe import UnsubscribeClaim, verify_unsubscribe_token
from deformations_notifications.rendering.email import CalendarPart, UnsubscribeLinks, build_email
from deformations_notifications.rendering.invites import InviteDetails, build_cancel, build_request
from deformations_notifications.rendering.renderer import Renderer

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
SECRET = b"unsubscribe-secret"
SENDER = Address("(Dé)formations", "ne-pas-repondre", "deformations.example")
LINKS = UnsubscribeLinks(
    https_base="https://deformations.example/desabonnement",
    secret=SECRET,
    mailto="desabonnement@deformations.example",
)
DETAILS = InviteDetails(
    title="Café élus-techniciens",
    organizer_email="agenda@deformations.example",
    attendee_emails=["elue@example.org"],
    uid_domain="deformations.example",
    location="Mairie d'Abondance",
)
renderer = Renderer()


def config(smtp: RunningSmtp) -> SmtpConfig:
    return SmtpConfig(host="127.0.0.1", port=smtp.port, timeout=5)


def session_mail(
    kind: str, session: SessionCalendar, ctx: dict[str, Any], person: str = "elue-1"
) -> EmailMessage:
    rendered = renderer.render(kind, ctx)
    if session.cancelled:
        part = CalendarPart(build_cancel(session, DETAILS, NOW), "CANCEL")
    else:
        part = CalendarPart(build_request(session, DETAILS, NOW), "REQUEST")
    return build_email(
        rendered,
        sender=SENDER,
        to="elue@example.org",
        now=NOW,
        message_id_domain="deformations.example",
        unsubscribe=(LINKS, UnsubscribeClaim(person, issued_at=NOW)),
        calendar=part,
    )


def parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def calendar_of(msg: EmailMessage) -> tuple[icalendar.Calendar, object, bytes]:
    parts = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    attachment = [p for p in msg.walk() if p.get_filename() == "invitation.ics"]
    assert len(attachment) == 1
    raw = parts[0].get_content().encode()
    assert icalendar.Calendar.from_ical(
        attachment[0].get_content()
    ) == icalendar.Calendar.from_ical(raw)
    return icalendar.Calendar.from_ical(raw), parts[0].get_param("method"), raw


def vevent(cal: icalendar.Calendar) -> icalendar.Component:
    events = [c for c in cal.walk() if c.name == "VEVENT"]
    assert len(events) == 1
    return events[0]


def test_unsubscribe_headers_follow_rfc_8058(samples: dict[str, dict[str, Any]]) -> None:
    msg = build_email(
        renderer.render("loan.agreed", samples["loan.agreed"]),
        sender=SENDER,
        to="elue@example.org",
        now=NOW,
        message_id_domain="deformations.example",
        unsubscribe=(LINKS, UnsubscribeClaim("elue-1", issued_at=NOW)),
    )
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https, mailto = [p.strip().strip("<>") for p in msg["List-Unsubscribe"].split(",")]
    url = urlparse(https)
    assert url.scheme == "https"
    token = parse_qs(url.query)["token"][0]
    assert verify_unsubscribe_token(token, SECRET) == UnsubscribeClaim("elue-1", issued_at=NOW)
    assert mailto.startswith("mailto:desabonnement@deformations.example?subject=")
    assert msg.get_content_type() == "multipart/alternative"
    assert msg["Auto-Submitted"] == "auto-generated"


def test_relay_mail_hides_the_sender_address(samples: dict[str, dict[str, Any]]) -> None:
    thread = RelayThread("t-77", initiator="elu-1", counterpart="rh-2")
    relay = compose(thread, "elu-1", "Votre retour", "Bonjour, une question…", NOW, b"relay")
    rendered = renderer.render(
        "relay.message",
        {**samples["relay.message"], "subject": relay.subject, "body": relay.body},
    )
    msg = build_email(
        rendered,
        sender=SENDER,
        to="rh@abondance.example",
        now=NOW,
        message_id_domain="deformations.example",
        reply_to=reply_address(relay.reply_token, "relais.deformations.example"),
    )
    raw = msg.as_bytes()
    assert b"elu-1@" not in raw
    assert b"elue@example.org" not in raw
    assert msg["Reply-To"].startswith("relais+")
    assert "Bonjour, une question…" in msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]


async def test_invitations_over_real_smtp_keep_uid_and_raise_sequence(
    smtp_server: RunningSmtp, samples: dict[str, dict[str, Any]]
) -> None:
    start = datetime(2026, 12, 1, 13, 30, tzinfo=UTC)
    session = SessionCalendar("session-11", start, start + timedelta(hours=3))
    moved = session.reschedule(start + timedelta(days=1), start + timedelta(days=1, hours=2))
    cancelled = moved.cancel()
    async with SmtpSender(config(smtp_server)) as smtp:
        for kind, state in (
            ("session.scheduled", session),
            ("session.rescheduled", moved),
            ("session.cancelled", cancelled),
        ):
            ctx = {**samples[kind], "start": state.start, "end": state.end}
            result = await smtp.send(session_mail(kind, state, ctx))
            assert result.outcome is Outcome.DELIVERED

    received = [parse(raw) for raw in smtp_server.sink.received]
    assert len(received) == 3
    uid = session_uid("session-11", "deformations.example")
    expected = [
        ("REQUEST", 0, start, "CONFIRMED"),
        ("REQUEST", 1, start + timedelta(days=1), "CONFIRMED"),
        ("CANCEL", 2, start + timedelta(days=1), "CANCELLED"),
    ]
    for raw_mail in smtp_server.sink.received:
        # On the wire, not only after parsing: no encoded-word may hide the one-click URL.
        assert b"\r\nList-Unsubscribe: <https://deformations.example/desabonnement?token=" in (
            raw_mail.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        )
    for msg, (method, sequence, dtstart, status) in zip(received, expected, strict=True):
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        cal, param_method, raw = calendar_of(msg)
        assert str(cal["METHOD"]) == method
        assert param_method == method
        event = vevent(cal)
        assert str(event["UID"]) == uid
        assert int(event.decoded("SEQUENCE")) == sequence
        assert str(event["STATUS"]) == status
        assert event.decoded("DTSTART") == dtstart
        assert str(event.decoded("DTSTART").tzinfo) == "Europe/Paris"
        assert b"DTSTART;TZID=Europe/Paris:" in raw
        assert next(c for c in cal.walk() if c.name == "VTIMEZONE")["TZID"] == "Europe/Paris"
        attendees = event.get("ATTENDEE")
        assert str(attendees) == "mailto:elue@example.org"


async def test_transient_smtp_failures_lose_nothing(smtp_server: RunningSmtp) -> None:
    """The server answers 451 three times, then recovers: every mail arrives exactly once."""
    smtp_server.sink.replies = ["451 4.3.0 Try again later"] * 3
    policy = RetryPolicy(base=timedelta(seconds=30), max_attempts=5)
    keys = [DedupKey("lending", f"evt-{i}", "elue-1", Channel.EMAIL) for i in range(5)]
    states = {k.value: DeliveryState(seed=k.seed) for k in keys}
    clock = NOW
    sent_attempts = 0
    async with SmtpSender(config(smtp_server)) as smtp:
        while any(s.status is DeliveryStatus.PENDING for s in states.values()):
            for key in keys:
                state = states[key.value]
                if not state.due(clock):
                    continue
                msg = EmailMessage()
                msg["From"] = "agenda@deformations.example"
                msg["To"] = "elue@example.org"
                msg["Subject"] = "Test"
                msg["X-Deformations-Notification"] = key.value
                msg.set_content("Bonjour")
                sent_attempts += 1
                states[key.value] = state.record(await smtp.send(msg), clock, policy)
            pending = [s.next_attempt_at for s in states.values() if s.next_attempt_at]
            if pending:
                clock = min(pending)  # the controllable clock jumps to the next due retry
    assert all(s.status is DeliveryStatus.DELIVERED for s in states.values())
    assert smtp_server.sink.refused == 3
    assert sent_attempts == 8
    got = [parse(raw)["X-Deformations-Notification"].strip() for raw in smtp_server.sink.received]
    assert sorted(got) == sorted(k.value for k in keys)


async def test_permanent_refusal_and_unreachable_server(smtp_server: RunningSmtp) -> None:
    smtp_server.sink.replies = ["550 5.1.1 Mailbox unavailable"]
    msg = EmailMessage()
    msg["From"] = "agenda@deformations.example"
    msg["To"] = "nobody@example.org"
    msg.set_content("x")
    async with SmtpSender(config(smtp_server)) as smtp:
        refused = await smtp.send(msg)
        assert refused.outcome is Outcome.PERMANENT
        assert refused.status == 550
        # The same sender reconnects after the failure.
        assert (await smtp.send(msg)).outcome is Outcome.DELIVERED
    async with SmtpSender(SmtpConfig(host="127.0.0.1", port=1, timeout=2)) as down:
        assert (await down.send(msg)).outcome is Outcome.TRANSIENT


async def test_bcc_reaches_the_envelope_but_not_the_headers(smtp_server: RunningSmtp) -> None:
    msg = EmailMessage()
    msg["From"] = "agenda@deformations.example"
    msg["To"] = "elue@example.org"
    msg["Bcc"] = "archive@deformations.example"
    msg.set_content("x")
    async with SmtpSender(config(smtp_server)) as smtp:
        assert (await smtp.send(msg)).outcome is Outcome.DELIVERED
    assert smtp_server.sink.recipients == [["elue@example.org", "archive@deformations.example"]]
    assert b"archive@" not in smtp_server.sink.received[0]
    assert msg["Bcc"] == "archive@deformations.example"  # the caller's message is untouched
