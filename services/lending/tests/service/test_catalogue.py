"""Publishing and withdrawing offers and requests, over the in-memory unit of work."""

from datetime import date, timedelta

import pytest
from lending_factories import BORROWER, LENDER, NOW
from lending_fakes import FakeUnitOfWork, actor, agreed_loan, offer_draft

from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.events import lending as contract
from deformations_contracts.types import Modality
from deformations_lending.domain.calendar import Period
from deformations_lending.domain.errors import (
    ForbiddenError,
    InvalidInputError,
    InvalidTransitionError,
    OfferNotFoundError,
)
from deformations_lending.domain.loan_model import LoanStatus
from deformations_lending.domain.offers import OfferStatus, RequestStatus
from deformations_lending.repositories.offers import Browse
from deformations_lending.service import catalogue
from deformations_lending.service.catalogue import RequestDraft


async def test_an_offer_is_stored_and_announced_at_the_clock_s_time(
    uow: FakeUnitOfWork, clock: ManualClock
) -> None:
    clock.advance(timedelta(minutes=7))

    offer = await catalogue.publish_offer(uow, actor(LENDER.siren, "hr"), offer_draft())

    assert uow.fake_offers.offers == {offer.id: offer}
    assert offer.published_at == NOW + timedelta(minutes=7)
    # The agent's reference is scoped by the lender: never shared across collectivités.
    assert offer.agent_ref == f"{LENDER.siren}/agent-7f3a"
    [event] = uow.emitted
    assert isinstance(event, contract.SkillOffered)
    assert (event.offer_id, event.collectivite.siren) == (offer.id, LENDER.siren)
    assert event.offered_at == NOW + timedelta(minutes=7)
    assert set(uow.fake_collectivites.known) == {LENDER.siren}


@pytest.mark.parametrize(
    ("who", "error"),
    [
        (actor(LENDER.siren, "agent"), ForbiddenError),  # an agent does not publish
        (actor(None, "hr"), ForbiddenError),  # a token acting for no collectivité
    ],
)
async def test_a_refused_publication_changes_nothing(
    uow: FakeUnitOfWork, who: object, error: type[Exception]
) -> None:
    with pytest.raises(error) as refused:
        await catalogue.publish_offer(uow, who, offer_draft())  # type: ignore[arg-type]

    assert refused.value.code == "forbidden"  # type: ignore[attr-defined]
    assert refused.value.status == 403  # type: ignore[attr-defined]
    assert uow.fake_offers.offers == {}
    assert uow.emitted == []


async def test_an_offer_without_possible_half_days_is_invalid_input(uow: FakeUnitOfWork) -> None:
    with pytest.raises(InvalidInputError) as refused:
        await catalogue.publish_offer(
            uow, actor(LENDER.siren, "hr"), offer_draft(possible_half_days=frozenset())
        )

    assert (refused.value.code, refused.value.status) == ("invalid_input", 422)
    assert uow.emitted == []


async def test_withdrawing_an_offer_cancels_its_loans_not_yet_agreed(uow: FakeUnitOfWork) -> None:
    offer = await catalogue.publish_offer(uow, actor(LENDER.siren, "hr"), offer_draft())
    from deformations_lending.service import loans

    proposed = await loans.propose_loan(
        uow,
        actor(BORROWER.siren, "elected"),
        offer_id=offer.id,
        request_id=None,
        half_days=1,
        period=Period(date(2026, 3, 2), date(2026, 5, 31)),
        scope="Un diagnostic des menus.",
        modality=Modality.ON_SITE,
        accept=False,
    )
    uow.emitted.clear()

    withdrawn = await catalogue.withdraw_offer(
        uow, actor(LENDER.siren, "elected"), offer.id, "L'agent change de poste."
    )

    assert withdrawn.status is OfferStatus.WITHDRAWN
    assert uow.fake_offers.offers[offer.id].status is OfferStatus.WITHDRAWN
    loan = uow.fake_loans.records[proposed.loan.id].loan
    assert loan.status is LoanStatus.CANCELLED
    assert uow.routing_keys() == ["offer.withdrawn.v1", "loan.cancelled.v1"]


async def test_only_the_lender_withdraws_its_offer(uow: FakeUnitOfWork) -> None:
    offer = await catalogue.publish_offer(uow, actor(LENDER.siren, "hr"), offer_draft())
    uow.emitted.clear()

    with pytest.raises(ForbiddenError):
        await catalogue.withdraw_offer(uow, actor(BORROWER.siren, "hr"), offer.id, "Non.")

    assert uow.fake_offers.offers[offer.id].status is OfferStatus.OPEN
    assert uow.emitted == []


async def test_an_unknown_offer_is_not_found(uow: FakeUnitOfWork) -> None:
    from uuid import uuid4

    with pytest.raises(OfferNotFoundError) as missing:
        await catalogue.get_offer(uow, actor(BORROWER.siren, "hr"), uuid4())

    assert (missing.value.code, missing.value.status) == ("offer_not_found", 404)


async def test_a_request_is_published_then_withdrawn_once(uow: FakeUnitOfWork) -> None:
    borrower = actor(BORROWER.siren, "elected")
    draft = RequestDraft(
        theme="alimentation",
        need="Élu de petite commune cherche mise à niveau sur l'alimentation durable.",
        period=Period(date(2026, 3, 2), date(2026, 5, 31)),
        half_days=2,
        possible_half_days=frozenset(),
        modality=Modality.ON_SITE,
    )
    request = await catalogue.publish_request(uow, borrower, draft)
    withdrawn = await catalogue.withdraw_request(uow, borrower, request.id, "Besoin couvert.")

    assert withdrawn.status is RequestStatus.WITHDRAWN
    assert uow.routing_keys() == ["skill.requested.v1", "request.withdrawn.v1"]
    with pytest.raises(InvalidTransitionError) as again:
        await catalogue.withdraw_request(uow, borrower, request.id, "Encore.")
    assert (again.value.code, again.value.status) == ("invalid_transition", 409)
    assert len(uow.emitted) == 2


async def test_browsing_shows_open_offers_only_unless_asked(uow: FakeUnitOfWork) -> None:
    await agreed_loan(uow)
    kept = await catalogue.publish_offer(uow, actor(LENDER.siren, "hr"), offer_draft())
    [first] = [o for o in uow.fake_offers.offers.values() if o.id != kept.id]
    await catalogue.withdraw_offer(uow, actor(LENDER.siren, "hr"), first.id, "Fin.")

    open_ones = await catalogue.browse_offers(uow, actor(BORROWER.siren, "hr"), Browse())
    every = await catalogue.browse_offers(
        uow, actor(BORROWER.siren, "hr"), Browse(include_closed=True)
    )

    assert [o.id for o in open_ones] == [kept.id]
    assert {o.id for o in every} == {kept.id, first.id}
