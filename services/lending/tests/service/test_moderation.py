"""Operators hide an offer or a request with a reason and show it again: it leaves public
lists and leads to no new loan, its collectivité still sees it and is told — over the
in-memory unit of work."""

from datetime import date, timedelta
from uuid import uuid4

import pytest
from lending_factories import BORROWER, LENDER, OTHER
from lending_fakes import FakeUnitOfWork, actor, offer_draft

from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.events.moderation import ContentHidden, ContentKind, ContentShown
from deformations_contracts.types import Modality
from deformations_lending.domain.calendar import Period
from deformations_lending.domain.errors import (
    ForbiddenError,
    InvalidInputError,
    InvalidTransitionError,
    OfferNotFoundError,
    RequestNotFoundError,
)
from deformations_lending.domain.offers import Offer, SkillRequest
from deformations_lending.repositories.offers import Browse
from deformations_lending.service import catalogue, loans, moderation
from deformations_lending.service.catalogue import RequestDraft

OPERATOR = actor(OTHER, "operator", person="operateur")
REASON = "Publicité pour un prestataire privé"


async def _offer(uow: FakeUnitOfWork) -> Offer:
    offer = await catalogue.publish_offer(uow, actor(LENDER.siren, "hr"), offer_draft())
    uow.emitted.clear()
    return offer


async def _request(uow: FakeUnitOfWork) -> SkillRequest:
    draft = RequestDraft(
        theme="alimentation",
        need="Élu de petite commune cherche mise à niveau sur l'alimentation durable.",
        period=Period(date(2026, 3, 2), date(2026, 5, 31)),
        half_days=2,
        possible_half_days=frozenset(),
        modality=Modality.ON_SITE,
    )
    request = await catalogue.publish_request(uow, actor(BORROWER.siren, "elected"), draft)
    uow.emitted.clear()
    return request


async def _ask(uow: FakeUnitOfWork, offer: Offer) -> None:
    await loans.propose_loan(
        uow,
        actor(BORROWER.siren, "elected"),
        offer_id=offer.id,
        request_id=None,
        half_days=2,
        period=Period(date(2026, 3, 2), date(2026, 5, 31)),
        scope="Diagnostic des menus de la cantine.",
        modality=Modality.ON_SITE,
        accept=True,
    )


async def test_a_hidden_offer_leaves_public_lists_and_its_lender_is_told(
    uow: FakeUnitOfWork, clock: ManualClock
) -> None:
    offer = await _offer(uow)
    clock.advance(timedelta(minutes=5))
    [queued] = await moderation.recent_offers(uow, OPERATOR, 50)
    assert queued.id == offer.id and not queued.hidden

    hidden = await moderation.hide_offer(uow, OPERATOR, offer.id, f"  {REASON} ")

    assert (hidden.hidden_reason, hidden.hidden_at) == (REASON, uow.now())
    [told] = uow.emitted
    assert isinstance(told, ContentHidden)
    assert (told.content_id, told.kind) == (offer.id, ContentKind.OFFER)
    assert (told.collectivite_siren, told.person_id) == (LENDER.siren, None)
    assert (told.reason, told.hidden_at) == (REASON, uow.now())
    borrower = actor(BORROWER.siren, "elected")
    assert await catalogue.browse_offers(uow, borrower, Browse()) == []
    with pytest.raises(OfferNotFoundError):
        await catalogue.get_offer(uow, borrower, offer.id)
    # Its lender's people still see it, marked hidden with the reason; so do operators.
    lender = actor(LENDER.siren, "agent")
    [mine] = await catalogue.browse_offers(uow, lender, Browse(owner=LENDER.siren))
    assert mine.hidden_reason == REASON
    assert (await catalogue.get_offer(uow, lender, offer.id)).hidden_reason == REASON
    assert (await catalogue.get_offer(uow, OPERATOR, offer.id)).hidden


