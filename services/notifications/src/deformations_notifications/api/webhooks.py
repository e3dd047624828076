"""Webhook subscriptions of other systems, for operators; the secret is shown once."""

import re
import secrets
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator

from deformations_common.auth import CurrentPrincipal, Role
from deformations_common.errors import NotFound
from deformations_common.service import RuntimeDep
from deformations_notifications.api.deps import SettingsDep
from deformations_notifications.delivery.signatures import make_secret
from deformations_notifications.domain.webhooks import WebhookSubscription
from deformations_notifications.repositories import webhooks

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])
EVENT_TYPE = re.compile(r"^(\*|[a-z_]+\.\*|[a-z_]+\.[a-z_]+\.v[0-9]+)$")


class SubscriptionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(pattern=r"^https?://[^\s]+$", max_length=2000)
    event_types: list[str] = Field(
        min_length=1,
        max_length=50,
        description="Clés de routage (loan.agreed.v1), familles (loan.*) ou * pour tout.",
    )
    description: str = Field(default="", max_length=500)

    @field_validator("event_types")
    @classmethod
    def _patterns(cls, values: list[str]) -> list[str]:
        for value in values:
            if not EVENT_TYPE.match(value):
                raise ValueError(f"type d'événement invalide : {value}")
        return values


class SubscriptionOut(BaseModel):
    id: UUID
    url: str
    event_types: list[str]
    description: str
    max_consecutive_failures: int
    consecutive_failures: int
    paused_at: datetime | None
    created_by: str
    created_at: datetime


class CreatedSubscription(SubscriptionOut):
    secret: str = Field(description="Shown once: keep it to verify signatures.")


def _not_found(subscription_id: UUID) -> NotFound:
    return NotFound(f"Aucun abonnement {subscription_id}.", code="unknown_subscription")


@router.post("", status_code=201)
async def subscribe(
    body: SubscriptionBody, principal: CurrentPrincipal, runtime: RuntimeDep, settings: SettingsDep
) -> CreatedSubscription:
    principal.require(Role.OPERATOR)
    subscription = WebhookSubscription(
        id=str(uuid4()),
        url=body.url,
        secret=make_secret(secrets.token_bytes(32)),
        event_types=frozenset(body.event_types),
        max_consecutive_failures=settings.webhook_max_failures,
    )
    async with runtime.transaction() as conn:
        row = await webhooks.create(
            conn, subscription, description=body.description, created_by=principal.sub
        )
    return CreatedSubscription(**row, secret=subscription.secret)


@router.get("")
async def list_subscriptions(
    principal: CurrentPrincipal, runtime: RuntimeDep
) -> list[SubscriptionOut]:
    principal.require(Role.OPERATOR)
    async with runtime.pool.acquire() as conn:
        return [SubscriptionOut(**row) for row in await webhooks.list_public(conn)]


@router.get("/{subscription_id}")
async def get_subscription(
    subscription_id: UUID, principal: CurrentPrincipal, runtime: RuntimeDep
) -> SubscriptionOut:
    principal.require(Role.OPERATOR)
    async with runtime.pool.acquire() as conn:
        row = await webhooks.get_public(conn, subscription_id)
    if row is None:
        raise _not_found(subscription_id)
    return SubscriptionOut(**row)


@router.post("/{subscription_id}/resume")
async def resume(
    subscription_id: UUID, principal: CurrentPrincipal, runtime: RuntimeDep
) -> SubscriptionOut:
    """Resume a paused subscription: its held deliveries go out again."""
    principal.require(Role.OPERATOR)
    async with runtime.transaction() as conn:
        if not await webhooks.resume(conn, subscription_id):
            raise _not_found(subscription_id)
        row = await webhooks.get_public(conn, subscription_id)
    return SubscriptionOut(**(row or {}))


@router.delete("/{subscription_id}", status_code=204)
async def unsubscribe(
    subscription_id: UUID, principal: CurrentPrincipal, runtime: RuntimeDep
) -> None:
    principal.require(Role.OPERATOR)
    async with runtime.transaction() as conn:
        if not await webhooks.delete(conn, subscription_id):
            raise _not_found(subscription_id)


@router.get("/{subscription_id}/deliveries")
async def deliveries(
    subscription_id: UUID,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """Every delivery of the subscription, newest first, each with its attempts."""
    principal.require(Role.OPERATOR)
    async with runtime.pool.acquire() as conn:
        if await webhooks.get_public(conn, subscription_id) is None:
            raise _not_found(subscription_id)
        return await webhooks.deliveries(conn, subscription_id, limit)
