"""An in-memory unit of work: the use cases run without servers (cosmicpython)."""

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.base import EventData
from deformations_devtools.erasure import InMemoryErasedPeople
from deformations_training.domain.bodies import TrainingBody
from deformations_training.domain.boussole import Boussole
from deformations_training.domain.carnet import CarnetEntry
from deformations_training.domain.enquete import Enquete
from deformations_training.domain.enrolments import Enrolment, EnrolmentStatus
from deformations_training.domain.evaluations import Evaluation
from deformations_training.domain.groups import Group
from deformations_training.domain.journey import Rebond
from deformations_training.domain.offers import Offer
from deformations_training.domain.open_space import OpenSpace
from deformations_training.domain.programmes import Programme
from deformations_training.repositories.bodies import BodyRepository
from deformations_training.repositories.enrolments import EnrolmentRepository
from deformations_training.repositories.evaluations import EvaluationRepository
from deformations_training.repositories.journeys import RebondRepository
from deformations_training.repositories.offers import OfferRepository
from deformations_training.repositories.programmes import (
    BoussoleRepository,
    CarnetRepository,
    EnqueteRepository,
    OpenSpaceRepository,
    ProgrammeRepository,
)
from deformations_training.service.uow import TrainingUow
from deformations_training.settings import TrainingSettings


@dataclass
class Store:
    bodies: dict[str, TrainingBody] = field(default_factory=dict)
    erased_people: InMemoryErasedPeople = field(default_factory=InMemoryErasedPeople)
    offers: dict[UUID, Offer] = field(default_factory=dict)
    announced: dict[UUID, int] = field(default_factory=dict)
    enrolments: dict[UUID, Enrolment] = field(default_factory=dict)
    groups: dict[UUID, Group] = field(default_factory=dict)
    evaluations: dict[UUID, Evaluation] = field(default_factory=dict)
    rebonds: dict[UUID, Rebond] = field(default_factory=dict)
    programmes: dict[UUID, Programme] = field(default_factory=dict)
    programme_announced: dict[UUID, int] = field(default_factory=dict)
    carnet: dict[UUID, CarnetEntry] = field(default_factory=dict)
    open_spaces: dict[UUID, OpenSpace] = field(default_factory=dict)
    boussoles: dict[UUID, Boussole] = field(default_factory=dict)
    enquetes: dict[UUID, Enquete] = field(default_factory=dict)
    events: list[EventData] = field(default_factory=list)

    def keys(self) -> list[str]:
        return [e.routing_key for e in self.events]


class FakeBodies(BodyRepository):
    def __init__(self, store: Store) -> None:
        self.s = store

    async def add(self, body: TrainingBody) -> None:
        self.s.bodies[body.siren] = body

    async def get(self, siren: str) -> TrainingBody | None:
        return self.s.bodies.get(siren)


class FakeOffers(OfferRepository):
    def __init__(self, store: Store) -> None:
        self.s = store

    async def add(self, offer: Offer) -> None:
        self.s.offers[offer.id] = offer

    async def get(self, offer_id: UUID, *, for_update: bool = False) -> Offer | None:
        return self.s.offers.get(offer_id)

    async def confirmed(self, offer_id: UUID) -> int:
        return sum(
            1
            for e in self.s.enrolments.values()
            if e.offer_id == offer_id and e.status is EnrolmentStatus.CONFIRMED
        )

    async def open_offers(self) -> list[Offer]:
        return [o for o in self.s.offers.values() if o.cancelled_at is None]

    async def many(self, ids: Sequence[UUID]) -> dict[UUID, Offer]:
        return {i: self.s.offers[i] for i in ids if i in self.s.offers}

    async def save_sessions(self, offer: Offer) -> None:
        self.s.offers[offer.id] = offer

    async def mark_cancelled(self, offer: Offer) -> None:
        self.s.offers[offer.id] = offer

    async def announce(self, session_id: UUID) -> tuple[int, bool]:
        first = session_id not in self.s.announced
        self.s.announced[session_id] = 0 if first else self.s.announced[session_id] + 1
        return self.s.announced[session_id], first

    async def announced(self, session_id: UUID) -> bool:
        return session_id in self.s.announced