async def test_a_hidden_offer_cannot_be_borrowed_until_shown_again(
    uow: FakeUnitOfWork, clock: ManualClock
) -> None:
    offer = await _offer(uow)
    await moderation.hide_offer(uow, OPERATOR, offer.id, REASON)

    with pytest.raises(InvalidTransitionError, match="masquée"):
        await _ask(uow, offer)
    assert uow.fake_loans.records == {}

    clock.advance(timedelta(hours=1))
    shown = await moderation.show_offer(uow, OPERATOR, offer.id)
    assert (shown.hidden_reason, shown.hidden_at) == (None, None)
    told = uow.emitted[-1]
    assert isinstance(told, ContentShown)
    assert (told.content_id, told.kind, told.shown_at) == (offer.id, ContentKind.OFFER, uow.now())
    assert [o.id for o in await catalogue.browse_offers(uow, actor(OTHER), Browse())] == [offer.id]
    await _ask(uow, offer)
    assert len(uow.fake_loans.records) == 1


async def test_a_hidden_request_leaves_lists_and_leads_to_no_loan(uow: FakeUnitOfWork) -> None:
    offer = await _offer(uow)
    request = await _request(uow)

    await moderation.hide_request(uow, OPERATOR, request.id, REASON)

    [told] = uow.emitted
    assert isinstance(told, ContentHidden)
    assert (told.kind, told.collectivite_siren) == (ContentKind.REQUEST, BORROWER.siren)
    assert await catalogue.browse_requests(uow, actor(LENDER.siren, "hr"), Browse()) == []
    with pytest.raises(RequestNotFoundError):
        await catalogue.get_request(uow, actor(LENDER.siren, "hr"), request.id)
    borrower = actor(BORROWER.siren, "elected")
    assert (await catalogue.get_request(uow, borrower, request.id)).hidden_reason == REASON
    with pytest.raises(InvalidTransitionError, match="masquée"):
        await loans.propose_loan(
            uow,
            borrower,
            offer_id=offer.id,
            request_id=request.id,
            half_days=2,
            period=Period(date(2026, 3, 2), date(2026, 5, 31)),
            scope="Diagnostic des menus de la cantine.",
            modality=Modality.ON_SITE,
            accept=True,
        )
    assert uow.fake_loans.records == {}

    await moderation.show_request(uow, OPERATOR, request.id)
    assert isinstance(uow.emitted[-1], ContentShown)
    assert len(await catalogue.browse_requests(uow, actor(LENDER.siren, "hr"), Browse())) == 1


@pytest.mark.parametrize("roles", [("elected",), ("hr",), ("agent",), ("trainer",), ()])
async def test_only_operators_moderate_and_a_refusal_changes_nothing(
    uow: FakeUnitOfWork, roles: tuple[str, ...]
) -> None:
    offer = await _offer(uow)
    request = await _request(uow)
    # Even its own lender may not hide or show its offer: that is the platform's decision.
    for who in (actor(LENDER.siren, *roles), actor(OTHER, *roles)):
        for attempt in (
            moderation.hide_offer(uow, who, offer.id, REASON),
            moderation.hide_request(uow, who, request.id, REASON),
            moderation.recent_offers(uow, who, 50),
        ):
            with pytest.raises(ForbiddenError) as refused:
                await attempt
            assert refused.value.status == 403
    await moderation.hide_offer(uow, OPERATOR, offer.id, REASON)
    uow.emitted.clear()
    with pytest.raises(ForbiddenError):
        await moderation.show_offer(uow, actor(LENDER.siren, *roles), offer.id)

    assert uow.fake_offers.offers[offer.id].hidden_reason == REASON
    assert not uow.fake_offers.requests[request.id].hidden
    assert uow.emitted == []


async def test_hiding_twice_showing_a_visible_one_or_a_bad_reason_are_refused(
    uow: FakeUnitOfWork,
) -> None:
    offer = await _offer(uow)

    with pytest.raises(InvalidInputError):
        await moderation.hide_offer(uow, OPERATOR, offer.id, "  x ")
    with pytest.raises(InvalidTransitionError):
        await moderation.show_offer(uow, OPERATOR, offer.id)
    assert uow.emitted == []
    await moderation.hide_offer(uow, OPERATOR, offer.id, REASON)
    with pytest.raises(InvalidTransitionError):
        await moderation.hide_offer(uow, OPERATOR, offer.id, "Un autre motif")
    assert len(uow.emitted) == 1
    assert uow.fake_offers.offers[offer.id].hidden_reason == REASON
    with pytest.raises(OfferNotFoundError):
        await moderation.hide_offer(uow, OPERATOR, uuid4(), REASON)
