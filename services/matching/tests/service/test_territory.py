"""An Île-de-France platform proposes nothing from the Drôme, unless it welcomes elsewhere."""

from datetime import date, timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from deformations_common.geography import load_geography
from deformations_common.scope import OutsideScope, PlatformMisconfigured
from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.events.lending import (
    ReimbursementBasis,
    SkillOffered,
    SkillRequested,
    SkillVisibility,
)
from deformations_contracts.events.matching import MatchProposed, ProposalKind
from deformations_contracts.events.sessions import SessionScheduled
from deformations_contracts.types import Modality
from deformations_contracts.values import CollectiviteRef, Period, WeekdayHalfDay
from deformations_devtools.portal.platforms import ILE_DE_FRANCE
from deformations_matching.app import definition
from deformations_matching.domain.errors import (
    CallOutsideScope,
    CommuneOutsideScope,
    ParticipantsOutsideScope,
    TooFewPeers,
)
from deformations_matching.service import (
    cafes,
    peer_calls,
    read_models,
    rematch,
    speed_dating,
    statistics,
)
from deformations_matching.service.cafes import CafeIn
from deformations_matching.service.peer_calls import PeerCallIn
from deformations_matching.service.speed_dating import SpeedDatingIn
from deformations_matching.settings import MatchingSettings

from .fakes import FakeUow, Store
from .people import CREST, EPCI, MIRABEL, SAILLANS, diagnosis, elected, membership, with_roles

PARIS = ("75056", "217500016")
SAINT_DENIS = ("93066", "929939411")
MELUN = ("77288", "217702885")
VERSAILLES = ("78646", "217806462")
EVRY = ("91228", "200083525")
HOUDAN = ("78310", "217803105")
HAVELU = ("28193", "212801930")  # CC du Pays Houdanais too, but in the Eure-et-Loir
HOUDANAIS = "247800550"
IDF_COMMUNES = [PARIS, SAINT_DENIS, MELUN, VERSAILLES, EVRY]
DROME_COMMUNES = [CREST, SAILLANS, MIRABEL]
CANTINE = "Notre cuisinière accompagne l'introduction de produits bio et locaux à la cantine."
NEED = "Introduire des produits bio et locaux à la cantine de l'école."
PROBLEM = "Comment passer la cantine en bio local sans exploser le budget ?"


@pytest.fixture
def open_idf(tmp_path: Path) -> Path:
    file = tmp_path / "idf-ouverte.toml"
    file.write_text('region = "11"\noutside_allowed = true\n', encoding="utf-8")
    return file


def on(platform: Path | None) -> MatchingSettings:
    return MatchingSettings(platform_file=str(platform) if platform else None)


def ref(commune: tuple[str, str]) -> CollectiviteRef:
    epci = load_geography().commune(commune[0]).epci_siren
    return CollectiviteRef(siren=commune[1], insee_code=commune[0], epci_siren=epci)


def offer(commune: tuple[str, str], today: date) -> SkillOffered:
    return SkillOffered(
        offer_id=uuid4(),
        collectivite=ref(commune),
        theme="alimentation",
        description=CANTINE,
        agent_role="Cuisinière",
        skill_visibility=SkillVisibility.VISIBLE,
        capacity_half_days=8,
        period=Period(start=today, end=today + timedelta(days=180)),
        possible_half_days=[WeekdayHalfDay(weekday=2, part="am")],
        modality=Modality.EITHER,
        reimbursement_basis=ReimbursementBasis.TIME_EXCHANGE,
        offered_at=f"{today.isoformat()}T09:00:00+00:00",
    )


def request(commune: tuple[str, str], today: date) -> SkillRequested:
    return SkillRequested(
        request_id=uuid4(),
        collectivite=ref(commune),
        theme="alimentation",
        need=NEED,
        period=Period(start=today, end=today + timedelta(days=90)),
        half_days_wanted=2,
        preferred_half_days=[WeekdayHalfDay(weekday=2, part="am")],
        modality=Modality.EITHER,
        requested_at=f"{today.isoformat()}T09:00:00+00:00",
    )


