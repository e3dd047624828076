"""Erasure end to end (issue #16): every service running on the real broker and database.

A person has data in each service; she deletes her account on the portal; every service
ends up holding nothing personal about her but a tombstone. Then her late events and her
still valid token bring nothing back; a second erasure is harmless; an erasure published
by another service than the portal is dead-lettered, never handled.
"""

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika
import httpx
import pytest
from platform_harness import Platform, RunningService
from test_lending_support import agreed_loan
from test_matching_helpers import diagnosed, publish
from test_slice import a_submission

from deformations_common.consumer import KIND_HEADER
from deformations_common.settings import Environment
from deformations_contracts.events.people import PersonErasureRequested
from deformations_contracts.events.sessions import SessionScheduled
from deformations_devtools.testing import wait_until
from deformations_portal.service import people as portal_people
from deformations_portal.service.uow import PortalUow

pytestmark = pytest.mark.integration

CREST = "212601082"
BODY = "775671356"  # a training body
SERVICES = ("portal", "diagnosis", "matching", "lending", "notifications", "training")
# Every service keeps the tombstone (the id and a date); the portal also keeps the
# pseudonymous person and her memberships' history (revoked). Nothing else anywhere may
# mention her (matching's read model of memberships included).
KEPT = {"erased_people"}
KEPT_BY_PORTAL = {"persons", "memberships", "rights_audit"}
ERASURE = "person.erasure_requested.v1"


async def mentions(service: RunningService, person: str) -> dict[str, int]:
    """Rows of each table of the service's schema that mention ``person`` anywhere."""
    pool = service.runtime.pool
    tables = await pool.fetch(
        "SELECT table_name FROM information_schema.tables"
        " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
    )
    found = {}
    for row in tables:
        name = row["table_name"]
        if name in KEPT or (service.name == "portal" and name in KEPT_BY_PORTAL):
            continue
        count = await pool.fetchval(
            f'SELECT count(*) FROM "{name}" AS r WHERE r::text LIKE $1', f"%{person}%"
        )
        if count:
            found[name] = count
    return found


async def handled(service: RunningService, routing_key: str) -> int:
    count: int = await service.runtime.pool.fetchval(
        "SELECT count(*) FROM inbox WHERE subscription LIKE $1", f"%{routing_key}"
    )
    return count


async def drain(platform: Platform, queue: str) -> list[aio_pika.abc.AbstractIncomingMessage]:
    connection = await aio_pika.connect(platform.infra.amqp_url)
    taken = []
    try:
        channel = await connection.channel()
        q = await channel.get_queue(queue)
        while (message := await q.get(fail=False)) is not None:
            await message.ack()
            taken.append(message)
    finally:
        await connection.close()
    return taken


def dlq(service: RunningService, routing_key: str) -> str:
    return f"{service.settings.queue_prefix}{service.name}.{routing_key}.dlq"


def csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


async def start_all(platform: Platform) -> dict[str, RunningService]:
    await platform.start("portal", environment=Environment.DEV, smtp_port=1)
    for name in SERVICES[1:]:
        await platform.start(name)
    return platform.services


async def portal_person(portal: RunningService, email: str) -> str:
    async with portal.runtime.begin(PortalUow) as uow:
        person = await portal_people.person_for(
            uow, portal_people.Claims(portal_people.EMAIL_ISSUER, email, email=email)
        )
    return str(person)


async def delete_account_on_the_portal(portal: RunningService, email: str) -> None:
    """What she does: signs in, opens « Supprimer mon compte », confirms (POST, CSRF)."""
    client = portal.client
    page = await client.get("/connexion/dev")
    signed = await client.post("/connexion/dev", data={"email": email, "csrf": csrf(page)})
    assert signed.status_code == 303, signed.text
    form = await client.get("/compte/supprimer")
    assert form.status_code == 200, form.text
    done = await client.post("/compte/supprimer", data={"confirmation": "oui", "csrf": csrf(form)})
    assert done.status_code == 200, done.text
    assert "Compte supprimé" in done.text


