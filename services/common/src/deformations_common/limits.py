"""Limits every service applies at its door: request body size and rate limits.

``BodyLimit`` refuses a body larger than ``MAX_BODY_BYTES`` with 413 before it is read:
at once from its ``Content-Length``, or as soon as the bytes received pass the limit
(a chunked body). ``RateLimits`` answers 429 with ``Retry-After`` to a client that
exceeds the limit of a route a service declared (``RateLimit`` in its
``ServiceDefinition``): an in-process token bucket per route pattern and client, so
each replica counts on its own. A client is the person of a valid bearer token when
there is one (the portal sends every signed-in person's requests from one address), else
the client address (the proxy's ``X-Forwarded-For`` is read only from trusted proxies:
``ServiceSettings.forwarded_allow_ips``). Both answer as RFC 9457 problem details in French.
"""

import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from deformations_common.errors import problem_response


@dataclass(frozen=True)
class RateLimit:
    """At most ``per_minute`` requests a minute from one client on the routes matching
    ``path`` (FastAPI syntax: ``/c/{token}``), with bursts of up to ``burst``."""

    path: str
    per_minute: float
    burst: int = 5
    methods: frozenset[str] = frozenset({"POST"})

    def pattern(self) -> re.Pattern[str]:
        parts = re.split(r"(\{[^}/]+\})", self.path)
        regex = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
        return re.compile(f"^{regex}/?$")


class BodyTooLarge(StarletteHTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit} bytes")
        self.limit = limit


def too_large_problem(limit: int, path: str) -> dict[str, Any]:
    return {
        "type": "https://deformations.fr/problems/content-too-large",
        "title": "Contenu trop volumineux",
        "status": 413,
        "detail": f"Le corps de la requête dépasse la taille admise ({limit} octets).",
        "code": "content_too_large",
        "max_bytes": limit,
        "instance": path,
    }


def too_many_problem(retry_after_s: int, path: str) -> dict[str, Any]:
    return {
        "type": "https://deformations.fr/problems/too-many-requests",
        "title": "Trop de requêtes",
        "status": 429,
        "detail": (
            "Trop de requêtes : réessayez dans "
            f"{retry_after_s} seconde{'s' if retry_after_s > 1 else ''}."
        ),
        "code": "too_many_requests",
        "retry_after_s": retry_after_s,
        "instance": path,
    }


class BodyLimit:
    """ASGI middleware: 413 for a body over ``max_bytes``, without reading all of it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_bytes:
                    body = too_large_problem(self.max_bytes, path)
                    await problem_response(413, body)(scope, receive, send)
                    return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            # Read outside FastAPI's handlers (which answer it themselves): answer here.
            if started:
                raise
            await problem_response(413, too_large_problem(self.max_bytes, path))(
                scope, receive, send
            )


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class TokenBuckets:
    """Token buckets of one limit, one per client, in memory."""

    limit: RateLimit
    multiplier: float = 1.0
    clock: Callable[[], float] = time.monotonic
    buckets: dict[str, _Bucket] = field(default_factory=dict)

    @property
    def rate_per_s(self) -> float:
        return self.limit.per_minute * self.multiplier / 60.0

    @property
    def capacity(self) -> float:
        return max(1.0, self.limit.burst * self.multiplier)

    def take(self, client: str) -> int:
        """0 when the request may go; else the seconds to wait before the next one."""
        now = self.clock()
        bucket = self.buckets.get(client)
        if bucket is None:
            if len(self.buckets) >= 10_000:
                self._forget_full(now)
            bucket = self.buckets[client] = _Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate_per_s)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0
        return max(1, math.ceil((1.0 - bucket.tokens) / self.rate_per_s))

    def _forget_full(self, now: float) -> None:
        """Drop clients whose bucket has refilled: they are as new (bounded memory)."""
        for client, bucket in list(self.buckets.items()):
            if bucket.tokens + (now - bucket.updated) * self.rate_per_s >= self.capacity:
                del self.buckets[client]


# The person a request speaks for (``sub`` of a valid bearer token), or None.
Identify = Callable[[Scope], str | None]


def client_key(scope: Scope, identify: Identify | None) -> str:
    """Whom a request counts against: its person when signed, else its address. The two
    never share a bucket, and a forged token counts against its address."""
    person = identify(scope) if identify is not None else None
    if person is not None:
        return f"person:{person}"
    client = scope.get("client")
    return f"address:{client[0] if client else 'unknown'}"


class RateLimits:
    """ASGI middleware: 429 with Retry-After once a client exceeds a declared limit."""

    def __init__(
        self,
        app: ASGIApp,
        limits: Sequence[RateLimit],
        *,
        multiplier: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        identify: Identify | None = None,
    ) -> None:
        self.app = app
        self.identify = identify
        self._routes = [
            (limit.pattern(), TokenBuckets(limit, multiplier, clock)) for limit in limits
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path, method = scope.get("path", ""), scope.get("method", "GET")
            for pattern, buckets in self._routes:
                if method in buckets.limit.methods and pattern.match(path):
                    wait = buckets.take(client_key(scope, self.identify))
                    if wait:
                        response = problem_response(429, too_many_problem(wait, path))
                        await response(scope, receive, send)
                        return
                    break
        await self.app(scope, receive, send)
