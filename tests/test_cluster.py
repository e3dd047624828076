"""More than one machine: a three-node RabbitMQ cluster loses a node in a flood of events.

The cluster is the test's own (``own_rabbitmq_cluster``: three nodes on ports of their
own, one Erlang cookie); the machine's shared broker is never touched. The services are
given every node in ``AMQP_URL`` and connect to the first: that is the node stopped, so
their connections must fail over while the quorum queue elects a leader elsewhere.

A relay channel whose first publish met the queue mid-election was nacked for good by
RabbitMQ 3.10 (issue #16): every event waited in the outbox. The publisher now replaces a
channel that nacks (``deformations_common.messaging.EventPublisher``)."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest
from runtime_harness import Harness, Service, ping

from deformations_devtools.testing import Infra, OwnRabbitMQCluster, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.cluster]

EVENTS = 600


@pytest.fixture
async def harness(
    infra: Infra,
    own_rabbitmq_cluster: OwnRabbitMQCluster,
    database_url: str,
    namespace: str,
) -> AsyncIterator[Harness]:
    async with AsyncExitStack() as stack:
        cluster = Infra(own_rabbitmq_cluster.url, infra.admin_database_url)
        yield Harness(cluster, database_url, namespace, stack)


async def test_a_cluster_losing_a_node_mid_flood_loses_nothing_and_duplicates_nothing(
    harness: Harness, own_rabbitmq_cluster: OwnRabbitMQCluster
) -> None:
    assert await asyncio.to_thread(own_rabbitmq_cluster.running_nodes) == 3
    await harness.start_consumer()
    producer = await harness.start_producer()
    # The consumer's queue is a quorum queue replicated on the three nodes.
    queues = json.loads(
        await asyncio.to_thread(
            own_rabbitmq_cluster.nodes[1].ctl,
            "list_queues",
            "name",
            "type",
            "members",
            "--formatter",
            "json",
        )
    )
    main = next(q for q in queues if q["name"].endswith("ponger.test.pinged.v1"))
    assert main["type"] == "quorum"
    assert len(main["members"]) == 3

    async def produce() -> None:
        for n in range(EVENTS):
            async with producer.runtime.transaction() as conn:
                await producer.runtime.emit(conn, ping(n))
            await asyncio.sleep(0.005)  # a flood, yet still flowing when the node stops

    flood = asyncio.create_task(produce())
    await wait_until(lambda: _at_least(harness, 50), timeout_s=60, what="the flood under way")
    first = own_rabbitmq_cluster.nodes[0]
    await asyncio.to_thread(first.stop)
    assert not flood.done(), "the flood ended before the node stopped: nothing was tested"
    assert await asyncio.to_thread(own_rabbitmq_cluster.running_nodes) == 2

    await flood
    await wait_until(lambda: _at_least(harness, EVENTS), timeout_s=90, what="every event")
    effects = await harness.effects()
    assert len(effects) == EVENTS, "an event was handled twice"
    assert sorted(n for _, n in effects) == list(range(EVENTS)), "an event was lost"
    relay = producer.runtime.relay
    assert relay is not None
    assert await relay.pending_count() == 0

    async def whole_again(service: Service) -> bool:
        # Every connection of the service (consumers, relay, queue metrics) is up again.
        readiness = (await service.client.get("/readyz")).json()
        return readiness["ready"] and not readiness["degraded"]

    for service in harness.started:
        await wait_until(lambda s=service: whole_again(s), timeout_s=30, what="a whole service")


async def _at_least(harness: Harness, n: int) -> bool:
    effects = await harness.effects()
    assert len(effects) == len({p for p, _ in effects}), "an event had two effects"
    return len(effects) >= n
