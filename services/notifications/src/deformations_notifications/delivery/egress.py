"""An HTTP client for webhooks that connects only to public addresses.

The check runs in the network backend, on the addresses DNS gave, and the connection goes
to the very address checked: a name that resolves to 127.0.0.1, or changes between a check
and the connection (DNS rebinding), cannot reach the inside. TLS still verifies the name.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from deformations_notifications.domain.egress import IPNetwork, refusal


class EgressRefused(Exception):
    """The webhook's host resolves to an address webhooks may not reach."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class GuardedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, allowed: Iterable[IPNetwork] = ()) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._allowed = tuple(allowed)

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except OSError as error:
            raise httpcore.ConnectError(f"DNS: {error}") from error
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        # Every address must be acceptable: otherwise the name is refused as a whole.
        for address in addresses:
            reason = refusal(address, self._allowed)
            if reason is not None:
                raise EgressRefused(reason if address == host else f"{host} : {reason}")
        if not addresses:
            raise httpcore.ConnectError(f"DNS: no address for {host}")
        return await self._inner.connect_tcp(
            addresses[0], port, timeout, local_address, socket_options
        )

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def guarded_client(max_connections: int, allowed: Iterable[IPNetwork] = ()) -> httpx.AsyncClient:
    """No proxy from the environment either: a proxy would connect on our behalf, unchecked."""
    transport = httpx.AsyncHTTPTransport(trust_env=False)
    # httpx does not expose httpcore's network backend: give the pool one that checks.
    # Fail at start-up, not open, if a new httpx no longer keeps its pool there.
    if not isinstance(getattr(transport, "_pool", None), httpcore.AsyncConnectionPool):
        raise RuntimeError("httpx's transport no longer holds an httpcore pool: egress unguarded")
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=max_connections,
        max_keepalive_connections=max_connections,
        network_backend=GuardedBackend(allowed),
    )
    return httpx.AsyncClient(transport=transport, trust_env=False)