class FakeEnrolments(EnrolmentRepository):
    def __init__(self, store: Store) -> None:
        self.s = store

    def _sorted(self, items: Any) -> list[Enrolment]:
        return sorted(items, key=lambda e: (e.requested_at, str(e.id)))

    async def add(self, enrolment: Enrolment) -> None:
        self.s.enrolments[enrolment.id] = enrolment

    async def save(self, enrolment: Enrolment) -> None:
        self.s.enrolments[enrolment.id] = replace(
            enrolment, attended=self.s.enrolments[enrolment.id].attended
        )

    async def get(self, enrolment_id: UUID) -> Enrolment | None:
        return self.s.enrolments.get(enrolment_id)

    async def of_offer(self, offer_id: UUID) -> list[Enrolment]:
        return self._sorted(e for e in self.s.enrolments.values() if e.offer_id == offer_id)

    async def of_person(self, person_id: str) -> list[Enrolment]:
        return self._sorted(e for e in self.s.enrolments.values() if e.person_id == person_id)

    async def waitlist(self, offer_id: UUID) -> list[Enrolment]:
        return [e for e in await self.of_offer(offer_id) if e.status is EnrolmentStatus.WAITLISTED]

    async def position(self, enrolment: Enrolment) -> int:
        waiting = await self.waitlist(enrolment.offer_id)
        return [e.id for e in waiting].index(enrolment.id) + 1

    async def confirmed_in_group(self, group_id: UUID) -> list[Enrolment]:
        return [
            e
            for e in self.s.enrolments.values()
            if e.group_id == group_id and e.status is EnrolmentStatus.CONFIRMED
        ]

    async def set_price(self, ids: Sequence[UUID], price_cents: int) -> None:
        for i in ids:
            self.s.enrolments[i] = replace(self.s.enrolments[i], price_cents=price_cents)

    async def record_attendance(
        self, enrolment_id: UUID, session_id: UUID, present: bool, by: str, at: datetime
    ) -> None:
        e = self.s.enrolments[enrolment_id]
        attended = e.attended | {session_id} if present else e.attended - {session_id}
        self.s.enrolments[enrolment_id] = replace(e, attended=frozenset(attended))

    async def add_group(self, group: Group) -> None:
        self.s.groups[group.id] = group

    async def get_group(self, group_id: UUID) -> Group | None:
        return self.s.groups.get(group_id)

    async def save_group(self, group: Group) -> None:
        self.s.groups[group.id] = group


class FakeEvaluations(EvaluationRepository):
    def __init__(self, store: Store) -> None:
        self.s = store

    async def schedule(self, evaluations: Sequence[Evaluation]) -> None:
        have = {(e.enrolment_id, e.kind, e.session_id) for e in self.s.evaluations.values()}
        for e in evaluations:
            if (e.enrolment_id, e.kind, e.session_id) not in have:
                self.s.evaluations[e.id] = e

    async def due(self, now: datetime, limit: int = 200) -> list[Evaluation]:
        return sorted(
            (e for e in self.s.evaluations.values() if e.notified_at is None and e.due_at <= now),
            key=lambda e: e.due_at,
        )[:limit]

    async def mark_notified(self, ids: Sequence[UUID], at: datetime) -> None:
        for i in ids:
            self.s.evaluations[i] = replace(self.s.evaluations[i], notified_at=at)

    async def reminders_due(self, announced_by: datetime, limit: int = 200) -> list[Evaluation]:
        return sorted(
            (
                e
                for e in self.s.evaluations.values()
                if e.answered_at is None
                and e.reminded_at is None
                and e.notified_at is not None
                and e.notified_at <= announced_by
            ),
            key=lambda e: e.notified_at or e.due_at,
        )[:limit]

    async def mark_reminded(self, ids: Sequence[UUID], at: datetime) -> None:
        for i in ids:
            self.s.evaluations[i] = replace(self.s.evaluations[i], reminded_at=at)


class FakeRebonds(RebondRepository):
    def __init__(self, store: Store) -> None:
        self.s = store

    async def add(self, rebond: Rebond) -> None:
        self.s.rebonds[rebond.id] = rebond

    async def get(self, rebond_id: UUID, *, for_update: bool = False) -> Rebond | None:
        return self.s.rebonds.get(rebond_id)

    async def save(self, rebond: Rebond) -> None:
        self.s.rebonds[rebond.id] = rebond

    async def of_person(self, person_id: str) -> list[Rebond]:
        return [r for r in self.s.rebonds.values() if r.person_id == person_id]


