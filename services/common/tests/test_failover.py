"""Several broker nodes in AMQP_URL: connections go to the first node that answers."""

import asyncio
from collections.abc import AsyncIterator

import aio_pika
import pytest
from yarl import URL

from deformations_common.messaging import (
    BROKER_HEARTBEAT_S,
    EventPublisher,
    amqp_urls,
    connect_robust,
    create_broker,
)
from deformations_common.settings import ServiceSettings
from deformations_devtools.testing import Infra, free_port


def test_amqp_url_lists_nodes_separated_by_commas() -> None:
    assert amqp_urls("amqp://a:1@n1:5672/, amqp://a:1@n2:5673/,") == [
        "amqp://a:1@n1:5672/",
        "amqp://a:1@n2:5673/",
    ]
    with pytest.raises(ValueError, match="no broker node"):
        amqp_urls(" , ")


def test_each_node_asks_for_the_heartbeat_unless_its_url_sets_one() -> None:
    urls = amqp_urls("amqp://a:1@n1:5672/vh,amqp://a:1@n2:5672/?heartbeat=5", heartbeat_s=15)
    assert [URL(u).query.get("heartbeat") for u in urls] == ["15", "5"]
    assert URL(urls[0]).path == "/vh" and URL(urls[0]).password == "1"


def test_the_services_broker_asks_for_the_settings_heartbeat() -> None:
    settings = ServiceSettings(
        environment="test", amqp_url="amqp://u:p@n1:5672/,amqp://u:p@n2:5672/"
    )
    assert settings.broker_heartbeat_s == BROKER_HEARTBEAT_S == 15
    broker = create_broker(settings.model_copy(update={"broker_heartbeat_s": 7}))
    failover = broker._connection_kwargs["connection_class"]
    assert [URL(u).query["heartbeat"] for u in failover.keywords["urls"]] == ["7", "7"]


def _same_node(connection: aio_pika.abc.AbstractRobustConnection, amqp_url: str) -> bool:
    url = URL(amqp_url)
    return (connection.url.host, connection.url.port) == (url.host, url.port)


def _with_dead_node_first(infra: Infra) -> str:
    dead = f"amqp://guest:guest@127.0.0.1:{free_port()}/"  # nothing listens there
    return f"{dead},{infra.amqp_url}"


@pytest.mark.integration
async def test_a_connection_skips_a_node_that_is_down(infra: Infra) -> None:
    connection = await connect_robust(_with_dead_node_first(infra), reconnect_interval=0.2)
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue(exclusive=True)
        await channel.default_exchange.publish(aio_pika.Message(b"x"), routing_key=queue.name)
        message = await queue.get(timeout=5)
        assert message.body == b"x"
        assert _same_node(connection, infra.amqp_url)
    finally:
        await connection.close()


@pytest.mark.integration
@pytest.mark.parametrize(("query", "heartbeat"), [("", BROKER_HEARTBEAT_S), ("?heartbeat=5", 5)])
async def test_a_connection_runs_with_the_heartbeat_asked_for(
    infra: Infra, query: str, heartbeat: int
) -> None:
    connection = await connect_robust(infra.amqp_url + query)
    try:
        assert connection.transport is not None
        assert connection.transport.connection.heartbeat_timeout == heartbeat
    finally:
        await connection.close()


@pytest.fixture
async def silent_node() -> AsyncIterator[str]:
    """An AMQP URL whose node accepts the TCP connection and then never says a word, as
    a node shutting down, overloaded or cut off without a FIN can."""
    held: list[asyncio.StreamWriter] = []

    async def accept(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"amqp://guest:guest@127.0.0.1:{port}/"
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


@pytest.mark.integration
async def test_a_node_that_never_answers_is_given_up_for_the_next(
    infra: Infra, silent_node: str
) -> None:
    # Without a deadline on each node's attempt, the connection waits for ever on the first.
    connection = await asyncio.wait_for(
        connect_robust(f"{silent_node},{infra.amqp_url}", attempt_timeout_s=0.5),
        timeout=10,
    )
    try:
        assert _same_node(connection, infra.amqp_url)
        channel = await connection.channel()
        await channel.declare_queue(exclusive=True)
    finally:
        await connection.close()


@pytest.mark.integration
async def test_the_relay_publisher_fails_over_too(infra: Infra, namespace: str) -> None:
    exchange = f"failover.{namespace}"
    setup = await aio_pika.connect(infra.amqp_url)
    async with setup:
        channel = await setup.channel()
        await channel.declare_exchange(exchange, aio_pika.ExchangeType.TOPIC, auto_delete=True)
        publisher = EventPublisher(_with_dead_node_first(infra), exchange)
        await publisher.start()
        try:
            assert publisher.connected
        finally:
            await publisher.stop()


def test_settings_accept_a_list_of_nodes() -> None:
    settings = ServiceSettings(
        environment="test", amqp_url="amqp://u:p@n1:5672/,amqp://u:p@n2:5672/"
    )
    assert len(amqp_urls(settings.amqp_url)) == 2
