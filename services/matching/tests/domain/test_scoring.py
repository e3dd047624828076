from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from deformations_matching.domain.index import OfferIndex
from deformations_matching.domain.model import SkillOffer, SkillRequest, Standing
from deformations_matching.domain.places import Proximity
from deformations_matching.domain.scoring import brute_force_top_k, explain, score_pair
from deformations_matching.domain.text import TextModel, cosine, terms

from .strategies import offers, places, requests, worlds


def test_terms_fold_accents_and_stem() -> None:
    assert terms("Rénovation énergétique des écoles") == ["renov", "energ", "ecole"]
    model = TextModel(["rénover la mairie", "énergie solaire"])
    a = model.vectorize("Rénovation de la mairie")
    assert cosine(a, model.vectorize("rénover notre mairie")) > 0.99
    assert cosine(a, model.vectorize("énergie solaire")) == 0.0


def _pair() -> tuple[SkillRequest, SkillOffer]:
    by_epci: dict[str | None, list] = {}
    for place in places():
        by_epci.setdefault(place.epci_siren, []).append(place)
    home = next(p for group in by_epci.values() if len(group) > 1 for p in group)
    request = SkillRequest("r1", "210000001", home, frozenset({"eau"}), "eau de pluie")
    offer = SkillOffer("o1", "210000002", home, frozenset({"eau"}), "eau de pluie", 4)
    return request, offer


def test_hypers_voisins_rank_above_departement_and_region() -> None:
    request, offer = _pair()
    by_proximity = {}
    for place in places():
        proximity = request.place.proximity(place)
        if proximity is not Proximity.SAME_COMMUNE:
            moved = replace(offer, place=replace(place, population=request.place.population))
            by_proximity.setdefault(proximity, moved)
    totals = []
    for proximity in (
        Proximity.SAME_EPCI,
        Proximity.SAME_DEPARTEMENT,
        Proximity.SAME_REGION,
        Proximity.ELSEWHERE,
    ):
        score = score_pair(request, by_proximity[proximity], text_similarity=1.0)
        assert score is not None
        totals.append(score.total)
    assert totals == sorted(totals, reverse=True)
    assert len(set(totals)) == 4


def test_own_and_off_theme_offers_are_not_eligible() -> None:
    request, offer = _pair()
    assert score_pair(request, replace(offer, lender_siren="210000001"), text_similarity=1) is None
    assert (
        score_pair(request, replace(offer, themes=frozenset({"mobilite"})), text_similarity=1)
        is None
    )


def test_a_swamped_lender_scores_less_and_reciprocity_helps() -> None:
    request, offer = _pair()
    fresh = score_pair(request, offer, text_similarity=0.5)
    busy = score_pair(request, offer, text_similarity=0.5, booked_half_days=4)
    generous = score_pair(
        request, offer, text_similarity=0.5, requester=Standing(hours_lent=70, hours_received=0)
    )
    assert fresh is not None
    assert busy is not None
    assert generous is not None
    assert busy.total < fresh.total < generous.total
    reasons = {r.code: r.text for r in explain(request, offer, busy)}
    assert "sollicité" in reasons["load"]


def test_good_feedback_raises_the_score() -> None:
    request, offer = _pair()
    poor = score_pair(
        request, offer, text_similarity=0.5, lender=Standing(feedback_sum=4, feedback_count=4)
    )
    good = score_pair(
        request, offer, text_similarity=0.5, lender=Standing(feedback_sum=20, feedback_count=4)
    )
    assert poor is not None
    assert good is not None
    assert good.total > poor.total
    texts = [
        r.text
        for r in explain(request, offer, good, lender=Standing(feedback_sum=20, feedback_count=4))
    ]
    assert "Retours passés : 5,0/5 sur 4 prêts" in texts


@settings(max_examples=60, deadline=None)
@given(worlds(), st.integers(1, 6))
def test_index_top_k_equals_brute_force(world, k) -> None:
    offer_list, request_list = world
    model = TextModel([o.description for o in offer_list])
    index = OfferIndex(model)
    for offer in offer_list:
        index.add(offer)
    if offer_list:
        index.set_booked(offer_list[0].offer_id, 1)
        index.set_standing(offer_list[0].lender_siren, Standing(feedback_sum=9, feedback_count=2))
        index.withdraw(offer_list[-1].offer_id)
    live = index.offers()
    for request in request_list:
        vector = model.vectorize(request.description)
        expected = brute_force_top_k(
            request,
            live,
            k,
            request_vector=vector,
            offer_vector=index.vector,
            standing=index.standing,
            booked=index.booked,
        )
        got = index.top_k(request, k)
        assert [round(c.score, 9) for c in got] == [round(e[0], 9) for e in expected]
        assert all(index.offer(c.offer_id) is not None for c in got)
    batch = index.top_k_many(request_list, k)
    for request in request_list:
        assert [c.offer_id for c in batch[request.request_id]] == [
            c.offer_id for c in index.top_k(request, k)
        ]


@settings(max_examples=60, deadline=None)
@given(st.lists(offers(0), min_size=1, max_size=1), requests(0))
def test_every_proposal_has_its_score_and_french_reasons(offer_list, request) -> None:
    index = OfferIndex(TextModel())
    index.add(offer_list[0])
    proposals = index.propose(request, 3)
    if score_pair(request, offer_list[0], text_similarity=0.0) is None:
        assert proposals == []
        return
    [proposal] = proposals
    codes = [r.code for r in proposal.reasons]
    assert {"theme", "proximity", "text", "size", "availability", "feedback"} <= set(codes)
    assert all(r.text and r.text[0].isupper() for r in proposal.reasons)
    assert 0.0 <= proposal.score <= 1.05


def test_replacing_an_offer_keeps_one_copy() -> None:
    request, offer = _pair()
    index = OfferIndex(TextModel())
    index.add(offer)
    index.add(replace(offer, description="autre chose"))
    assert len(index) == 1
    assert len(index.top_k(request, 5)) == 1
    index.withdraw("o1")
    index.withdraw("unknown")
    assert index.top_k(request, 5) == []
