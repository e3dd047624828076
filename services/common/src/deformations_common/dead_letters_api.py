"""The operators' HTTP API over a service's dead letters, mounted by every service.

``GET /v1/operations/dead-letters``: per DLQ the count, and the oldest letters in outline
(type, error, first death, attempts; never the body). ``POST …/redrive`` and
``POST …/discard`` with ``{"ids": [ce-id…]}``: the same walk as the ``dlq`` command
(``dead_letters.DeadLetters``), audited in ``dead_letter_actions`` with the operator's
person id. Only a token carrying the ``operator`` role gets in.
"""

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from deformations_common.auth import CurrentPrincipal, Principal, Role
from deformations_common.dead_letters import DeadLetters, Selection, UnknownQueue
from deformations_common.settings import ServiceSettings
from deformations_common.topology import Subscription
from deformations_common.vocabulary.errors import ForbiddenAction, InvalidInput, NotFoundError

PREFIX = "/v1/operations/dead-letters"
# Letters listed per call at most: the page shows the oldest, the rest are counted.
MAX_LISTED = 200


class NotAnOperator(ForbiddenAction):
    code = "not_an_operator"


class UnknownDeadLetterQueue(NotFoundError):
    code = "unknown_dead_letter_queue"


class NothingSelected(InvalidInput):
    code = "no_dead_letter_selected"


class Chosen(BaseModel):
    ids: list[str] = Field(default_factory=list, max_length=MAX_LISTED)
    queue: str | None = None


def require_operator(principal: Principal) -> None:
    if not principal.has_role(Role.OPERATOR):
        raise NotAnOperator("Seul un opérateur de la plateforme agit sur les lettres mortes.")


async def listing(
    settings: ServiceSettings, subscriptions: Sequence[Subscription], limit: int = 50
) -> dict[str, Any]:
    """Counts per DLQ and the first ``limit`` letters in outline (handed back untouched)."""
    async with DeadLetters(settings, subscriptions) as letters:
        queues = await letters.summary()
        shown = await letters.show(Selection(limit=limit))
    return {
        "service": settings.service_name,
        "total": sum(q.count for q in queues),
        "queues": [
            {
                "queue": q.queue,
                "subscription": q.subscription,
                "count": q.count,
                "oldest_age_s": q.oldest_age_s,
                "kinds": q.kinds,
            }
            for q in queues
        ],
        "letters": [letter.outline() for letter in shown],
    }


async def act(
    settings: ServiceSettings,
    subscriptions: Sequence[Subscription],
    action: str,
    chosen: Chosen,
    operator: str,
) -> dict[str, Any]:
    """Re-drive or discard the chosen letters (by ce-id: never "everything" by mistake)."""
    if not chosen.ids:
        raise NothingSelected("Choisissez au moins un message.")
    selection = Selection(chosen.queue, frozenset(chosen.ids))
    try:
        async with DeadLetters(settings, subscriptions) as letters:
            if action == "redrive":
                done = await letters.redrive(selection, operator)
            else:
                done = await letters.discard(selection, operator)
    except UnknownQueue:
        raise UnknownDeadLetterQueue(
            "Ce service n'a pas de file de lettres mortes de ce nom."
        ) from None
    return {"service": settings.service_name, "action": action, "done": [d.outline() for d in done]}


def router(settings: ServiceSettings, subscriptions: Sequence[Subscription]) -> APIRouter:
    api = APIRouter(prefix=PREFIX, tags=["operations"])

    @api.get("")
    async def list_dead_letters(
        principal: CurrentPrincipal,
        limit: Annotated[int, Query(ge=1, le=MAX_LISTED)] = 50,
    ) -> dict[str, Any]:
        """Dead letters of this service in outline (operators only)."""
        require_operator(principal)
        return await listing(settings, subscriptions, limit)

    @api.post("/redrive")
    async def redrive(chosen: Chosen, principal: CurrentPrincipal) -> dict[str, Any]:
        """Send the chosen letters back to their subscription (operators only)."""
        require_operator(principal)
        return await act(settings, subscriptions, "redrive", chosen, f"person:{principal.sub}")

    @api.post("/discard")
    async def discard(chosen: Chosen, principal: CurrentPrincipal) -> dict[str, Any]:
        """Remove the chosen letters for good (operators only)."""
        require_operator(principal)
        return await act(settings, subscriptions, "discard", chosen, f"person:{principal.sub}")

    return api
