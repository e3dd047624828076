"""A service stops promptly when its database was dropped under it, as a test's teardown
may do: a stop step that never ended (the pool's close) was once seen there. Every step
is bounded (``service.STOP_STEP_S``); these check none even needs its bound."""

import asyncio
import time
from contextlib import AsyncExitStack

from runtime_harness import Harness, ping

from deformations_common.codec import encode
from deformations_common.service import STOP_STEP_S
from deformations_devtools.testing import Infra, drop_database, wait_until


async def test_a_service_stops_promptly_after_its_database_was_dropped_mid_handling(
    infra: Infra, database_url: str, namespace: str
) -> None:
    stack = AsyncExitStack()
    harness = Harness(infra, database_url, namespace, stack)
    harness.behaviour.hold = asyncio.Event()  # handlers wait inside their transaction
    consumer = await harness.start_consumer()
    await harness.start_producer()
    for n in range(3):
        message = encode(ping(n), source="pinger")
        await harness.publish_raw(message.body, dict(message.headers))
    await wait_until(lambda: bool(harness.behaviour.calls), what="a handler in its transaction")
    await drop_database(infra.admin_database_url, database_url)
    harness.behaviour.hold.set()  # the handlers now meet a database that is gone
    gate = consumer.runtime.gate
    assert gate is not None
    # The handlers' connections died with it: the consumer probes for the database.
    await wait_until(lambda: not gate.up, what="the consumer waiting for its database")
    started = time.monotonic()
    await asyncio.wait_for(stack.aclose(), timeout=4 * STOP_STEP_S)
    assert time.monotonic() - started < STOP_STEP_S / 2