async def training_offer(training: RunningService) -> dict[str, Any]:
    body = await training.client.post(
        "/v1/bodies",
        json={"siren": BODY, "name": "Formations Transitions Drôme", "agrement_reference": "AGR-1"},
        headers=training.auth("operatrice", roles=("operator",)),
    )
    assert body.status_code == 201, body.text
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=21)
    offer = await training.client.post(
        f"/v1/bodies/{BODY}/offers",
        json={
            "title": "Une cantine bio et locale en régie",
            "theme": "alimentation",
            "format": "half_day",
            "duration_minutes": 210,
            "capacity": 10,
            "price_cents": 30_000,
            "sessions": [
                {
                    "starts_at": start.isoformat(),
                    "ends_at": (start + timedelta(hours=3)).isoformat(),
                }
            ],
            "place_insee": "26108",
            "place_label": "Salle du conseil, mairie de Crest",
        },
        headers=training.auth("formatrice", authority=BODY, roles=("trainer",)),
    )
    assert offer.status_code == 201, offer.text
    created: dict[str, Any] = offer.json()
    return created


async def give_her_data_everywhere(
    platform: Platform, services: dict[str, RunningService], person: str
) -> SessionScheduled:
    """A quiz response, a recipient and her pending notifications, a loan she lends in,
    a peer call and an enrolment; returns her loan's session event (replayed later)."""
    diagnosis, matching = services["diagnosis"], services["matching"]
    lending, notifications = services["lending"], services["notifications"]
    training = services["training"]
    elected = {"authority": CREST, "roles": ("elected",)}
    sessions = await platform.tap("session.scheduled.v1")

    quiz = await diagnosis.client.post(
        "/v1/responses", json=a_submission(7), headers=diagnosis.auth(person, **elected)
    )
    assert quiz.status_code == 201, quiz.text
    registered = await notifications.client.put(
        "/v1/me/recipient",
        json={"email": "marie.dupont@example.org", "consent": False},
        headers=notifications.auth(
            person, **elected, email="marie.dupont@example.org", email_verified=True
        ),
    )
    assert registered.status_code == 201, registered.text
    await agreed_loan(lending, agent=person)
    offer = await training_offer(training)
    enrolled = await training.client.post(
        f"/v1/offers/{offer['id']}/enrolments", json={}, headers=training.auth(person, **elected)
    )
    assert enrolled.status_code == 201, enrolled.text

    async def diagnosis_in_matching() -> bool:
        return "diagnoses" in await mentions(matching, person)

    await wait_until(diagnosis_in_matching, what="her diagnosis in matching")
    call = await matching.client.post(
        "/v1/peer-calls",
        json={"theme": "alimentation", "problem": "Je suis seule face à la cantine bio."},
        headers=matching.auth(person, **elected),
    )
    assert call.status_code == 201, call.text

    async def both_notified() -> bool:
        rows = await notifications.runtime.pool.fetch(
            "SELECT event_type FROM notifications WHERE recipient_id = $1", person
        )
        found = {r["event_type"] for r in rows}
        return {"diagnosis.completed.v1", "session.scheduled.v1"} <= found

    await wait_until(both_notified, what="her pending notifications")
    message = await sessions.get(timeout=10)
    await message.ack()
    return SessionScheduled.model_validate_json(message.body)


async def nothing_personal_left(services: dict[str, RunningService], person: str) -> bool:
    for service in services.values():
        if await mentions(service, person):
            return False
        if not await service.runtime.is_erased(person):
            return False
    return True


