"""The bare broker ceiling, measured the same way as the workplace's ceiling script.

Persistent messages published with confirms (a window of in-flight publishes) to a
durable quorum queue and consumed with manual acks on another connection.
"""

import asyncio
import json
import time
import uuid

import aio_pika


async def amqp_ceiling(url: str, n: int, window: int = 256) -> float:
    name = f"ceiling-{uuid.uuid4().hex[:8]}"
    pub_conn = await aio_pika.connect_robust(url)
    sub_conn = await aio_pika.connect_robust(url)
    try:
        pub_ch = await pub_conn.channel(publisher_confirms=True)
        sub_ch = await sub_conn.channel()
        await sub_ch.set_qos(prefetch_count=window)
        queue = await sub_ch.declare_queue(name, durable=True, arguments={"x-queue-type": "quorum"})
        done = asyncio.Event()
        received = 0

        async def on_message(msg: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal received
            await msg.ack()
            received += 1
            if received >= n:
                done.set()

        await queue.consume(on_message)
        body = json.dumps({"id": "x" * 36, "payload": "y" * 400}).encode()
        sem = asyncio.Semaphore(window)

        async def publish_one() -> None:
            async with sem:
                await pub_ch.default_exchange.publish(
                    aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                    routing_key=name,
                )

        t0 = time.perf_counter()
        await asyncio.gather(*(publish_one() for _ in range(n)))
        await asyncio.wait_for(done.wait(), timeout=600)
        elapsed = time.perf_counter() - t0
        await queue.delete(if_unused=False, if_empty=False)
        return n / elapsed
    finally:
        await pub_conn.close()
        await sub_conn.close()
