"""The offer index of a replica follows what is committed, whoever committed it."""

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest
from platform_harness import Platform
from test_matching_helpers import CREST, MIRABEL, SAILLANS, offered, publish

from deformations_common.geography import load_geography
from deformations_contracts.events.lending import FeedbackRating, LoanCompleted, LoanParty
from deformations_contracts.values import Period
from deformations_devtools.testing import wait_until
from deformations_matching.repositories.offers import OfferRepository
from deformations_matching.service.book import OfferBook

pytestmark = pytest.mark.integration


async def test_a_second_replica_rebuilds_and_follows_the_read_model(platform: Platform) -> None:
    matching = await platform.start("matching")
    pool = matching.runtime.pool
    first, second = offered(CREST), offered(MIRABEL)
    await publish(platform, first)

    async def stored() -> bool:
        return await pool.fetchval("SELECT count(*) FROM offers") == 1

    await wait_until(stored, what="the first offer")
    replica = OfferBook(load_geography())  # another process: its own, empty, book
    async with pool.acquire() as conn:
        index = await replica.refreshed(OfferRepository(conn), date.today())
    assert [o.offer_id for o in index.offers()] == [str(first.offer_id)]

    # A change rolled back never reaches the index; a committed one does.
    async with pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        await OfferRepository(conn).withdraw_offer(first.offer_id, CREST[1], datetime.now(UTC))
        await transaction.rollback()
        assert len(await replica.refreshed(OfferRepository(conn), date.today())) == 1
    await publish(platform, second)
    await publish(
        platform,
        LoanCompleted(
            loan_id=uuid4(),
            offer_id=first.offer_id,
            lender_siren=CREST[1],
            borrower_siren=SAILLANS[1],
            agent_role="Technicienne restauration collective",
            agent_person_id="agent-1",
            theme="alimentation",
            half_days_agreed=4,
            half_days_used=4,
            feedback=[FeedbackRating(respondent=LoanParty.BORROWER, satisfaction=2)],
            completed_at=datetime.now(UTC),
        ),
    )

    async def both() -> bool:
        async with pool.acquire() as conn:
            return (
                await pool.fetchval("SELECT count(*) FROM loans") == 1
                and len(await replica.refreshed(OfferRepository(conn), date.today())) == 2
            )

    await wait_until(both, what="the replica to catch up")
    assert index.booked(str(first.offer_id)) == 4
    standing = index.standing(CREST[1])
    assert standing.hours_lent == 14.0 and standing.feedback_count == 1
    assert index.standing(SAILLANS[1]).hours_received == 14.0


async def test_a_loan_completed_before_it_was_agreed_stays_completed(platform: Platform) -> None:
    matching = await platform.start("matching")
    loan, offer = uuid4(), uuid4()
    async with matching.runtime.transaction() as conn:
        for status in ("completed", "agreed"):  # out of order
            await OfferRepository(conn).record_loan(
                loan_id=loan,
                offer_id=offer,
                lender_siren=CREST[1],
                borrower_siren=SAILLANS[1],
                status=status,
                half_days_agreed=3,
                half_days_used=2 if status == "completed" else 0,
            )
        row = await conn.fetchrow("SELECT status, half_days_used FROM loans")
    assert dict(row.items()) == {"status": "completed", "half_days_used": 2}


async def test_an_offer_past_its_period_leaves_the_index(platform: Platform) -> None:
    matching = await platform.start("matching")
    pool = matching.runtime.pool
    today = date.today()
    ended = offered(CREST, period=Period(start=today - timedelta(days=60), end=today))
    ended_yesterday = offered(
        MIRABEL, period=Period(start=today - timedelta(days=60), end=today - timedelta(days=1))
    )
    open_ended = offered(SAILLANS)
    for event in (ended, ended_yesterday, open_ended):
        await publish(platform, event)

    async def stored() -> bool:
        return await pool.fetchval("SELECT count(*) FROM offers") == 3

    await wait_until(stored, what="the three offers")
    replica = OfferBook(load_geography())
    async with pool.acquire() as conn:
        index = await replica.refreshed(OfferRepository(conn), today)
        # The last day of its period is still a day it can be lent.
        assert sorted(o.offer_id for o in index.offers()) == sorted(
            [str(ended.offer_id), str(open_ended.offer_id)]
        )
        # A day later it is gone, though nothing changed in the read model.
        index = await replica.refreshed(OfferRepository(conn), today + timedelta(days=1))
        assert [o.offer_id for o in index.offers()] == [str(open_ended.offer_id)]