async def test_an_erased_person_leaves_only_tombstones_and_nothing_brings_her_back(
    platform: Platform,
) -> None:
    services = await start_all(platform)
    portal = services["portal"]
    email = f"marie-{uuid.uuid4().hex[:6]}@crest.example.org"
    person = await portal_person(portal, email)
    session = await give_her_data_everywhere(platform, services, person)
    for name, service in services.items():
        assert await mentions(service, person), f"{name} holds nothing about her yet"

    await delete_account_on_the_portal(portal, email)

    async def erased_everywhere() -> bool:
        return await nothing_personal_left(services, person)

    await wait_until(erased_everywhere, what="her erasure in every service", timeout_s=60)
    assert await portal.runtime.pool.fetchval(
        "SELECT erased_at IS NOT NULL FROM persons WHERE person_id = $1", uuid.UUID(person)
    )
    # Pseudonymised history stays: the loan, the detached quiz result, the enrolment.
    assert await services["lending"].runtime.pool.fetchval("SELECT count(*) FROM loans") == 1
    assert await services["diagnosis"].runtime.pool.fetchval("SELECT count(*) FROM responses") == 1
    assert await services["training"].runtime.pool.fetchval("SELECT count(*) FROM enrolments") == 1

    # Her token outlives the erasure: every service refuses it, and stores nothing.
    elected = {"authority": CREST, "roles": ("elected",)}
    attempts = {
        "diagnosis": ("POST", "/v1/responses", a_submission(8)),
        "notifications": ("PUT", "/v1/me/recipient", {"email": "m@example.org", "consent": True}),
        "matching": ("POST", "/v1/peer-calls", {"theme": "alimentation", "problem": "Encore."}),
        "lending": ("GET", "/v1/proposals", None),
        "training": ("GET", "/v1/offers/search", None),
    }
    for name, (method, path, body) in attempts.items():
        service = services[name]
        answer = await service.client.request(
            method, path, json=body, headers=service.auth(person, **elected)
        )
        assert answer.status_code == 410, (name, answer.text)
        assert answer.json()["code"] == "person_erased"
        assert "Ce compte a été supprimé" in answer.json()["detail"]

    # Late events about her (new ids: not inbox hits) are handled, acked, and skipped.
    matching, notifications = services["matching"], services["notifications"]
    before = {
        "matching": await handled(matching, "diagnosis.completed.v1"),
        "notifications": await handled(notifications, "diagnosis.completed.v1"),
        "sessions": await handled(notifications, "session.scheduled.v1"),
    }
    await publish(platform, diagnosed(person))
    await publish(platform, session)

    async def late_events_handled() -> bool:
        return (
            await handled(matching, "diagnosis.completed.v1") == before["matching"] + 1
            and await handled(notifications, "diagnosis.completed.v1")
            == before["notifications"] + 1
            and await handled(notifications, "session.scheduled.v1") == before["sessions"] + 1
        )

    await wait_until(late_events_handled, what="the late events handled")
    assert await nothing_personal_left(services, person)
    for service, key in (
        (matching, "diagnosis.completed.v1"),
        (notifications, "diagnosis.completed.v1"),
        (notifications, "session.scheduled.v1"),
    ):
        assert await drain(platform, dlq(service, key)) == [], (service.name, key)


async def test_a_second_erasure_is_harmless_and_only_the_portal_may_ask(
    platform: Platform,
) -> None:
    services = await start_all(platform)
    diagnosis = services["diagnosis"]
    kept, erased = f"kept-{uuid.uuid4().hex[:8]}", str(uuid.uuid4())
    for person in (kept, erased):
        quiz = await diagnosis.client.post(
            "/v1/responses", json=a_submission(), headers=diagnosis.auth(person)
        )
        assert quiz.status_code == 201, quiz.text

    request = PersonErasureRequested(person_id=erased, requested_at=datetime.now(UTC))
    await publish(platform, request)

    async def everywhere(count: int) -> bool:
        for service in services.values():
            if await handled(service, ERASURE) != count:
                return False
        return True

    await wait_until(lambda: everywhere(1), what="the erasure handled everywhere")
    first = await diagnosis.runtime.pool.fetchval(
        "SELECT erased_at FROM erased_people WHERE person_id = $1", erased
    )
    await publish(platform, request.model_copy(update={"requested_at": datetime.now(UTC)}))
    await wait_until(lambda: everywhere(2), what="the second erasure handled everywhere")
    for service in services.values():
        assert await mentions(service, erased) == {}, service.name
        count = await service.runtime.pool.fetchval(
            "SELECT count(*) FROM erased_people WHERE person_id = $1", erased
        )
        assert count == 1, service.name
    assert (
        await diagnosis.runtime.pool.fetchval(
            "SELECT erased_at FROM erased_people WHERE person_id = $1", erased
        )
        == first
    )

    # A compromised service asking for an erasure: dead-lettered everywhere, never handled.
    forged = PersonErasureRequested(person_id=kept, requested_at=datetime.now(UTC))
    await publish(platform, forged, source="lending")
    dead: dict[str, list[aio_pika.abc.AbstractIncomingMessage]] = {n: [] for n in services}

    async def all_dead_lettered() -> bool:
        for name, service in services.items():
            dead[name].extend(await drain(platform, dlq(service, ERASURE)))
        return all(dead.values())

    await wait_until(all_dead_lettered, what="the forged erasure in every DLQ")
    for name, letters in dead.items():
        assert [m.headers[KIND_HEADER] for m in letters] == ["unauthorized-producer"], name
        assert await handled(services[name], ERASURE) == 2, name
    assert (
        await diagnosis.runtime.pool.fetchval(
            "SELECT count(*) FROM responses WHERE person_id = $1", kept
        )
        == 1
    )
    assert not await diagnosis.runtime.is_erased(kept)