class FakeProgrammes(ProgrammeRepository):
    """Copies in and out, as a database would: an unsaved change is lost."""

    def __init__(self, store: Store) -> None:
        self.s = store

    async def add(self, programme: Programme) -> None:
        self.s.programmes[programme.id] = copy.deepcopy(programme)

    async def get(self, programme_id: UUID, *, for_update: bool = False) -> Programme | None:
        found = self.s.programmes.get(programme_id)
        return copy.deepcopy(found) if found else None

    async def save(self, programme: Programme) -> None:
        self.s.programmes[programme.id] = copy.deepcopy(programme)

    async def of_person(self, person_id: str, *, for_update: bool = False) -> list[Programme]:
        return [
            copy.deepcopy(p)
            for p in self.s.programmes.values()
            if p.facilitator_id == person_id or p.participant(person_id) is not None
        ]

    async def by_recipe(self, recipe_code: str) -> list[Programme]:
        return [
            copy.deepcopy(p) for p in self.s.programmes.values() if p.recipe_code == recipe_code
        ]

    async def announce(self, session_id: UUID, programme_id: UUID) -> tuple[int, bool]:
        first = session_id not in self.s.programme_announced
        self.s.programme_announced[session_id] = (
            0 if first else self.s.programme_announced[session_id] + 1
        )
        return self.s.programme_announced[session_id], first


class FakeCarnets(CarnetRepository):
    def __init__(self, store: Store) -> None:
        self.s = store

    async def add(self, entry: CarnetEntry) -> None:
        self.s.carnet[entry.id] = copy.deepcopy(entry)

    async def own(self, entry_id: UUID, author_id: str) -> CarnetEntry | None:
        found = self.s.carnet.get(entry_id)
        return copy.deepcopy(found) if found and found.author_id == author_id else None

    async def save(self, entry: CarnetEntry) -> None:
        self.s.carnet[entry.id] = copy.deepcopy(entry)

    async def of_author(self, programme_id: UUID, author_id: str) -> list[CarnetEntry]:
        return [
            copy.deepcopy(e)
            for e in self.s.carnet.values()
            if e.programme_id == programme_id and e.author_id == author_id
        ]

    async def shared(self, programme_id: UUID) -> list[CarnetEntry]:
        return [
            copy.deepcopy(e)
            for e in self.s.carnet.values()
            if e.programme_id == programme_id and e.shared
        ]

    async def visible(self, entry_id: UUID, reader_id: str) -> CarnetEntry | None:
        found = self.s.carnet.get(entry_id)
        if found is None:
            return None
        return (
            copy.deepcopy(found)
            if found.visible_to(reader_id, self.s.programmes[found.programme_id])
            else None
        )


class FakeOpenSpaces(OpenSpaceRepository):
    def __init__(self, store: Store) -> None:
        self.s = store

    async def get(self, programme_id: UUID) -> OpenSpace | None:
        found = self.s.open_spaces.get(programme_id)
        return copy.deepcopy(found) if found else None

    async def save(self, space: OpenSpace) -> None:
        self.s.open_spaces[space.programme_id] = copy.deepcopy(space)


class FakeBoussoles(BoussoleRepository):
    def __init__(self, store: Store) -> None:
        self.s = store

    async def get(self, programme_id: UUID) -> Boussole | None:
        found = self.s.boussoles.get(programme_id)
        return copy.deepcopy(found) if found else None

    async def save(self, boussole: Boussole) -> None:
        self.s.boussoles[boussole.programme_id] = copy.deepcopy(boussole)


class FakeEnquetes(EnqueteRepository):
    def __init__(self, store: Store) -> None:
        self.s = store

    async def get(self, programme_id: UUID) -> Enquete | None:
        found = self.s.enquetes.get(programme_id)
        return copy.deepcopy(found) if found else None

    async def save(self, enquete: Enquete) -> None:
        self.s.enquetes[enquete.programme_id] = copy.deepcopy(enquete)


class FakeUow(TrainingUow):
    def __init__(self, store: Store, clock: ManualClock) -> None:
        async def record(conn: Any, events: Sequence[EventData]) -> list[UUID]:
            store.events.extend(events)
            return [uuid4() for _ in events]

        super().__init__(None, TrainingSettings(), clock, record)
        self.store = store

    @property
    def erased_people(self) -> Any:
        return self.store.erased_people

    @property
    def bodies(self) -> BodyRepository:
        return FakeBodies(self.store)

    @property
    def offers(self) -> OfferRepository:
        return FakeOffers(self.store)

    @property
    def enrolments(self) -> EnrolmentRepository:
        return FakeEnrolments(self.store)

    @property
    def evaluations(self) -> EvaluationRepository:
        return FakeEvaluations(self.store)

    @property
    def rebonds(self) -> RebondRepository:
        return FakeRebonds(self.store)

    @property
    def programmes(self) -> ProgrammeRepository:
        return FakeProgrammes(self.store)

    @property
    def carnets(self) -> CarnetRepository:
        return FakeCarnets(self.store)

    @property
    def open_spaces(self) -> OpenSpaceRepository:
        return FakeOpenSpaces(self.store)

    @property
    def boussoles(self) -> BoussoleRepository:
        return FakeBoussoles(self.store)

    @property
    def enquetes(self) -> EnqueteRepository:
        return FakeEnquetes(self.store)
