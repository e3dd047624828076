"""What matching does with the events it reads, over an in-memory unit of work."""

from datetime import date, timedelta
from uuid import uuid4

from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.events.lending import (
    ReimbursementBasis,
    SkillOffered,
    SkillRequested,
    SkillVisibility,
)
from deformations_contracts.events.matching import MatchProposed, ProposalKind
from deformations_contracts.types import Modality
from deformations_contracts.values import CollectiviteRef, Period, WeekdayHalfDay
from deformations_matching.service import proposals, read_models
from deformations_matching.settings import MatchingSettings

from .fakes import FakeUow, Store
from .people import AOUSTE, CREST, EPCI, MIRABEL, PIEGROS, SAILLANS, diagnosis

NEED = "Introduire des produits bio et locaux à la cantine de l'école, avec les producteurs."
CANTINE = (
    "Notre technicienne de la cuisine centrale accompagne l'introduction de produits bio "
    "et locaux en restauration scolaire."
)


def where(commune: tuple[str, str]) -> CollectiviteRef:
    return CollectiviteRef(siren=commune[1], insee_code=commune[0], epci_siren=EPCI)


def offer(commune: tuple[str, str], today: date) -> SkillOffered:
    return SkillOffered(
        offer_id=uuid4(),
        collectivite=where(commune),
        theme="alimentation",
        description=CANTINE,
        agent_role="Technicienne restauration collective",
        skill_visibility=SkillVisibility.VISIBLE,
        capacity_half_days=8,
        period=Period(start=today, end=today + timedelta(days=180)),
        possible_half_days=[WeekdayHalfDay(weekday=2, part="am")],
        modality=Modality.EITHER,
        reimbursement_basis=ReimbursementBasis.TIME_EXCHANGE,
        offered_at=date_time(today),
    )


def request(commune: tuple[str, str], today: date) -> SkillRequested:
    return SkillRequested(
        request_id=uuid4(),
        collectivite=where(commune),
        theme="alimentation",
        need=NEED,
        period=Period(start=today, end=today + timedelta(days=90)),
        half_days_wanted=2,
        preferred_half_days=[WeekdayHalfDay(weekday=2, part="am")],
        modality=Modality.EITHER,
        requested_at=date_time(today),
    )


def date_time(day: date) -> str:
    return f"{day.isoformat()}T09:00:00+00:00"


async def offered(uow: FakeUow, clock: ManualClock, *communes: tuple[str, str]) -> None:
    for commune in communes:
        await read_models.record_offer(uow, offer(commune, clock.now.date()))


async def test_a_new_request_gets_as_many_proposals_as_the_settings_say_once(
    store: Store, clock: ManualClock
) -> None:
    uow = FakeUow(store, clock, MatchingSettings(proposals_per_request=2))
    await offered(uow, clock, CREST, MIRABEL, PIEGROS, AOUSTE)
    event = request(SAILLANS, clock.now.date())
    await read_models.receive_request(uow, event)
    made = store.emitted_of(MatchProposed)
    assert len(made) == 2
    assert {p.kind for p in made} == {ProposalKind.NEED_OFFER}
    assert {p.requests[0].request_id for p in made} == {event.request_id}
    assert {p.proposed_at for p in made} == {clock.now}
    # The same request again (a redelivery) proposes nothing new.
    await read_models.receive_request(uow, event)
    assert len(store.emitted_of(MatchProposed)) == 2


async def test_an_offer_reaches_the_index_only_after_it_is_read(
    uow: FakeUow, store: Store, clock: ManualClock
) -> None:
    await read_models.receive_request(uow, request(SAILLANS, clock.now.date()))
    assert not store.emitted
    await offered(uow, clock, CREST)
    await read_models.receive_request(uow, request(AOUSTE, clock.now.date()))
    [made] = store.emitted_of(MatchProposed)
    assert made.offer is not None and made.offer.collectivite_siren == CREST[1]


async def test_the_global_round_serves_earlier_requests_and_groups_similar_needs(
    uow: FakeUow, store: Store, clock: ManualClock
) -> None:
    today = clock.now.date()
    for commune in (SAILLANS, AOUSTE, PIEGROS):
        await read_models.receive_request(uow, request(commune, today))
    assert not store.emitted  # no offer yet
    await offered(uow, clock, CREST)
    clock.advance(timedelta(hours=1))
    summary = await proposals.rematch(uow)
    assert summary.ran and summary.requests == 3 and summary.emitted >= 1
    kinds = [p.kind for p in store.emitted_of(MatchProposed)]
    assert kinds.count(ProposalKind.NEED_OFFER) == summary.emitted
    assert kinds.count(ProposalKind.GROUPED_OFFER) == summary.grouped == 1
    assert store.rounds[-1]["ran_at"] == clock.now
    # A second round makes no proposal twice.
    again = await proposals.rematch(uow)
    assert again.emitted == 0 and again.grouped == 0


async def test_a_late_diagnosis_of_an_erased_person_is_not_kept(
    uow: FakeUow, store: Store, clock: ManualClock
) -> None:
    await uow.erased_people.record("elu-efface", clock())
    await read_models.record_diagnosis(uow, diagnosis("elu-efface", CREST, clock()))
    assert store.diagnoses == []
    await read_models.record_diagnosis(uow, diagnosis("elu-present", CREST, clock()))
    assert [row.person_id for _, row in store.diagnoses] == ["elu-present"]
