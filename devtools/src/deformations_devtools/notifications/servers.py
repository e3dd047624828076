"""Real servers for the notifications tests: an SMTP server whose replies a test scripts, and
a webhook receiver that verifies signatures (both on 127.0.0.1, both real protocols)."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import uvicorn
from aiosmtpd import smtp as aiosmtpd_smtp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from deformations_notifications.delivery.signatures import InvalidSignatureError, verify


@dataclass
class MailSink:
    """An aiosmtpd handler that keeps what it accepts and refuses on demand."""

    replies: list[str] = field(default_factory=list)  # consumed one per DATA, then 250
    received: list[bytes] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    refused: int = 0

    async def handle_DATA(  # noqa: N802 - the name aiosmtpd calls
        self,
        server: aiosmtpd_smtp.SMTP,
        session: aiosmtpd_smtp.Session,
        envelope: aiosmtpd_smtp.Envelope,
    ) -> str:
        if self.replies:
            reply = self.replies.pop(0)
            if not reply.startswith("250"):
                self.refused += 1
                return reply
        assert isinstance(envelope.content, bytes)
        self.received.append(envelope.content)
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 2.0.0 OK"


@dataclass
class RunningSmtp:
    port: int
    sink: MailSink


@asynccontextmanager
async def smtp_server() -> AsyncIterator[RunningSmtp]:
    sink = MailSink()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: aiosmtpd_smtp.SMTP(sink, hostname="mail.test", decode_data=False), "127.0.0.1", 0
    )
    port = server.sockets[0].getsockname()[1]
    try:
        yield RunningSmtp(port=port, sink=sink)
    finally:
        server.close()
        await server.wait_closed()


WEBHOOK_SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # test-only secret


@dataclass
class Receiver:
    url: str
    accepted: list[tuple[str, bytes]] = field(default_factory=list)
    rejected_signatures: int = 0
    statuses: list[int] = field(default_factory=list)  # consumed one per request, then 204


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    # Listening before uvicorn starts: connections wait in the backlog, no start-up race.
    sock.listen(128)
    sock.setblocking(False)
    return sock


@asynccontextmanager
async def webhook_receiver() -> AsyncIterator[Receiver]:
    """A real HTTP server that verifies Standard Webhooks signatures like a subscriber would."""
    sock = _free_socket()
    port = sock.getsockname()[1]
    receiver = Receiver(url=f"http://127.0.0.1:{port}/hook")

    async def hook(request: Request) -> Response:
        body = await request.body()
        try:
            message_id = verify(WEBHOOK_SECRET, dict(request.headers), body, now=int(time.time()))
        except InvalidSignatureError:
            receiver.rejected_signatures += 1
            return Response("invalid signature", status_code=401)
        if receiver.statuses:
            status = receiver.statuses.pop(0)
            if status >= 300:
                return Response("not now", status_code=status)
        receiver.accepted.append((message_id, body))
        return Response(status_code=204)

    app = Starlette(routes=[Route("/hook", hook, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield receiver
    finally:
        server.should_exit = True
        await task
        sock.close()