def lenders(store: Store) -> set[str]:
    return {p.offer.collectivite_siren for p in store.emitted_of(MatchProposed) if p.offer}


def requesters(store: Store) -> set[str]:
    return {r.collectivite_siren for p in store.emitted_of(MatchProposed) for r in p.requests}


async def test_an_ile_de_france_platform_never_proposes_a_drome_offer(
    store: Store, clock: ManualClock
) -> None:
    uow = FakeUow(store, clock, on(ILE_DE_FRANCE))
    today = clock.now.date()
    drome, saint_denis = offer(CREST, today), offer(SAINT_DENIS, today)
    for made in (drome, saint_denis):
        await read_models.record_offer(uow, made)
    await read_models.receive_request(uow, request(PARIS, today))
    await read_models.receive_request(uow, request(MELUN, today))
    # Nor proposes anything to a Drôme need, nor in the global re-match.
    await read_models.receive_request(uow, request(SAILLANS, today))
    await rematch.run_round(uow, 8)
    kinds = {p.kind for p in store.emitted_of(MatchProposed)}
    assert ProposalKind.NEED_OFFER in kinds
    assert lenders(store) == {SAINT_DENIS[1]}
    assert requesters(store) == {PARIS[1], MELUN[1]}


async def test_it_does_when_the_platform_welcomes_elsewhere(
    store: Store, clock: ManualClock, open_idf: Path
) -> None:
    uow = FakeUow(store, clock, on(open_idf))
    today = clock.now.date()
    await read_models.record_offer(uow, offer(CREST, today))
    await read_models.receive_request(uow, request(PARIS, today))
    assert lenders(store) == {CREST[1]}


async def diagnosed(uow: FakeUow, communes: list[tuple[str, str]], prefix: str) -> list[str]:
    people = [f"{prefix}-{i}" for i in range(len(communes))]
    for person, commune in zip(people, communes, strict=True):
        await read_models.record_diagnosis(uow, diagnosis(person, commune, uow.now()))
    return people


async def test_a_groupe_d_entraide_recruits_no_one_from_elsewhere(
    store: Store, clock: ManualClock
) -> None:
    uow = FakeUow(store, clock, on(ILE_DE_FRANCE))
    caller, *franciliens = await diagnosed(uow, IDF_COMMUNES, "idf")
    drome = await diagnosed(uow, DROME_COMMUNES * 2, "drome")
    # A Drôme élu's call (from the diagnosis' commune) is refused, nothing stored.
    with pytest.raises(CommuneOutsideScope, match="région Île-de-France"):
        await peer_calls.post_call(
            uow, elected(drome[0]), PeerCallIn(theme="alimentation", problem=PROBLEM)
        )
    assert not store.calls
    call = await peer_calls.post_call(
        uow, elected(caller), PeerCallIn(theme="alimentation", problem=PROBLEM)
    )
    group = await peer_calls.form_group(uow, elected(caller), call.call_id)
    [proposed] = store.emitted_of(MatchProposed)
    assert proposed.kind is ProposalKind.PEER_GROUP
    members = set(proposed.members)
    assert caller in members and members <= {caller, *franciliens}
    assert group.size == len(members) >= 4


async def test_without_enough_peers_inside_no_group_is_formed(
    store: Store, clock: ManualClock
) -> None:
    uow = FakeUow(store, clock, on(ILE_DE_FRANCE))
    [caller] = await diagnosed(uow, [PARIS], "idf")
    await diagnosed(uow, DROME_COMMUNES * 2, "drome")
    call = await peer_calls.post_call(
        uow, elected(caller), PeerCallIn(theme="alimentation", problem=PROBLEM)
    )
    with pytest.raises(TooFewPeers):
        await peer_calls.form_group(uow, elected(caller), call.call_id)
    assert not store.emitted_of(MatchProposed)


