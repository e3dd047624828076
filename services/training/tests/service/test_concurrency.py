"""Enrolments under concurrency, on the real PostgreSQL: the last place goes to exactly
one person, a freed place to exactly the first one waiting; offres groupées re-priced."""

import asyncio
from collections import Counter
from datetime import timedelta
from uuid import UUID

import pytest
from training_factories import CC_CRESTOIS, CREST, NOW, SAILLANS
from training_service import Service, body_of, drain, elu, publish

from deformations_devtools.testing import wait_until
from deformations_training import jobs
from deformations_training.domain.enrolments import EnrolmentStatus
from deformations_training.domain.errors import InvalidTrainingInput, InvalidTransition
from deformations_training.domain.policy import Actor
from deformations_training.service import enrolments
from deformations_training.service.enrolments import Member

CREST_COMMUNES = [  # SIREN of communes of the CC du Crestois et de Pays de Saillans
    "212600118",
    "212600159",
    "212600191",
    "212600803",
    "212600902",
    "212601082",
    "212601223",
    "212601835",
    "212602346",
    "212602668",
    "938438454",
]


async def enrol(service: Service, offer_id: UUID, person: str) -> EnrolmentStatus:
    async with service.begin() as uow:
        e = await enrolments.enrol(
            uow, elu(person), offer_id, person_id=person, collectivite_siren=CREST
        )
        return e.status


async def statuses(service: Service, offer_id: UUID) -> dict[str, EnrolmentStatus]:
    async with service.begin() as uow:
        return {e.person_id: e.status for e in await uow.enrolments.of_offer(offer_id)}


async def test_two_people_at_once_for_the_last_place(service: Service) -> None:
    rounds = 15
    published = [await publish(service, capacity=3) for _ in range(rounds)]
    for offer in published:
        for i in range(2):
            assert (
                await enrol(service, offer.id, f"{offer.id}-first-{i}") is EnrolmentStatus.CONFIRMED
            )
    # Both people of every offer ask for its last place at the same moment.
    outcomes = await asyncio.gather(
        *(
            enrol(service, offer.id, f"{offer.id}-{who}")
            for offer in published
            for who in ("a", "b")
        )
    )
    assert Counter(outcomes) == {
        EnrolmentStatus.CONFIRMED: rounds,
        EnrolmentStatus.WAITLISTED: rounds,
    }
    for offer in published:
        got = await statuses(service, offer.id)
        last = sorted(got[f"{offer.id}-{who}"] for who in ("a", "b"))
        assert last == [EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITLISTED]
        async with service.begin() as uow:
            assert await uow.offers.confirmed(offer.id) == 3


async def test_a_freed_place_goes_once_to_the_first_in_line(service: Service) -> None:
    promoted_events = await service.tap("enrolment.promoted.v1")
    offer = await publish(service, capacity=4)
    confirmed = [f"c{i}" for i in range(4)]
    waiting = [f"w{i}" for i in range(6)]
    for person in confirmed + waiting:  # in this order: w0 is first in line
        service.clock.advance(timedelta(seconds=1))
        await enrol(service, offer.id, person)
    async with service.begin() as uow:
        ids = {e.person_id: e.id for e in await uow.enrolments.of_offer(offer.id)}

    async def cancel(person: str) -> bool:
        try:
            async with service.begin() as uow:
                await enrolments.cancel(uow, elu(person), ids[person])
            return True
        except InvalidTransition:
            return False

    # Two confirmed people leave at once, each clicking twice.
    done = await asyncio.gather(*(cancel(p) for p in ("c0", "c1", "c0", "c1")))
    assert sorted(done) == [False, False, True, True]
    got = await statuses(service, offer.id)
    assert [p for p in confirmed + waiting if got[p] is EnrolmentStatus.CONFIRMED] == [
        "c2",
        "c3",
        "w0",
        "w1",
    ]
    assert [p for p in waiting if got[p] is EnrolmentStatus.WAITLISTED] == ["w2", "w3", "w4", "w5"]
    async with service.begin() as uow:
        assert await uow.offers.confirmed(offer.id) == 4

    async def all_published() -> bool:
        async with service.runtime.pool.acquire() as conn:
            left = await conn.fetchval(
                "SELECT count(*) FROM outbox WHERE routing_key = 'enrolment.promoted.v1'"
            )
        return left == 0

    # Once the outbox has published every promotion, the broker holds them all.
    await wait_until(all_published, what="the promotions published")
    seen: list[str] = []

    async def two_promotions() -> bool:
        seen.extend(body_of(m)["person_id"] for m in await drain(promoted_events))
        return len(seen) >= 2

    await wait_until(two_promotions, what="the promotions on the broker")
    seen.extend(body_of(m)["person_id"] for m in await drain(promoted_events))
    assert sorted(seen) == ["w0", "w1"]  # each promoted exactly once


async def test_an_offre_groupee_for_8_elus_of_one_epci(service: Service) -> None:
    closes = NOW + timedelta(days=14)
    offer = await publish(
        service,
        capacity=20,
        price_cents=30_000,
        group_tiers=[(4, 24_000), (8, 15_000)],
        registration_closes_at=closes,
    )
    rh = Actor("rh-crest", CREST, frozenset({"hr"}))
    members = [Member(f"elu-{i}", CREST_COMMUNES[i]) for i in range(8)]
    async with service.begin() as uow:
        group, enrolled = await enrolments.enrol_group(
            uow, rh, offer.id, territory_siren=CC_CRESTOIS, members=members
        )
    assert [e.price_cents for e in enrolled] == [15_000] * 8  # « prix divisé par 2 »
    assert {e.status for e in enrolled} == {EnrolmentStatus.CONFIRMED}

    # Registration closes: the job settles the group's price.
    service.clock.set(closes + timedelta(minutes=1))
    assert (await jobs.run_round(service.runtime))["settle_closed_groups"] == 1
    async with service.begin() as uow:
        settled = await uow.enrolments.get_group(group.id)
        assert settled is not None and settled.settled_price_cents == 15_000

    # One élu leaves: the seven others fall to the tier of 4.
    async with service.begin() as uow:
        await enrolments.cancel(uow, elu("elu-3", CREST_COMMUNES[3]), enrolled[3].id)
    async with service.begin() as uow:
        remaining = await uow.enrolments.confirmed_in_group(group.id)
        assert sorted(e.price_cents for e in remaining) == [24_000] * 7
        repriced = await uow.enrolments.get_group(group.id)
        assert repriced is not None and repriced.settled_price_cents == 24_000


async def test_a_group_is_of_one_territory(service: Service) -> None:
    offer = await publish(
        service,
        capacity=20,
        group_tiers=[(8, 10_000)],
        registration_closes_at=NOW + timedelta(days=14),
    )
    rh = Actor("rh-crest", CREST, frozenset({"hr"}))
    outsider = Member("elu-valence", "212603625")  # Valence, another EPCI
    with pytest.raises(InvalidTrainingInput, match="même territoire"):
        async with service.begin() as uow:
            await enrolments.enrol_group(
                uow,
                rh,
                offer.id,
                territory_siren=CC_CRESTOIS,
                members=[Member("elu-s", SAILLANS), outsider],
            )
    async with service.begin() as uow:
        assert await uow.enrolments.of_offer(offer.id) == []  # nothing changed
