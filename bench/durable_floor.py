"""The latency floor of the slice's durable steps on bare PostgreSQL and RabbitMQ.

The slice commits a request, publishes its event with a confirm, delivers it and commits
its effect. This probe takes the same four steps with nothing else: an INSERT committed,
a persistent message confirmed by a quorum queue, consumed, and a second INSERT
committed. Run beside the slice, in the same minutes, it shows how much of the slice's
tail is the disk's (a commit waits for its WAL flush, a confirm for the queue's fsync).
"""

import asyncio
import time
from uuid import uuid4

import aio_pika
import asyncpg


async def durable_floor(
    amqp_url: str, database_url: str, *, rate: float, n: int, delay: float = 0.0
) -> list[float]:
    """Milliseconds of each of ``n`` probes sent at ``rate`` per second after ``delay``."""
    table = f"floor_{uuid4().hex[:8]}"
    queue_name = f"floor-{uuid4().hex[:8]}"
    pool = await asyncpg.create_pool(database_url, min_size=2, max_size=8)
    publishing = await aio_pika.connect(amqp_url)
    consuming = await aio_pika.connect(amqp_url)
    try:
        await pool.execute(f"CREATE TABLE {table} (probe int NOT NULL, step int NOT NULL)")
        channel = await publishing.channel(publisher_confirms=True)
        queue = await (await consuming.channel()).declare_queue(
            queue_name, durable=True, arguments={"x-queue-type": "quorum"}
        )
        delivered: dict[int, asyncio.Future[None]] = {}

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            async with pool.acquire() as conn:
                await conn.execute(f"INSERT INTO {table} VALUES ($1, 2)", int(message.body))
            await message.ack()
            delivered[int(message.body)].set_result(None)

        await queue.consume(on_message)
        loop = asyncio.get_running_loop()
        start = time.monotonic() + delay
        latencies: list[float] = []

        async def probe(i: int) -> None:
            await asyncio.sleep(max(0.0, start + i / rate - time.monotonic()))
            delivered[i] = loop.create_future()
            t0 = time.monotonic()
            async with pool.acquire() as conn:
                await conn.execute(f"INSERT INTO {table} VALUES ($1, 1)", i)
            await channel.default_exchange.publish(
                aio_pika.Message(str(i).encode(), delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                routing_key=queue_name,
            )
            await asyncio.wait_for(delivered[i], timeout=60)
            latencies.append((time.monotonic() - t0) * 1000)

        await asyncio.gather(*(probe(i) for i in range(n)))
        return latencies
    finally:
        await (await publishing.channel()).queue_delete(queue_name)
        await pool.execute(f"DROP TABLE IF EXISTS {table}")
        await publishing.close()
        await consuming.close()
        await pool.close()
