"""The operators' dead-letter API of every service, on the real broker and database."""

import uuid

from runtime_harness import REJECTED_N, Harness, pg_connect, ping

from deformations_common.auth import issue_dev_token
from deformations_common.codec import encode
from deformations_devtools.testing import wait_until

LETTERS = "/v1/operations/dead-letters"


def _bearer(harness: Harness, person: str, *roles: str) -> dict[str, str]:
    token = issue_dev_token(harness.settings("ponger"), person, roles=list(roles))
    return {"authorization": f"Bearer {token}"}


async def test_an_operator_lists_redrives_and_the_letter_is_consumed(harness: Harness) -> None:
    consumer = await harness.start_consumer()
    event = ping(7)
    harness.behaviour.failures_left[event.ping_id] = 1_000
    message = encode(event, source="pinger")
    await harness.publish_raw(message.body, dict(message.headers))
    operator = str(uuid.uuid4())
    as_operator = _bearer(harness, operator, "operator")

    async def listed() -> bool:
        answer = await consumer.client.get(LETTERS, headers=as_operator)
        return answer.status_code == 200 and answer.json()["total"] == 1

    await wait_until(listed, what="the poison event listed")
    listing = (await consumer.client.get(LETTERS, headers=as_operator)).json()
    assert listing["service"] == "ponger"
    [queue] = listing["queues"]
    assert queue["count"] == 1 and queue["kinds"] == {"exhausted": 1}
    [letter] = listing["letters"]
    assert letter["id"] == str(message.event_id)
    assert letter["type"] == "fr.deformations.test.pinged.v1"
    assert letter["kind"] == "exhausted" and letter["attempts"] >= 2
    assert letter["failed_at"] is not None
    # The outline never carries the payload.
    assert "body" not in letter and str(event.ping_id) not in str(listing)

    # Anyone else is refused, in French, and nothing moves.
    for headers in (_bearer(harness, operator, "hr"), {}):
        refused = await consumer.client.post(
            f"{LETTERS}/redrive", json={"ids": [letter["id"]]}, headers=headers
        )
        assert refused.status_code in (401, 403)
    refused = await consumer.client.get(LETTERS, headers=_bearer(harness, operator, "elected"))
    assert refused.status_code == 403 and "opérateur" in refused.json()["detail"]
    empty = await consumer.client.post(f"{LETTERS}/redrive", json={"ids": []}, headers=as_operator)
    assert empty.status_code == 422 and "au moins un message" in empty.json()["detail"]

    harness.behaviour.failures_left.clear()  # the handler is fixed
    done = await consumer.client.post(
        f"{LETTERS}/redrive", json={"ids": [letter["id"]]}, headers=as_operator
    )
    assert done.status_code == 200
    assert [d["id"] for d in done.json()["done"]] == [letter["id"]]

    async def consumed() -> bool:
        return [n for _, n in await harness.effects()] == [7]

    await wait_until(consumed, what="the re-driven event handled")
    after = (await consumer.client.get(LETTERS, headers=as_operator)).json()
    assert after["total"] == 0 and after["letters"] == []
    conn = await pg_connect(harness.database_url)
    try:
        rows = await conn.fetch("SELECT action, operator, ce_id FROM ponger.dead_letter_actions")
    finally:
        await conn.close()
    assert [tuple(r) for r in rows] == [("redrive", f"person:{operator}", letter["id"])]


async def test_discard_removes_only_the_chosen_letter(harness: Harness) -> None:
    consumer = await harness.start_consumer()
    messages = [encode(ping(REJECTED_N), source="pinger") for _ in range(2)]
    for message in messages:
        await harness.publish_raw(message.body, dict(message.headers))
    as_operator = _bearer(harness, str(uuid.uuid4()), "operator")

    async def two() -> bool:
        listing = (await consumer.client.get(LETTERS, headers=as_operator)).json()
        return bool(listing["total"] == 2)

    await wait_until(two, what="two rejected letters")
    first = str(messages[0].event_id)
    done = await consumer.client.post(
        f"{LETTERS}/discard", json={"ids": [first]}, headers=as_operator
    )
    assert [d["id"] for d in done.json()["done"]] == [first]
    listing = (await consumer.client.get(LETTERS, headers=as_operator)).json()
    assert [x["id"] for x in listing["letters"]] == [str(messages[1].event_id)]
    unknown = await consumer.client.post(
        f"{LETTERS}/discard", json={"ids": [first], "queue": "nope"}, headers=as_operator
    )
    assert unknown.status_code == 404
