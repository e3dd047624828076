"""Deliver one event to one webhook subscription over HTTP(S), signed."""

from __future__ import annotations

from datetime import datetime

import httpx

from deformations_notifications.domain.outcome import AttemptResult, Outcome, classify_http_status
from deformations_notifications.domain.webhooks import WebhookSubscription

from .signatures import signature_headers

USER_AGENT = "deformations-notifications/0.1 (webhooks)"


class WebhookSender:
    """Share one ``httpx.AsyncClient`` (its connection pool) across deliveries.

    Redirects are not followed: a subscriber gives the final URL, and following a
    redirect would send signed payloads somewhere nobody subscribed.
    """

    def __init__(self, client: httpx.AsyncClient, *, timeout: float = 10.0) -> None:
        self._client = client
        self._timeout = httpx.Timeout(timeout)

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
        try:
            response = await self._client.post(
                subscription.url,
                content=body,
                headers=headers,
                timeout=self._timeout,
                follow_redirects=False,
            )
        except httpx.HTTPError as error:
            # Timeouts, refused connections, resets: worth another try later.
            return AttemptResult(Outcome.TRANSIENT, f"{type(error).__name__}: {error}"[:500])
        outcome = classify_http_status(response.status_code)
        detail = "" if outcome is Outcome.DELIVERED else response.text[:500]
        return AttemptResult(outcome, detail, response.status_code)
