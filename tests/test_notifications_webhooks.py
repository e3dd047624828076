"""Webhooks end to end: an event on the broker reaches a real HTTP receiver that verifies
its Standard Webhooks signature; retries with back-off, pause after repeated failures."""

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from platform_harness import Platform, RunningService
from test_notifications_e2e import (
    diagnosis_completed,
    idle_rounds,
    loan,
    notifications_of,
    publish,
    register,
    start_notifications,
)

from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.events.lending import LoanAgreed, LoanCompleted
from deformations_devtools.notifications.catchers import MailCatcher, WebhookReceiver
from deformations_devtools.testing import wait_until

pytestmark = pytest.mark.integration
OPERATOR = {"roles": ("operator",)}
# The test receiver listens on loopback, which webhooks may not reach unless opened.
LOOPBACK = {"webhook_allowed_networks": ["127.0.0.1/32"]}


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    async with WebhookReceiver.running() as running:
        yield running


@pytest.fixture
async def smtp() -> AsyncIterator[MailCatcher]:
    async with MailCatcher.running() as catcher:
        yield catcher


async def subscribe(
    service: RunningService, receiver: WebhookReceiver, event_types: list[str]
) -> dict[str, Any]:
    response = await service.client.post(
        "/v1/webhooks",
        json={"url": receiver.url, "event_types": event_types, "description": "LMS régional"},
        headers=service.auth("ops", **OPERATOR),
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    receiver.secrets.append(created["secret"])
    return created


async def deliveries(service: RunningService, subscription_id: str) -> list[dict[str, Any]]:
    response = await service.client.get(
        f"/v1/webhooks/{subscription_id}/deliveries", headers=service.auth("ops", **OPERATOR)
    )
    assert response.status_code == 200
    found: list[dict[str, Any]] = response.json()
    return found


def near_now() -> ManualClock:
    # Receivers check the signed timestamp against their own clock (±5 minutes).
    return ManualClock(datetime.now(UTC))


async def test_deliveries_are_signed_logged_and_retried(
    platform: Platform, receiver: WebhookReceiver, smtp: MailCatcher
) -> None:
    clock = near_now()
    service = await start_notifications(platform, clock, smtp, retry_base_s=1.0, **LOOPBACK)
    created = await subscribe(service, receiver, ["loan.*"])
    listed = await service.client.get("/v1/webhooks", headers=service.auth("ops", **OPERATOR))
    assert "secret" not in listed.json()[0]  # shown once, at creation

    event_id = await publish(platform, loan(LoanAgreed, uuid4(), "agent-1"))
    await wait_until(lambda: len(receiver.accepted) == 1, what="the first delivery")
    webhook_id, body = receiver.accepted[0]
    document = json.loads(body)
    assert document["type"] == "fr.deformations.loan.agreed.v1"
    assert document["id"] == str(event_id)
    assert document["data"]["lender_siren"] == "212601082"

    receiver.statuses = [503]
    await publish(platform, loan(LoanCompleted, uuid4(), "agent-1"))

    async def refused_once() -> bool:
        found = await deliveries(service, created["id"])
        return len(found) == 2 and found[0]["attempts"] == 1

    await wait_until(refused_once, what="a refused delivery")
    await idle_rounds(service)
    assert len(receiver.accepted) == 1  # waits for its back-off
    clock.advance(timedelta(seconds=5))
    await wait_until(lambda: len(receiver.accepted) == 2, what="the retried delivery")
    await idle_rounds(service)
    [retried, first] = await deliveries(service, created["id"])
    assert first["status"] == "delivered" and first["webhook_id"] == webhook_id
    assert retried["status"] == "delivered"
    assert [a["status"] for a in retried["attempt_log"]] == [503, 204]
    assert receiver.rejected_signatures == 0


async def test_a_subscription_is_paused_after_repeated_failures_then_resumed(
    platform: Platform, receiver: WebhookReceiver, smtp: MailCatcher
) -> None:
    service = await start_notifications(
        platform, near_now(), smtp, retry_max_attempts=1, webhook_max_failures=2, **LOOPBACK
    )
    created = await subscribe(service, receiver, ["loan.agreed.v1"])
    receiver.failing = True
    for _ in range(2):
        await publish(platform, loan(LoanAgreed, uuid4(), "agent-1"))

    async def paused() -> bool:
        response = await service.client.get(
            f"/v1/webhooks/{created['id']}", headers=service.auth("ops", **OPERATOR)
        )
        return response.json()["paused_at"] is not None

    await wait_until(paused, what="the paused subscription")
    assert {d["status"] for d in await deliveries(service, created["id"])} == {"failed"}

    await publish(platform, loan(LoanAgreed, uuid4(), "agent-1"))

    async def held() -> bool:
        return len(await deliveries(service, created["id"])) == 3

    await wait_until(held, what="the delivery held while paused")
    await idle_rounds(service)
    newest = (await deliveries(service, created["id"]))[0]
    assert newest["attempts"] == 0

    receiver.failing = False
    resumed = await service.client.post(
        f"/v1/webhooks/{created['id']}/resume", headers=service.auth("ops", **OPERATOR)
    )
    assert resumed.status_code == 200 and resumed.json()["paused_at"] is None
    await wait_until(lambda: len(receiver.accepted) == 1, what="the held delivery")
    metrics = (await service.client.get("/metrics")).text
    assert 'notifications_delivery_failed_total{channel="webhook"}' in metrics


async def test_only_operators_manage_webhooks_and_bad_input_is_refused(
    platform: Platform, receiver: WebhookReceiver, smtp: MailCatcher
) -> None:
    service = await start_notifications(platform, near_now(), smtp)
    body = {"url": receiver.url, "event_types": ["loan.*"]}
    elected = await service.client.post(
        "/v1/webhooks", json=body, headers=service.auth("elu", roles=("elected",))
    )
    assert elected.status_code == 403
    bad = await service.client.post(
        "/v1/webhooks",
        json={"url": "ftp://x", "event_types": ["loan"]},
        headers=service.auth("ops", **OPERATOR),
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    missing = await service.client.get(
        f"/v1/webhooks/{uuid4()}/deliveries", headers=service.auth("ops", **OPERATOR)
    )
    assert missing.status_code == 404
    assert await service.runtime.pool.fetchval("SELECT count(*) FROM webhook_subscriptions") == 0


async def test_a_webhook_to_loopback_is_refused_with_its_reason(
    platform: Platform, receiver: WebhookReceiver, smtp: MailCatcher
) -> None:
    service = await start_notifications(platform, near_now(), smtp)
    ops = service.auth("ops", **OPERATOR)
    for url in (receiver.url, "http://169.254.169.254/latest", "http://[::1]:8080/hook"):
        literal = await service.client.post(
            "/v1/webhooks", json={"url": url, "event_types": ["*"]}, headers=ops
        )
        assert literal.status_code == 422, url
        assert literal.json()["code"] == "webhook_address_refused"
        assert "adresse refusée" in literal.json()["detail"]
    assert (await service.client.get("/v1/webhooks", headers=ops)).json() == []

    # A name is judged on what it resolves to, when connecting.
    named = receiver.url.replace("127.0.0.1", "localhost")
    response = await service.client.post(
        "/v1/webhooks", json={"url": named, "event_types": ["loan.*"]}, headers=ops
    )
    assert response.status_code == 201
    receiver.secrets.append(response.json()["secret"])
    await publish(platform, loan(LoanAgreed, uuid4(), "agent-1"))

    async def refused() -> bool:
        found = await deliveries(service, response.json()["id"])
        return bool(found) and found[0]["status"] == "failed"

    await wait_until(refused, what="the refused delivery")
    [delivery] = await deliveries(service, response.json()["id"])
    assert "localhost" in delivery["last_error"] and "bouclage" in delivery["last_error"]
    assert receiver.accepted == [] and receiver.rejected_signatures == 0


async def test_a_slow_webhook_does_not_delay_an_email(
    platform: Platform, receiver: WebhookReceiver, smtp: MailCatcher
) -> None:
    service = await start_notifications(
        platform, near_now(), smtp, webhook_timeout_s=2.0, **LOOPBACK
    )
    created = await subscribe(service, receiver, ["loan.*"])
    receiver.delay_s = 6.0  # answers long after the delivery's total timeout
    await publish(platform, loan(LoanAgreed, uuid4(), "agent-1"))
    await wait_until(lambda: receiver.requests == 1, what="the webhook in flight")

    person = f"elu-{uuid4().hex[:8]}"
    await register(service, person, quiet_hours=None)  # the clock is real: maybe at night
    await publish(platform, diagnosis_completed(person), source="diagnosis")
    await wait_until(lambda: len(smtp.received) == 1, what="the mail")
    assert receiver.accepted == []  # the mail went while the webhook was still waiting
    assert (await notifications_of(service, person))[0]["status"] == "sent"

    async def timed_out() -> bool:
        found = await deliveries(service, created["id"])
        return bool(found) and found[0]["attempts"] == 1

    await wait_until(timed_out, what="the delivery cut at its total timeout")
    [delivery] = await deliveries(service, created["id"])
    assert delivery["status"] == "pending" and "délai total de 2 s" in delivery["last_error"]


async def test_an_operator_retries_a_failed_delivery_once(
    platform: Platform, receiver: WebhookReceiver, smtp: MailCatcher
) -> None:
    service = await start_notifications(
        platform, near_now(), smtp, retry_max_attempts=1, **LOOPBACK
    )
    created = await subscribe(service, receiver, ["loan.agreed.v1"])
    receiver.failing = True
    await publish(platform, loan(LoanAgreed, uuid4(), "agent-1"))
    ops = service.auth("ops", **OPERATOR)

    async def failed() -> list[dict[str, Any]]:
        response = await service.client.get("/v1/webhook-deliveries", headers=ops)
        assert response.status_code == 200
        found: list[dict[str, Any]] = response.json()
        return found

    await wait_until(lambda: _nonempty(failed), what="the failed delivery")
    [delivery] = await failed()
    assert delivery["url"] == receiver.url and delivery["event_type"] == "loan.agreed.v1"
    assert "body" not in delivery  # never the content
    refused = await service.client.post(
        f"/v1/webhook-deliveries/{delivery['id']}/retry", headers=service.auth("elue")
    )
    assert refused.status_code == 403

    receiver.failing = False
    retried = await service.client.post(
        f"/v1/webhook-deliveries/{delivery['id']}/retry", headers=ops
    )
    assert retried.status_code == 202
    await wait_until(lambda: len(receiver.accepted) == 1, what="the retried delivery")
    again = await service.client.post(f"/v1/webhook-deliveries/{delivery['id']}/retry", headers=ops)
    assert again.status_code == 404 and again.json()["code"] == "delivery_not_failed"
    await idle_rounds(service)
    assert len(receiver.accepted) == 1 and await failed() == []
    [done] = await deliveries(service, created["id"])
    assert done["status"] == "delivered"


async def _nonempty(listing: Any) -> bool:
    return bool(await listing())
