"""Clear words, not a traceback, when the broker or the database cannot be reached."""

import asyncio
from urllib.parse import urlsplit, urlunsplit

import aio_pika
import asyncpg

from deformations_common.messaging import connect_robust


class Unreachable(RuntimeError):
    pass


def masked(url: str) -> str:
    """The URL without its password; each of them for a comma-separated list of nodes."""
    if "," in url:
        return ",".join(masked(one.strip()) for one in url.split(","))
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


async def check_database(url: str, wait_s: float = 5.0) -> None:
    try:
        conn = await asyncpg.connect(url, timeout=wait_s)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        raise Unreachable(
            f"Cannot reach PostgreSQL at DATABASE_URL={masked(url)}"
            f" ({type(exc).__name__}: {exc}).\n"
            "Start one (e.g. `pg_ctlcluster 15 main start`, or `docker compose up -d postgres`)"
            " or set DATABASE_URL."
        ) from exc
    await conn.close()


async def check_broker(url: str, wait_s: float = 5.0) -> None:
    try:
        conn = await asyncio.wait_for(connect_robust(url), timeout=wait_s)
    except (OSError, TimeoutError, aio_pika.exceptions.AMQPError) as exc:
        raise Unreachable(
            f"Cannot reach RabbitMQ at AMQP_URL={masked(url)} ({type(exc).__name__}: {exc}).\n"
            "Start one (e.g. `rabbitmq-server -detached`, or `docker compose up -d rabbitmq`)"
            " or set AMQP_URL."
        ) from exc
    await conn.close()


async def check_all(database_url: str, amqp_url: str) -> None:
    await check_database(database_url)
    await check_broker(amqp_url)