async def test_a_call_stored_from_elsewhere_is_listed_to_its_author_only(
    store: Store, clock: ManualClock
) -> None:
    # Posted before the platform had a territory, then the platform is set to Île-de-France.
    everywhere = FakeUow(store, clock, on(None))
    [drome] = await diagnosed(everywhere, [CREST], "drome")
    call = await peer_calls.post_call(
        everywhere, elected(drome), PeerCallIn(theme="alimentation", problem=PROBLEM)
    )
    uow = FakeUow(store, clock, on(ILE_DE_FRANCE))
    assert await peer_calls.list_calls(uow, elected("idf-x"), None, 10) == []
    assert [c.call_id for c in await peer_calls.list_calls(uow, elected(drome), None, 10)] == [
        call.call_id
    ]
    with pytest.raises(CallOutsideScope):
        await peer_calls.join_call(uow, elected("idf-x"), call.call_id)
    with pytest.raises(CallOutsideScope):
        await peer_calls.form_group(uow, elected(drome), call.call_id)
    assert store.calls[call.call_id].status == "open" and not store.emitted_of(MatchProposed)


async def test_cafes_and_speed_datings_stay_in_the_region(
    store: Store, clock: ManualClock, open_idf: Path
) -> None:
    uow = FakeUow(store, clock, on(ILE_DE_FRANCE))
    people = [("elu-a", CREST), ("tech-a", CREST), ("voisin", SAILLANS)]
    people += [("houdan", HOUDAN), ("havelu", HAVELU)]
    for person, commune in people:
        await read_models.record_membership(uow, membership(person, commune[1], uow.now()))
    cafe = CafeIn.model_validate(
        {
            "collectivite_siren": CREST[1],
            "first_day": clock.now.date() + timedelta(days=7),
            "remote": True,
            "participants": [
                {"person_id": "elu-a", "role": "elu", "subjects": ["alimentation"]},
                {"person_id": "tech-a", "role": "technicien", "subjects": ["alimentation"]},
            ],
        }
    )
    operator = with_roles("op", "operator")
    with pytest.raises(OutsideScope, match="région Île-de-France"):
        await cafes.plan_cafe(uow, operator, cafe)

    def evening(epci: str, *placed: tuple[str, tuple[str, str]]) -> SpeedDatingIn:
        return SpeedDatingIn.model_validate(
            {
                "epci_siren": epci,
                "starts_at": clock.now + timedelta(days=7),
                "rounds": 1,
                "remote": True,
                "participants": [{"person_id": p, "commune_insee": c[0]} for p, c in placed],
            }
        )

    with pytest.raises(OutsideScope):
        await speed_dating.plan(
            uow, operator, evening(EPCI, ("elu-a", CREST), ("voisin", SAILLANS))
        )
    # The CC du Pays Houdanais is partly in the Yvelines: only its Yvelines élus meet there.
    with pytest.raises(ParticipantsOutsideScope, match="havelu"):
        await speed_dating.plan(
            uow, operator, evening(HOUDANAIS, ("houdan", HOUDAN), ("havelu", HAVELU))
        )
    assert not store.emitted and not store.cafe_cycles and not store.speed_datings

    welcoming = FakeUow(store, clock, on(open_idf))
    await cafes.plan_cafe(welcoming, operator, cafe)
    assert store.emitted_of(MatchProposed) and store.emitted_of(SessionScheduled)


async def test_theme_statistics_count_only_the_region(store: Store, clock: ManualClock) -> None:
    uow = FakeUow(store, clock, on(ILE_DE_FRANCE))
    await diagnosed(uow, IDF_COMMUNES[:3], "idf")
    await diagnosed(uow, DROME_COMMUNES * 2, "drome")
    counted = await statistics.themes(uow, None)
    assert [(t.theme, t.diagnoses) for t in counted] == [("alimentation", 3)]
    assert await statistics.themes(uow, "26") == []


def test_a_wrong_territory_stops_matching_from_starting(tmp_path: Path) -> None:
    lost = tmp_path / "lost.toml"
    lost.write_text('region = "11"\ndepartements = ["26"]\n', encoding="utf-8")
    with pytest.raises(PlatformMisconfigured, match="« 26 » n'est pas dans la région"):
        definition(on(lost))
