"""The demo of notifications.

``play(ctx)`` (called by ``make run`` after the other demos): registers the demo people
(those the other demos left in ``ctx.shared["people"]``, and two of its own), relays a
message between two of them, and lets the running service's sender deliver everything
that concerns them to ``SMTP_HOST``/``SMTP_PORT``.

``python -m deformations_devtools.notifications.demo`` sends one e-mail per template straight to
``SMTP_HOST``/``SMTP_PORT``, a gallery of what people receive:

    uv run python -m aiosmtpd -n -l 127.0.0.1:1025   # a local catcher, if none runs
    SMTP_HOST=127.0.0.1 SMTP_PORT=1025 uv run python -m deformations_devtools.notifications.demo

``DEMO_TO`` sets the recipient (default elue.demo@example.org). Sessions come with their
calendar invitation: REQUEST, then a rescheduled REQUEST (SEQUENCE 1), then a CANCEL.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from typing import Any

from deformations_common.geography import load_geography
from deformations_devtools.demo import DemoContext
from deformations_devtools.notifications.samples import END, SAMPLES, START
from deformations_devtools.places import AUVERGNE_RHONE_ALPES, DemoPlaces
from deformations_notifications.delivery.smtp import SmtpConfig, SmtpSender
from deformations_notifications.domain.digest import DigestEntry, group_digest
from deformations_notifications.domain.outcome import Outcome
from deformations_notifications.domain.sessions import SessionCalendar
from deformations_notifications.domain.unsubscribe import UnsubscribeClaim
from deformations_notifications.rendering.email import CalendarPart, UnsubscribeLinks, build_email
from deformations_notifications.rendering.invites import InviteDetails, build_cancel, build_request
from deformations_notifications.rendering.renderer import PLATFORM_NAME, RenderedMessage, Renderer
from deformations_notifications.settings import NotificationsSettings

DOMAIN = "deformations.localhost"
# Dev only: production passes its own secret from the environment.
DEV_SECRET = b"dev-only-unsubscribe-secret"


def _calendar(name: str, details: InviteDetails, now: datetime) -> CalendarPart | None:
    session = SessionCalendar("demo-session", START, END)
    if name == "session.scheduled":
        return CalendarPart(build_request(session, details, now), "REQUEST")
    moved = session.reschedule(START + timedelta(days=1), END + timedelta(days=1))
    if name == "session.rescheduled":
        return CalendarPart(build_request(moved, details, now), "REQUEST")
    if name == "session.cancelled":
        return CalendarPart(build_cancel(moved.cancel(), details, now), "CANCEL")
    return None


def _contexts() -> dict[str, dict[str, Any]]:
    contexts = {name: dict(ctx) for name, ctx in SAMPLES.items()}
    later = {"start": START + timedelta(days=1), "end": END + timedelta(days=1)}
    contexts["session.rescheduled"].update(later, previous_start=START)
    contexts["session.cancelled"].update(later)
    return contexts


async def send_demo(config: SmtpConfig, to: str) -> int:
    now = datetime.now(UTC)
    renderer = Renderer(defaults={"preferences_url": f"https://{DOMAIN}/preferences"})
    links = UnsubscribeLinks(
        f"https://{DOMAIN}/desabonnement", DEV_SECRET, f"desabonnement@{DOMAIN}"
    )
    details = InviteDetails(
        title=SAMPLES["session.scheduled"]["title"],
        organizer_email=f"agenda@{DOMAIN}",
        attendee_emails=[to],
        uid_domain=DOMAIN,
        location=SAMPLES["session.scheduled"]["location"],
    )
    contexts = _contexts()
    messages: list[tuple[str, RenderedMessage]] = []
    for name, ctx in contexts.items():
        unsubscribe_url = links.url(UnsubscribeClaim("demo-person", issued_at=now))
        messages.append((name, renderer.render(name, {**ctx, "unsubscribe_url": unsubscribe_url})))
    entries = [
        DigestEntry(
            "loan:3", "Prêt : technicien alimentation", n, now - timedelta(hours=h), contexts[n]
        )
        for n, h in (("loan.agreed", 30), ("loan.completed", 2))
    ] + [
        DigestEntry(
            "match:9",
            "Proposition : alimentation",
            "match.proposed",
            now,
            contexts["match.proposed"],
        )
    ]
    messages.append(("digest", renderer.render_digest(group_digest(entries), "weekly", {})))
    failures = 0
    async with SmtpSender(config) as smtp:
        for name, rendered in messages:
            msg = build_email(
                rendered,
                sender=Address(PLATFORM_NAME, "ne-pas-repondre", DOMAIN),
                to=to,
                now=now,
                message_id_domain=DOMAIN,
                unsubscribe=(links, UnsubscribeClaim("demo-person", issued_at=now)),
                calendar=_calendar(name, details, now),
            )
            result = await smtp.send(msg)
            print(f"{name:24} {result.outcome.value:10} {result.detail}")
            failures += result.outcome is not Outcome.DELIVERED
    return failures


# The communes of lending's demo loan, in the default Région.
CREST, AOUSTE = AUVERGNE_RHONE_ALPES.lender.siren, AUVERGNE_RHONE_ALPES.borrower.siren
_DIAGNOSIS_PERSON = re.compile(r"^demo-elu-((?:[0-9]{2}|2A|2B)[0-9]{3})-[0-9]+$")


def _lending_people(shared: Mapping[str, object], here: DemoPlaces) -> list[tuple[str, str | None]]:
    """The people of lending's demo: both collectivités' contacts and the agent."""
    lender = str(shared.get("lending.lender_siren", here.lender.siren))
    borrower = str(shared.get("lending.borrower_siren", here.borrower.siren))
    cast = here.people
    return [
        (f"demo-{cast.elue}", lender),
        (f"demo-{cast.rh}", lender),
        (f"demo-{cast.agent}", lender),
        (f"demo-{cast.elu}", borrower),
    ]


def _commune_siren(person_id: str) -> str | None:
    found = _DIAGNOSIS_PERSON.match(person_id)
    commune = load_geography().find_commune(found.group(1)) if found else None
    return commune.siren if commune is not None else None


def demo_people(
    shared: Mapping[str, object], here: DemoPlaces = AUVERGNE_RHONE_ALPES
) -> list[dict[str, str | None]]:
    """Who the demo registers: lending's people (of the Région ``here``), the élus who
    answered diagnosis's campaign signed in (``diagnosis.people``), and ``people`` (ids, or
    ``{person_id, authority}``)."""
    people: dict[str, str | None] = dict(_lending_people(shared, here))
    answered = shared.get("diagnosis.people", [])
    for person in answered if isinstance(answered, list | tuple) else []:
        if isinstance(person, str):
            people.setdefault(person, _commune_siren(person))
    listed = shared.get("people", [])
    for item in listed if isinstance(listed, list | tuple) else []:
        if isinstance(item, str):
            people.setdefault(item, None)
        elif isinstance(item, dict) and isinstance(item.get("person_id"), str):
            authority = item.get("authority")
            people.setdefault(item["person_id"], authority if isinstance(authority, str) else None)
    return [{"person_id": p, "authority": a} for p, a in people.items()]


async def play(ctx: DemoContext) -> None:
    here = ctx.places
    people = demo_people(ctx.shared, here)
    async with ctx.client("notifications") as client:
        for person in people:
            person_id, authority = person["person_id"] or "", person["authority"]
            email = f"{person_id}@demo.deformations.example.org"
            headers = ctx.auth(person_id, authority=authority, verified_email=email)
            body = {
                "email": email,
                "consent": True,
                # No quiet hours and no digest: the demo mails go out now, day or night.
                "quiet_hours": None,
                "digest": {"frequency": "immediate"},
            }
            response = await client.put("/v1/me/recipient", json=body, headers=headers)
            response.raise_for_status()
        # The borrower's élu writes to the lender's HR without seeing their address: the
        # relay lets her, as their collectivités share lending's demo loan.
        borrower = str(ctx.shared.get("lending.borrower_siren", here.borrower.siren))
        message = {
            "to": ctx.person(here.people.rh),
            "subject": "Prêt d'une technicienne restauration collective",
            "body": "Bonjour, notre cantine passe au bio local : la demi-journée d'appui "
            "de votre technicienne pourrait-elle porter sur les menus ?",
        }
        headers = ctx.auth(here.people.elu, authority=borrower)
        for _ in range(60):  # the loan's events may still be on their way (30 s at most)
            sent = await client.post("/v1/relay/messages", json=message, headers=headers)
            if sent.status_code != 403:
                break
            await asyncio.sleep(0.5)
        sent.raise_for_status()
        delivered = await _wait_delivered(client, ctx, [p["person_id"] or "" for p in people])
    smtp = f"{os.environ.get('SMTP_HOST', '127.0.0.1')}:{os.environ.get('SMTP_PORT', '1025')}"
    ctx.say(
        f"notifications: {len(people)} people registered, {delivered} mail(s) sent to {smtp}; "
        "read them in var/mail/ (make run's catcher) or at http://127.0.0.1:8025 (mailpit)"
    )


async def _wait_delivered(client: Any, ctx: DemoContext, people: list[str]) -> int:
    """Wait (up to 30 s) until the sender has taken care of every due notification."""
    sent = 0
    for _ in range(60):
        due, sent = 0, 0
        for person in people:
            response = await client.get("/v1/me/notifications", headers=ctx.auth(person))
            for n in response.json():
                sent += n["status"] == "sent"
                # A mail handed to the server but not yet recorded sent is still due.
                due += n["status"] == "sending" or (
                    n["status"] == "pending" and n["send_at"] is not None
                )
        if due == 0:
            break
        await asyncio.sleep(0.5)
    return sent


def main() -> None:
    # The service's own settings (SMTP_HOST, SMTP_PORT, SMTP_TLS…): one parser, not two.
    config = NotificationsSettings().smtp()
    failures = asyncio.run(send_demo(config, os.environ.get("DEMO_TO", "elue.demo@example.org")))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
