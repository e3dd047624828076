"""An operator's retry, one-click unsubscribe and webhook subscriptions, over the fake unit
of work."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from deformations_common.vocabulary.clock import ManualClock
from deformations_notifications.domain.errors import (
    InvalidUnsubscribeToken,
    NotificationNotFailed,
    UnknownSubscription,
    UnsubscribeTokenLapsed,
)
from deformations_notifications.domain.planning import IncomingEvent
from deformations_notifications.domain.preferences import Consent, RecipientPreferences
from deformations_notifications.domain.unsubscribe import UnsubscribeClaim, make_unsubscribe_token
from deformations_notifications.service import notifications, unsubscribe, webhooks
from deformations_notifications.service.recording import record_plan

from .conftest import MORNING
from .fakes import FakeUow


async def test_a_failed_notification_is_retried_from_now(uow: FakeUow, clock: ManualClock) -> None:
    await record_plan(uow, IncomingEvent("lending", "e", "loan.agreed.v1", MORNING), {"p"}, MORNING)
    [row] = uow.notifications.of("p")
    with pytest.raises(NotificationNotFailed) as refused:
        await notifications.retry(uow, row["id"])
    assert (refused.value.code, refused.value.status) == ("not_failed", 404)
    row.update(status="failed", attempts=8, send_at=MORNING + timedelta(days=1))
    clock.advance(timedelta(hours=2))
    await notifications.retry(uow, row["id"])
    assert (row["status"], row["attempts"], row["send_at"]) == ("pending", 0, clock())


async def test_one_click_unsubscribes_at_the_clocks_time(uow: FakeUow) -> None:
    prefs = RecipientPreferences("p", "p@example.org", consent=Consent(MORNING, "ok"))
    await uow.recipients.save(prefs, MORNING)
    token = make_unsubscribe_token(UnsubscribeClaim("p", issued_at=MORNING), uow.settings.secret())
    claim = await unsubscribe.unsubscribe(uow, token)
    assert claim.person_id == "p"
    assert uow.recipients.people["p"].unsubscribed_at == MORNING
    with pytest.raises(InvalidUnsubscribeToken):
        await unsubscribe.unsubscribe(uow, token + "x")


async def test_unsubscribing_an_erased_person_changes_nothing(uow: FakeUow) -> None:
    token = make_unsubscribe_token(
        UnsubscribeClaim("gone", issued_at=uow.now()), uow.settings.secret()
    )
    assert (await unsubscribe.unsubscribe(uow, token)).person_id == "gone"
    assert uow.recipients.people == {}


async def test_a_subscription_gets_a_secret_and_the_configured_failure_threshold(
    uow: FakeUow,
) -> None:
    row, secret = await webhooks.subscribe(uow, "https://h.example/x", ["loan.*"], "", "op")
    assert secret.startswith("whsec_")
    [subscription] = uow.webhooks.subscriptions.values()
    assert subscription.max_consecutive_failures == uow.settings.webhook_max_failures
    assert subscription.secret == secret and row["id"] == UUID(subscription.id)
    await webhooks.delete(uow, row["id"])
    for use_case in (webhooks.resume, webhooks.delete, webhooks.subscription):
        with pytest.raises(UnknownSubscription):
            await use_case(uow, row["id"])
    with pytest.raises(UnknownSubscription):
        await webhooks.deliveries(uow, row["id"], 10)


async def test_a_lapsed_or_revoked_unsubscribe_link_changes_nothing(
    uow: FakeUow, clock: ManualClock
) -> None:
    prefs = RecipientPreferences("p", "p@example.org", consent=Consent(MORNING, "ok"))
    await uow.recipients.save(prefs, MORNING)
    secret = uow.settings.secret()
    token = make_unsubscribe_token(UnsubscribeClaim("p", issued_at=MORNING), secret)
    clock.advance(timedelta(days=uow.settings.unsubscribe_token_days))
    with pytest.raises(UnsubscribeTokenLapsed) as expired:
        await unsubscribe.unsubscribe(uow, token)
    assert expired.value.status == 410 and "Mes préférences" in expired.value.message
    fresh = make_unsubscribe_token(UnsubscribeClaim("p", issued_at=clock()), secret)
    clock.advance(timedelta(seconds=1))
    await unsubscribe.renew_links(uow, "p")
    with pytest.raises(UnsubscribeTokenLapsed, match="révoqué"):
        await unsubscribe.unsubscribe(uow, fresh)
    assert uow.recipients.people["p"].unsubscribed_at is None
    renewed = make_unsubscribe_token(UnsubscribeClaim("p", issued_at=clock()), secret)
    assert (await unsubscribe.unsubscribe(uow, renewed)).person_id == "p"
    assert uow.recipients.people["p"].unsubscribed_at == clock()
