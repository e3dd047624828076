"""Local receivers for runs without real infrastructure: an SMTP catcher, a webhook receiver.

``make run``, the benchmark and the end-to-end tests use them: both are real servers on
127.0.0.1 (aiosmtpd speaks SMTP, uvicorn speaks HTTP), so a mail or a webhook that reaches
them went through the same sockets and protocols as in production.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import ssl
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage

import uvicorn
from aiosmtpd import smtp as aiosmtpd_smtp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from deformations_notifications.delivery.signatures import InvalidSignatureError, verify


@dataclass
class MailCatcher:
    """An aiosmtpd handler keeping what it accepts; ``refuse_with`` makes it refuse for a while."""

    port: int = 0
    received: list[bytes] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    refuse_with: str | None = None  # e.g. "451 4.3.0 try again later"
    refused: int = 0
    # Per accepted mail, the TLS version of its connection (None: in clear).
    tls: list[str | None] = field(default_factory=list)

    async def handle_DATA(  # noqa: N802 - the name aiosmtpd calls
        self,
        server: aiosmtpd_smtp.SMTP,
        session: aiosmtpd_smtp.Session,
        envelope: aiosmtpd_smtp.Envelope,
    ) -> str:
        if self.refuse_with is not None:
            self.refused += 1
            return self.refuse_with
        content = envelope.content
        self.received.append(content if isinstance(content, bytes) else (content or "").encode())
        self.recipients.append(list(envelope.rcpt_tos))
        ssl_object = server.transport.get_extra_info("ssl_object") if server.transport else None
        self.tls.append(ssl_object.version() if ssl_object is not None else None)
        return "250 2.0.0 OK"

    def messages(self) -> list[EmailMessage]:
        parsed = []
        for raw in self.received:
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            assert isinstance(msg, EmailMessage)
            parsed.append(msg)
        return parsed

    def to(self, address: str) -> list[EmailMessage]:
        pairs = zip(self.messages(), self.recipients, strict=True)
        return [message for message, rcpts in pairs if address in rcpts]

    @classmethod
    @asynccontextmanager
    async def running(
        cls, host: str = "127.0.0.1", port: int = 0, *, tls: ssl.SSLContext | None = None
    ) -> AsyncIterator[MailCatcher]:
        """Listening on ``host:port``; with ``tls``, SMTPS (implicit TLS from the first byte)."""
        catcher = cls()
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: aiosmtpd_smtp.SMTP(catcher, hostname="catcher.local", decode_data=False),
            host,
            port,
            ssl=tls,
        )
        catcher.port = server.sockets[0].getsockname()[1]
        try:
            yield catcher
        finally:
            server.close()
            await server.wait_closed()


@dataclass
class WebhookReceiver:
    """Verifies Standard Webhooks signatures as a subscriber would; answers ``statuses`` first."""

    url: str = ""
    secrets: list[str] = field(default_factory=list)
    accepted: list[tuple[str, bytes]] = field(default_factory=list)
    rejected_signatures: int = 0
    statuses: list[int] = field(default_factory=list)  # consumed one per request, then 204
    failing: bool = False  # answer 503 to everything while set
    delay_s: float = 0.0  # a slow receiver: wait this long before answering
    requests: int = 0  # every request that reached the receiver

    async def hook(self, request: Request) -> Response:
        body = await request.body()
        self.requests += 1
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        try:
            message_id = verify(self.secrets, dict(request.headers), body, now=int(time.time()))
        except InvalidSignatureError:
            self.rejected_signatures += 1
            return Response("invalid signature", status_code=401)
        if self.failing:
            return Response("unavailable", status_code=503)
        if self.statuses:
            status = self.statuses.pop(0)
            if status >= 300:
                return Response("not now", status_code=status)
        self.accepted.append((message_id, body))
        return Response(status_code=204)

    @classmethod
    @asynccontextmanager
    async def running(cls) -> AsyncIterator[WebhookReceiver]:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        # Listening before uvicorn starts: connections wait in the backlog, no start-up race.
        sock.listen(1024)
        sock.setblocking(False)
        receiver = cls(url=f"http://127.0.0.1:{sock.getsockname()[1]}/hook")
        app = Starlette(routes=[Route("/hook", receiver.hook, methods=["POST"])])
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve(sockets=[sock]))
        try:
            yield receiver
        finally:
            server.should_exit = True
            await task
            sock.close()
