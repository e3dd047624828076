"""Micro benchmark: e-mails per second to a local SMTP server, webhooks per second.

Runs everything in one process on 127.0.0.1: an aiosmtpd server and a Starlette/uvicorn
receiver that verifies every signature, so the figures include both ends. Each e-mail is
rendered from the French templates with an iCalendar invitation, as in production.

    uv run python services/notifications/bench/bench_delivery.py --emails 500 --webhooks 1000

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address

import httpx
import uvicorn
from aiosmtpd import smtp as aiosmtpd_smtp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from deformations_notifications.delivery import signatures
from deformations_notifications.delivery.smtp import SmtpConfig, SmtpSender
from deformations_notifications.delivery.webhook import WebhookSender
from deformations_notifications.domain.outcome import Outcome
from deformations_notifications.domain.sessions import SessionCalendar
from deformations_notifications.domain.unsubscribe import UnsubscribeClaim
from deformations_notifications.domain.webhooks import WebhookSubscription
from deformations_notifications.rendering.email import CalendarPart, UnsubscribeLinks, build_email
from deformations_notifications.rendering.invites import InviteDetails, build_request
from deformations_notifications.rendering.renderer import Renderer

SECRET = signatures.make_secret(b"benchmark-secret-benchmark-secret")


@dataclass
class Sink:
    count: int = 0

    async def handle_DATA(  # noqa: N802 - the name aiosmtpd calls
        self,
        server: aiosmtpd_smtp.SMTP,
        session: aiosmtpd_smtp.Session,
        envelope: aiosmtpd_smtp.Envelope,
    ) -> str:
        self.count += 1
        return "250 2.0.0 OK"


async def bench_emails(count: int, connections: int) -> float:
    sink = Sink()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: aiosmtpd_smtp.SMTP(sink, hostname="bench.local"), "127.0.0.1", 0
    )
    port = server.sockets[0].getsockname()[1]
    renderer = Renderer()
    config = SmtpConfig(host="127.0.0.1", port=port, timeout=10)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)
    failures = 0

    async def worker() -> None:
        nonlocal failures
        async with SmtpSender(config) as smtp:
            while not queue.empty():
                i = queue.get_nowait()
                now = datetime.now(UTC)
                start = datetime(2026, 12, 1, 13, 30, tzinfo=UTC) + timedelta(days=i % 30)
                session = SessionCalendar(f"session-{i}", start, start + timedelta(hours=2))
                details = InviteDetails(
                    title="Café élus-techniciens",
                    organizer_email="agenda@deformations.example",
                    attendee_emails=[f"elu{i}@example.org"],
                    uid_domain="deformations.example",
                )
                ctx = {
                    "title": "Café élus-techniciens",
                    "start": start,
                    "end": session.end,
                    "modality": "on_site",
                    "location": "Mairie",
                    "session_url": "https://deformations.example/seances/1",
                }
                msg = build_email(
                    renderer.render("session.scheduled", ctx),
                    sender=Address("(Dé)formations", "agenda", "deformations.example"),
                    to=f"elu{i}@example.org",
                    now=now,
                    message_id_domain="deformations.example",
                    unsubscribe=(
                        UnsubscribeLinks("https://deformations.example/u", b"k"),
                        UnsubscribeClaim(f"p{i}"),
                    ),
                    calendar=CalendarPart(build_request(session, details, now), "REQUEST"),
                )
                result = await smtp.send(msg)
                if result.outcome is not Outcome.DELIVERED:
                    failures += 1

    # Warm up: template compilation and the VTIMEZONE cache are one-off costs.
    renderer.render(
        "session.scheduled",
        {"title": "x", "start": datetime.now(UTC), "end": datetime.now(UTC), "session_url": "u"},
    )
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    server.close()
    await server.wait_closed()
    if failures or sink.count != count:
        raise RuntimeError(f"{failures} failures, {sink.count}/{count} received")
    return count / elapsed


async def bench_webhooks(count: int, concurrency: int) -> float:
    received = 0

    async def hook(request: Request) -> Response:
        nonlocal received
        body = await request.body()
        signatures.verify(SECRET, dict(request.headers), body, now=int(time.time()))
        received += 1
        return Response(status_code=204)

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    sock.setblocking(False)
    port = sock.getsockname()[1]
    app = Starlette(routes=[Route("/hook", hook, methods=["POST"])])
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    )
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    subscription = WebhookSubscription(
        id="bench",
        url=f"http://127.0.0.1:{port}/hook",
        secret=SECRET,
        event_types=frozenset({"*"}),
    )
    body = json.dumps({"loan_id": "l-1", "half_days": 2, "lender": "200000172"}).encode()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    failures = 0
    async with httpx.AsyncClient(limits=limits) as client:
        sender = WebhookSender(client)
        semaphore = asyncio.Semaphore(concurrency)

        async def one(i: int) -> None:
            nonlocal failures
            async with semaphore:
                result = await sender.deliver(
                    subscription,
                    message_id=f"msg-{i}",
                    event_type="loan.agreed.v1",
                    body=body,
                    now=datetime.now(UTC),
                )
                if result.outcome is not Outcome.DELIVERED:
                    failures += 1

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(count)))
        elapsed = time.perf_counter() - started
    server.should_exit = True
    await serving
    sock.close()
    if failures or received != count:
        raise RuntimeError(f"{failures} failures, {received}/{count} received")
    return count / elapsed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=300)
    parser.add_argument("--smtp-connections", type=int, default=4)
    parser.add_argument("--webhooks", type=int, default=500)
    parser.add_argument("--webhook-concurrency", type=int, default=16)
    args = parser.parse_args()
    emails_per_s = await bench_emails(args.emails, args.smtp_connections)
    print(f"e-mails (rendered, with invitation) to local SMTP: {emails_per_s:.0f}/s")
    webhooks_per_s = await bench_webhooks(args.webhooks, args.webhook_concurrency)
    print(f"signed webhook deliveries to local receiver: {webhooks_per_s:.0f}/s")
    print(
        json.dumps(
            {
                "emails_per_second": round(emails_per_s, 1),
                "webhooks_per_second": round(webhooks_per_s, 1),
                "emails": args.emails,
                "smtp_connections": args.smtp_connections,
                "webhooks": args.webhooks,
                "webhook_concurrency": args.webhook_concurrency,
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
