"""Shared helpers of the lending tests (no tests here): real communes of the CC du
Crestois, a fixed clock, and shortcuts through the HTTP API."""

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import aio_pika
import httpx
import jsonschema
from platform_harness import Platform, RunningService

from deformations_common.codec import encode
from deformations_contracts.base import EventData
from deformations_devtools.testing import wait_until

SCHEMAS = Path(__file__).parents[1] / "contracts" / "schemas"

# Communes of the CC du Crestois et de Pays de Saillans Cœur de Drôme (200040509).
CREST = "212601082"  # Crest, 26108: the lender
AOUSTE = "212600118"  # Aouste-sur-Sye, 26011: the borrower
MIRABEL = "212601835"  # Mirabel-et-Blacons, 26183: a third commune of the same EPCI
CRESTOIS = "200040509"
# A commune of another EPCI and département: Péronnas (Ain, 01289).
PERONNAS = "210102893"

NOW = "2027-03-01T08:00:00+01:00"  # a Monday
PERIOD = {"start": "2027-03-01", "end": "2027-06-30"}
TUESDAY_AM = {"weekday": 2, "part": "am"}
THURSDAY_PM = {"weekday": 4, "part": "pm"}


def clock(at: str = NOW) -> dict[str, str]:
    return {"x-deformations-now": at}


class Actors:
    """Tokens of the people acting in the tests, with the fixed clock."""

    def __init__(self, service: RunningService) -> None:
        self.service = service

    def of(
        self, siren: str | None, *roles: str, sub: str | None = None, at: str = NOW
    ) -> dict[str, str]:
        person = sub or f"p-{uuid4().hex[:8]}"
        return {**self.service.auth(person, authority=siren, roles=roles), **clock(at)}

    def lender_elected(self, **kw: Any) -> dict[str, str]:
        return self.of(CREST, "elected", **kw)

    def lender_hr(self, **kw: Any) -> dict[str, str]:
        return self.of(CREST, "hr", **kw)

    def borrower(self, **kw: Any) -> dict[str, str]:
        return self.of(AOUSTE, "elected", **kw)

    def lender_agent(self, person: str, **kw: Any) -> dict[str, str]:
        """The agent the RH named, signed in as themself: the only one who consents."""
        return self.of(CREST, "agent", sub=person, **kw)


def offer_body(**changes: Any) -> dict[str, Any]:
    return {
        "theme": "alimentation",
        "description": "Accompagner une cantine vers 50 % de produits durables et locaux.",
        "agent_role": "Technicienne restauration collective",
        "agent_ref": "agent-restauration-1",
        "capacity_half_days": 4,
        "period": PERIOD,
        "possible_half_days": [TUESDAY_AM, THURSDAY_PM],
        "modality": "on_site",
        "reimbursement": "full_salary",
        **changes,
    }


def request_body(**changes: Any) -> dict[str, Any]:
    return {
        "theme": "alimentation",
        "need": (
            "Élu de petite commune avec peu d'agents cherche mise à niveau sur "
            "l'alimentation durable."
        ),
        "period": PERIOD,
        "half_days": 2,
        "possible_half_days": [TUESDAY_AM],
        "modality": "on_site",
        **changes,
    }


def created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def publish_offer(
    lending: RunningService, siren: str = CREST, **changes: Any
) -> dict[str, Any]:
    actors = Actors(lending)
    return created(
        await lending.client.post(
            "/v1/offers", json=offer_body(**changes), headers=actors.of(siren, "hr")
        )
    )


async def agreed_loan(
    lending: RunningService, *, half_days: int = 2, agent: str = "agent-crest-1", **offer: Any
) -> dict[str, Any]:
    """An offer of Crest and a loan to Aouste-sur-Sye, agreed by both."""
    actors = Actors(lending)
    published = await publish_offer(lending, **offer)
    loan = created(
        await lending.client.post(
            "/v1/loans",
            json={
                "offer_id": published["id"],
                "half_days": half_days,
                "period": PERIOD,
                "scope": "Deux demi-journées pour former l'équipe de la cantine au bio local.",
                "accept": True,
            },
            headers=actors.borrower(),
        )
    )
    base = f"/v1/loans/{loan['id']}"
    ok(await lending.client.post(f"{base}/approvals/elected", headers=actors.lender_elected()))
    ok(
        await lending.client.post(
            f"{base}/approvals/hr", json={"agent_person_id": agent}, headers=actors.lender_hr()
        )
    )
    agreed = ok(
        await lending.client.post(f"{base}/approvals/agent", headers=actors.lender_agent(agent))
    )
    assert agreed["status"] == "agreed"
    return agreed


def validate(message: aio_pika.abc.AbstractIncomingMessage) -> dict[str, Any]:
    """The event's data, checked against its committed JSON Schema."""
    headers = message.headers or {}
    routing_key = str(headers["ce-type"]).removeprefix("fr.deformations.")
    data: dict[str, Any] = json.loads(message.body)
    schema = json.loads((SCHEMAS / f"{routing_key}.json").read_text())
    jsonschema.validate(data, schema)
    assert headers["ce-source"] == "lending"
    assert message.routing_key == routing_key
    subject = str(headers["ce-subject"])
    assert subject in {str(v) for v in data.values()}, "ce-subject names the thing"
    return data


async def take(queue: aio_pika.abc.AbstractQueue, count: int) -> list[dict[str, Any]]:
    """The next ``count`` events of a tap, in order, each valid against its schema."""
    taken: list[dict[str, Any]] = []

    async def arrived() -> bool:
        message = await queue.get(fail=False, timeout=5)
        if message is not None:
            await message.ack()
            taken.append(validate(message))
        return len(taken) >= count

    await wait_until(arrived, what=f"{count} event(s) on {queue.name}")
    return taken


async def publish_event(platform: Platform, event: EventData, source: str) -> None:
    """Publish an event as its producing service would (CloudEvents binary mode)."""
    message = encode(event, source=source)
    connection = await aio_pika.connect(platform.infra.amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(f"deformations.events.{platform.namespace}")
        await exchange.publish(
            aio_pika.Message(
                message.body,
                headers=dict(message.headers),
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key=message.routing_key,
        )
    finally:
        await connection.close()


def day(iso: str) -> date:
    return date.fromisoformat(iso)


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso)
