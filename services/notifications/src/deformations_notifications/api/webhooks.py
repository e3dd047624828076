"""Webhook subscriptions of other systems, for operators; the secret is shown once."""

import re
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator

from deformations_common.auth import CurrentPrincipal
from deformations_common.vocabulary.roles import Role
from deformations_notifications.api.deps import RuntimeDep
from deformations_notifications.service import webhooks
from deformations_notifications.service.uow import NotificationsUow

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


@router.post("", status_code=201)
async def subscribe(
    body: SubscriptionBody, principal: CurrentPrincipal, runtime: RuntimeDep
) -> CreatedSubscription:
    principal.require(Role.OPERATOR)
    async with runtime.begin(NotificationsUow) as uow:
        row, secret = await webhooks.subscribe(
            uow, body.url, body.event_types, body.description, principal.sub
        )
    return CreatedSubscription(**row, secret=secret)


@router.get("")
async def list_subscriptions(
    principal: CurrentPrincipal, runtime: RuntimeDep
) -> list[SubscriptionOut]:
    principal.require(Role.OPERATOR)
    async with runtime.begin(NotificationsUow) as uow:
        return [SubscriptionOut(**row) for row in await webhooks.subscriptions(uow)]


@router.get("/{subscription_id}")
async def get_subscription(
    subscription_id: UUID, principal: CurrentPrincipal, runtime: RuntimeDep
) -> SubscriptionOut:
    principal.require(Role.OPERATOR)
    async with runtime.begin(NotificationsUow) as uow:
        return SubscriptionOut(**await webhooks.subscription(uow, subscription_id))


@router.post("/{subscription_id}/resume")
async def resume(
    subscription_id: UUID, principal: CurrentPrincipal, runtime: RuntimeDep
) -> SubscriptionOut:
    """Resume a paused subscription: its held deliveries go out again."""
    principal.require(Role.OPERATOR)
    async with runtime.begin(NotificationsUow) as uow:
        return SubscriptionOut(**await webhooks.resume(uow, subscription_id))


@router.delete("/{subscription_id}", status_code=204)
async def unsubscribe(
    subscription_id: UUID, principal: CurrentPrincipal, runtime: RuntimeDep
) -> None:
    principal.require(Role.OPERATOR)
    async with runtime.begin(NotificationsUow) as uow:
        await webhooks.delete(uow, subscription_id)


@router.get("/{subscription_id}/deliveries")
async def deliveries(
    subscription_id: UUID,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """Every delivery of the subscription, newest first, each with its attempts."""
    principal.require(Role.OPERATOR)
    async with runtime.begin(NotificationsUow) as uow:
        return await webhooks.deliveries(uow, subscription_id, limit)
