"""Pure helpers of the service layer: places of collectivités, events built from results."""

from datetime import UTC, datetime
from uuid import uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from deformations_common.geography import load_geography
from deformations_contracts.events.matching import MatchProposed, ProposalKind
from deformations_matching import events
from deformations_matching.book import half_day_key
from deformations_matching.domain.scoring import Reason
from deformations_matching.locate import departement_of, locate

GEOGRAPHY = load_geography()
CREST_EPCI = "200040509"


def test_a_commune_is_placed_by_its_insee_code_or_else_its_siren() -> None:
    by_insee = locate(GEOGRAPHY, "000000000", "26108", None)
    by_siren = locate(GEOGRAPHY, "212601082", None, None)
    assert by_insee is not None and by_insee == by_siren
    assert by_insee.commune_name == "Crest" and by_insee.epci_siren == CREST_EPCI


def test_an_epci_is_placed_at_its_first_member_with_its_own_population() -> None:
    place = locate(GEOGRAPHY, CREST_EPCI, None, None)
    assert place is not None
    assert place.insee == GEOGRAPHY.members(CREST_EPCI)[0]
    assert place.population == GEOGRAPHY.epci(CREST_EPCI).population


def test_an_unknown_collectivite_has_no_place() -> None:
    assert locate(GEOGRAPHY, "999999999", "99999", "888888888") is None
    assert departement_of(GEOGRAPHY, None) is None
    assert departement_of(GEOGRAPHY, "2A004") == "2A"


def test_half_day_keys_follow_iso_weekdays() -> None:
    assert half_day_key(1, "am") == "mon_am" and half_day_key(7, "pm") == "sun_pm"


@settings(max_examples=80, deadline=None)
@given(
    score=st.floats(-1, 2, allow_nan=False),
    texts=st.lists(st.text(min_size=3, max_size=600).filter(str.strip), min_size=1, max_size=14),
)
def test_a_need_offer_event_always_fits_its_contract(score: float, texts: list[str]) -> None:
    request, offer = uuid4(), uuid4()
    event = events.need_offer(
        request_id=request,
        requester_siren="938438454",
        offer_id=offer,
        lender_siren="212601082",
        theme="alimentation",
        score=score,
        reasons=[Reason("x", t) for t in texts],
        now=datetime.now(UTC),
    )
    again = MatchProposed.model_validate(event.model_dump(mode="json"))
    assert 0 <= again.score <= 1 and 1 <= len(again.reasons) <= 10
    assert all(len(r) <= 300 for r in again.reasons)
    # The same parties always make the same proposal.
    assert event.proposal_id == events.proposal_id_for(
        ProposalKind.NEED_OFFER, str(request), str(offer)
    )
