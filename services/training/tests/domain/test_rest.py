"""Groups, journey, evaluations, budget, search and policy rules."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest
from training_factories import CREST, NOW, offer

from deformations_contracts.events.training import EvaluationKind, RebondKind
from deformations_contracts.types import Modality, TimeSlot
from deformations_training.domain import budget, evaluations, groups, journey, policy
from deformations_training.domain import enrolments as rules
from deformations_training.domain.errors import Forbidden, InvalidTrainingInput, InvalidTransition
from deformations_training.domain.offers import Format, PriceTier, Session
from deformations_training.domain.search import Criteria, Place, Proximity, search, slot_of


def test_a_group_is_settled_at_close_and_repriced_on_a_cancellation() -> None:
    o = offer(price_cents=30_000, tiers=[PriceTier(8, 15_000)], closes=NOW + timedelta(days=3))
    g = groups.new_group(
        group_id=uuid4(),
        offer=o,
        territory_siren="200040509",
        organiser_id="rh",
        members=8,
        now=NOW,
    )
    with pytest.raises(InvalidTransition):
        groups.settle(g, o, 8, NOW)
    settled = groups.settle(g, o, 8, NOW + timedelta(days=4))
    assert settled.settled_price_cents == 15_000
    assert groups.reprice(settled, o, 7).settled_price_cents == 30_000
    with pytest.raises(InvalidTrainingInput, match="territoire"):
        groups.check_member_territory(g, "200068229")


def test_a_rebond_follows_a_module_the_elu_followed() -> None:
    module = offer()
    e = rules.enrol(
        enrolment_id=uuid4(),
        offer=module,
        person_id="elu",
        collectivite_siren=CREST,
        group_id=None,
        confirmed=0,
        price_cents=0,
        enrolled_by="elu",
        now=NOW,
    )
    s = module.sessions[0]
    after = s.ends_at + timedelta(hours=1)
    kwargs = {
        "rebond_id": uuid4(),
        "module": module,
        "kind": RebondKind.CAFE,
        "proposed_offer": None,
        "debrief": "Très impliqué sur la régie.",
        "proposal": "Venir au café formation du mois.",
        "trainer_id": "t",
        "now": after,
    }
    with pytest.raises(InvalidTransition, match="pas suivi"):
        journey.propose_rebond(enrolment=e, **kwargs)  # type: ignore[arg-type]
    present = rules.record_attendance(e, module, s.id, True, s.starts_at)
    rebond = journey.propose_rebond(enrolment=present, **kwargs)  # type: ignore[arg-type]
    assert rebond.remind_at == s.ends_at + journey.ONE_YEAR
    taken = journey.answer(rebond, take=True, now=after)
    assert taken.status is journey.RebondStatus.TAKEN
    with pytest.raises(InvalidTransition):
        journey.answer(taken, take=False, now=after)
    with pytest.raises(InvalidTrainingInput, match="module"):
        journey.propose_rebond(enrolment=present, **{**kwargs, "kind": RebondKind.MODULE})  # type: ignore[arg-type]


def test_impact_is_due_at_6_and_12_months_and_shown_from_3_answers() -> None:
    end = datetime(2026, 8, 31, 12, tzinfo=UTC)
    assert [d for _, d in evaluations.impact_schedule(end)] == [
        datetime(2027, 2, 28, 12, tzinfo=UTC),
        datetime(2027, 8, 31, 12, tzinfo=UTC),
    ]
    one = {"overall": 5, "usefulness": 4, "format_fit": 3}
    assert not evaluations.results(EvaluationKind.SATISFACTION, [one, one]).shown
    shown = evaluations.results(EvaluationKind.SATISFACTION, [one, one, {**one, "overall": 2}])
    assert shown.means == {"overall": 4.0, "usefulness": 4.0, "format_fit": 3.0}
    with pytest.raises(InvalidTrainingInput):
        evaluations.check_answers(EvaluationKind.SATISFACTION, {**one, "overall": 6})
    with pytest.raises(InvalidTrainingInput):
        evaluations.check_answers(EvaluationKind.IMPACT_6_MONTHS, one)


def test_an_answer_is_one_rounded_score_for_the_statistics() -> None:
    due = evaluations.Evaluation(
        uuid4(), uuid4(), uuid4(), "elu", EvaluationKind.SATISFACTION, NOW - timedelta(days=1)
    )
    with pytest.raises(InvalidTransition):
        evaluations.score(due)
    answered = evaluations.answer(due, {"overall": 5, "usefulness": 4, "format_fit": 3}, NOW)
    assert evaluations.score(answered) == 4
    third = evaluations.answer(due, {"overall": 4, "usefulness": 3, "format_fit": 3}, NOW)
    assert evaluations.score(third) == 3  # 3.33
    impact = evaluations.Evaluation(
        uuid4(), uuid4(), uuid4(), "elu", EvaluationKind.IMPACT_6_MONTHS, NOW
    )
    notes = {"put_into_practice": 2, "confidence": 3, "shared_with_team": 3, "actions_started": 40}
    assert evaluations.score(evaluations.answer(impact, {**notes, "confidence": 2}, NOW)) == 2
    assert evaluations.score(evaluations.answer(impact, {**notes, "shared_with_team": 4}, NOW)) == 3


def test_budget_floor_is_2_percent_of_the_allowances_and_each_elu_stands() -> None:
    year = budget.vote(
        collectivite_siren=CREST,
        year=2026,
        voted_cents=100_000,
        allowances_envelope_cents=10_000_000,
        now=NOW,
    )
    st = budget.statement(
        CREST,
        2026,
        year,
        [
            budget.Spending("a", 30_000, True),
            budget.Spending("b", 15_000, False),
            budget.Spending("a", 15_000, True),
        ],
    )
    assert (st.floor_cents, st.ceiling_cents) == (200_000, 2_000_000)
    assert st.voted_below_floor is True
    assert (st.spent_cents, st.remaining_cents, st.spent_unapproved_cents) == (
        60_000,
        40_000,
        15_000,
    )
    assert [(e.person_id, e.spent_cents) for e in st.elected] == [("a", 45_000), ("b", 15_000)]
    unknown = budget.statement(CREST, 2026, None, [])
    assert unknown.floor_cents is None and unknown.dif_url.startswith("https://")


def test_search_by_time_place_and_theme() -> None:
    morning = offer()  # 09:00 or 10:00 in Paris
    evening_at = datetime(2026, 3, 24, 17, 30, tzinfo=UTC)  # 18:30 in Paris
    evening = offer(
        sessions=[Session(uuid4(), evening_at, evening_at + timedelta(hours=2))],
        theme="energie",
        place_insee=None,
        video_url="https://visio.example.org/e",
    )
    assert slot_of(evening_at) is TimeSlot.EVENING
    crest = Place("26108", "200040509", "26", "84")
    places = {"26108": crest}
    found = search(
        [morning, evening], Criteria(time_slots=frozenset({TimeSlot.EVENING})), places.get, NOW
    )
    assert [f.offer.id for f in found] == [evening.id]
    near = search(
        [morning, evening],
        Criteria(
            near=Place("26289", "200040509", "26", "84"),
            within=Proximity.SAME_EPCI,
            modality=Modality.ON_SITE,
        ),
        places.get,
        NOW,
    )
    assert [(f.offer.id, f.proximity) for f in near] == [(morning.id, Proximity.SAME_EPCI)]
    assert (
        search(
            [morning, evening],
            Criteria(theme="energie", from_day=date(2026, 3, 23)),
            places.get,
            NOW,
        )[0].offer.id
        == evening.id
    )


def test_fits_my_time_keeps_offers_no_longer_than_the_month_s_time() -> None:
    long_module, short_cafe = offer(), replace(offer(fmt=Format.CAFE), duration_minutes=60)
    offers = [long_module, short_cafe]

    def found(minutes: int | None) -> set[object]:
        criteria = Criteria(minutes_per_month=minutes)
        return {f.offer.id for f in search(offers, criteria, {}.get, NOW)}

    assert found(None) == found(210) == {long_module.id, short_cafe.id}
    assert found(209) == found(60) == {short_cafe.id}
    assert found(59) == set()


def test_policy() -> None:
    elu = policy.Actor("elu", CREST, frozenset({"elected"}))
    rh = policy.Actor("rh", CREST, frozenset({"hr"}))
    policy.may_enrol(elu, "elu", CREST)
    policy.may_enrol(rh, "elu", CREST)
    with pytest.raises(Forbidden):
        policy.may_enrol(elu, "other", CREST)
    with pytest.raises(Forbidden):
        policy.may_enrol(rh, "elu", "200040509")
    with pytest.raises(Forbidden):
        policy.may_manage_body(elu, "775671356")
    policy.may_manage_body(policy.Actor("t", "775671356", frozenset({"trainer"})), "775671356")
