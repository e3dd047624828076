"""The dead letters of every service, for the operators' page: each service's operator API
(``deformations_common.dead_letters_api``) called with the operator's short token; the
portal's own through the same functions in process (it does not verify its own tokens)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from deformations_common import dead_letters_api
from deformations_common.vocabulary.errors import DomainError, InvalidInput
from deformations_portal.domain.memberships import Membership
from deformations_portal.web import training_client
from deformations_portal.web.context import Page
from deformations_portal.web.pages import issuer_of

PORTAL = "portal"
# A walk reads every dead letter of a service: longer than a page's other calls, but a
# broker that does not answer must not hold the page forever.
WALK_TIMEOUT_S = 15.0


class DeadLettersUnavailable(DomainError):
    code, status = "dead_letters_unavailable", 503


@dataclass
class ServiceLetters:
    service: str
    total: int = 0
    letters: list[dict[str, Any]] = field(default_factory=list)
    # Set when the service could not be asked: shown instead of the list.
    problem: str = ""


def _urls(page: Page) -> dict[str, str]:
    """Every service the portal calls; training where the portal reaches it unless named."""
    return {training_client.SERVICE: training_client.DEFAULT_URL, **page.settings.service_urls}


def services(page: Page) -> list[str]:
    return [PORTAL, *sorted(_urls(page))]


async def _bounded(
    page: Page, acting: Membership, service: str, action: str | None, chosen: Sequence[str] = ()
) -> Any:
    try:
        return await asyncio.wait_for(
            _call(page, acting, service, action, chosen), WALK_TIMEOUT_S + 1
        )
    except TimeoutError:
        raise DeadLettersUnavailable(f"Le service {service} ne répond pas.") from None


async def _call(
    page: Page, acting: Membership, service: str, action: str | None, chosen: Sequence[str] = ()
) -> Any:
    """The listing (``action`` None), or ``redrive``/``discard`` of the ``chosen`` ce-ids."""
    body = {"ids": list(chosen)}
    if service == PORTAL:
        subscriptions = _own_subscriptions(page)
        if action is None:
            return await dead_letters_api.listing(page.settings, subscriptions)
        return await dead_letters_api.act(
            page.settings,
            subscriptions,
            action,
            dead_letters_api.Chosen.model_validate(body),
            f"person:{acting.person_id}",
        )
    base = _urls(page).get(service)
    if base is None:
        raise InvalidInput("Ce service n'est pas connu du portail.")
    issuer = await issuer_of(page)
    token = issuer.issue(
        acting.person_id, acting, page.settings.audience_of(service), page.runtime.clock()
    )
    try:
        response = await page.request.app.state.clients.http.request(
            "GET" if action is None else "POST",
            base.rstrip("/") + dead_letters_api.PREFIX + ("" if action is None else f"/{action}"),
            json=None if action is None else body,
            headers={"authorization": f"Bearer {token}"},
            timeout=max(page.settings.service_timeout_s, WALK_TIMEOUT_S),
        )
    except httpx.HTTPError:
        raise DeadLettersUnavailable(f"Le service {service} ne répond pas.") from None
    if response.status_code >= 400:
        raise DeadLettersUnavailable(
            f"Le service {service} a refusé la demande (statut {response.status_code})."
        )
    return response.json()


def _own_subscriptions(page: Page) -> list[Any]:
    handlers = page.request.app.state.definition.handlers
    return list(handlers.subscriptions) if handlers is not None else []


async def gather(page: Page, acting: Membership) -> list[ServiceLetters]:
    async def one(service: str) -> ServiceLetters:
        try:
            listing = await _bounded(page, acting, service, None)
        except DomainError as error:
            return ServiceLetters(service, problem=error.message)
        except Exception:  # the broker away for the portal's own: shown, not a 500
            return ServiceLetters(service, problem=f"Le service {service} ne répond pas.")
        return ServiceLetters(service, int(listing["total"]), list(listing["letters"]))

    return list(await asyncio.gather(*(one(s) for s in services(page))))


async def act(
    page: Page, acting: Membership, service: str, *, redrive: bool, ce_id: str
) -> list[str]:
    """Re-drive or discard one letter; the ce-ids the service acted on."""
    if service not in services(page):
        raise InvalidInput("Ce service n'est pas connu du portail.")
    if not ce_id:
        raise InvalidInput("Choisissez un message.")
    answer = await _bounded(page, acting, service, "redrive" if redrive else "discard", [ce_id])
    return [str(done["id"]) for done in answer["done"]]
