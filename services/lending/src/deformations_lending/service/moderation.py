"""Operators moderate offers and requests: the newest ones, hide with a reason, show again.

Hiding tells the collectivité that published the text why (``content.hidden.v1``); showing
it again tells whoever keeps a copy (``content.shown.v1``: matching proposes the offer
again). Both leave through the outbox, in the transaction of the change.
"""

from typing import TypeVar
from uuid import UUID

from deformations_common.logging import get_logger
from deformations_lending import events
from deformations_lending.domain import moderation as rules
from deformations_lending.domain.errors import OfferNotFoundError, RequestNotFoundError
from deformations_lending.domain.offers import Offer, SkillRequest
from deformations_lending.domain.policy import Actor, Command, Parties
from deformations_lending.service.access import allow
from deformations_lending.service.uow import LendingUnitOfWork

log = get_logger()

Moderated = TypeVar("Moderated", Offer, SkillRequest)


async def recent_offers(uow: LendingUnitOfWork, actor: Actor, limit: int) -> list[Offer]:
    allow(actor, Command.MODERATE, Parties())
    return await uow.offers.recent_offers(limit)


async def recent_requests(uow: LendingUnitOfWork, actor: Actor, limit: int) -> list[SkillRequest]:
    allow(actor, Command.MODERATE, Parties())
    return await uow.offers.recent_requests(limit)


async def hide_offer(uow: LendingUnitOfWork, actor: Actor, offer_id: UUID, reason: str) -> Offer:
    allow(actor, Command.MODERATE, Parties())
    return await _hide(uow, await _offer(uow, offer_id), reason)


async def show_offer(uow: LendingUnitOfWork, actor: Actor, offer_id: UUID) -> Offer:
    allow(actor, Command.MODERATE, Parties())
    return await _show(uow, await _offer(uow, offer_id))


async def hide_request(
    uow: LendingUnitOfWork, actor: Actor, request_id: UUID, reason: str
) -> SkillRequest:
    allow(actor, Command.MODERATE, Parties())
    return await _hide(uow, await _request(uow, request_id), reason)


async def show_request(uow: LendingUnitOfWork, actor: Actor, request_id: UUID) -> SkillRequest:
    allow(actor, Command.MODERATE, Parties())
    return await _show(uow, await _request(uow, request_id))


async def _offer(uow: LendingUnitOfWork, offer_id: UUID) -> Offer:
    offer = await uow.offers.get_offer(offer_id, for_update=True)
    if offer is None:
        raise OfferNotFoundError("Cette offre n'existe pas.")
    return offer


async def _request(uow: LendingUnitOfWork, request_id: UUID) -> SkillRequest:
    request = await uow.offers.get_request(request_id, for_update=True)
    if request is None:
        raise RequestNotFoundError("Cette demande n'existe pas.")
    return request


async def _hide(uow: LendingUnitOfWork, item: Moderated, reason: str) -> Moderated:
    hidden, _ = rules.hide(item, reason=reason, now=uow.now())
    await uow.offers.set_hidden(hidden)
    await uow.emit(events.content_hidden(hidden))
    log.info("lending.content_hidden", content_id=str(item.id), owner=item.owner)
    return hidden


async def _show(uow: LendingUnitOfWork, item: Moderated) -> Moderated:
    now = uow.now()
    shown, _ = rules.show(item, now=now)
    await uow.offers.set_hidden(shown)
    await uow.emit(events.content_shown(shown, now))
    log.info("lending.content_shown", content_id=str(item.id), owner=item.owner)
    return shown
