"""Deliver one event to one webhook subscription over HTTP(S), signed."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

import httpx

from deformations_notifications.domain.outcome import AttemptResult, Outcome, classify_http_status
from deformations_notifications.domain.webhooks import WebhookSubscription

from .egress import EgressRefused
from .signatures import signature_headers

USER_AGENT = "deformations-notifications/0.1 (webhooks)"


class WebhookSender:
    """Share one ``httpx.AsyncClient`` (its connection pool) across deliveries.

    Redirects are not followed: a subscriber gives the final URL, and following a
    redirect would send signed payloads somewhere nobody subscribed. ``timeout`` bounds the
    whole delivery (a receiver trickling its answer byte by byte cannot hold a worker), and
    nothing of the response but its status and timing is kept.
    """

    def __init__(
        self, client: httpx.AsyncClient, *, timeout: float = 10.0, allow_http: bool = True
    ) -> None:
        self._client = client
        self._total = timeout
        self._timeout = httpx.Timeout(timeout)
        self._allow_http = allow_http

    async def deliver(
        self,
        subscription: WebhookSubscription,
        *,
        message_id: str,
        event_type: str,
        body: bytes,
        now: datetime,
    ) -> AttemptResult:
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "x-deformations-event-type": event_type,
            **signature_headers(subscription.secret, message_id, int(now.timestamp()), body),
        }
        if not self._allow_http and not subscription.url.startswith("https://"):
            return AttemptResult(Outcome.PERMANENT, "adresse refusée : https obligatoire")
        started = time.monotonic()
        try:
            async with asyncio.timeout(self._total):
                response = await self._client.post(
                    subscription.url,
                    content=body,
                    headers=headers,
                    timeout=self._timeout,
                    follow_redirects=False,
                )
        except EgressRefused as refused:
            return AttemptResult(Outcome.PERMANENT, refused.reason[:500])
        except TimeoutError:
            return AttemptResult(Outcome.TRANSIENT, f"délai total de {self._total:g} s dépassé")
        except httpx.HTTPError as error:
            # Timeouts, refused connections, resets: worth another try later.
            return AttemptResult(Outcome.TRANSIENT, f"{type(error).__name__}: {error}"[:500])
        elapsed_ms = round((time.monotonic() - started) * 1000)
        outcome = classify_http_status(response.status_code)
        # Status and timing only: a response body could echo what the receiver saw inside.
        detail = f"HTTP {response.status_code} en {elapsed_ms} ms"
        return AttemptResult(outcome, detail, response.status_code)
