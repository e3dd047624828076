from hypothesis import given, settings
from hypothesis import strategies as st

from deformations_contracts.catalogue import load_catalogue
from deformations_matching.domain.recommendations import REBOND, Profile, rebond, recommend

CATALOGUE = load_catalogue()
ALL_CODES = [
    code
    for t in CATALOGUE.thematiques
    for code in (t.recipe.code, *(i.code for i in t.other_ideas))
]


def profile(**changes: object) -> Profile:
    values: dict[str, object] = {
        "axis_scores": {"reseau": 50.0, "echelle": 50.0, "pratique": 50.0},
        "time_slots": frozenset({"morning"}),
        "half_days_per_month": 1,
        "next_steps": (),
    }
    values.update(changes)
    return Profile(**values)  # type: ignore[arg-type]


def test_little_time_gets_short_formats() -> None:
    codes = [r.code for r in recommend(profile(half_days_per_month=0), CATALOGUE)]
    assert codes[:2] == ["t03_cafe_formation", "t04_podcasts"]


def test_evening_only_counts_as_little_time() -> None:
    short = profile(time_slots=frozenset({"evening", "early_morning"}), half_days_per_month=3)
    codes = [r.code for r in recommend(short, CATALOGUE)]
    assert "t03_cafe_formation" in codes and "t03_cycle_a_la_carte" in codes


def test_an_isolated_elu_is_sent_to_peers_and_neighbours() -> None:
    recommended = recommend(profile(axis_scores={"reseau": 10.0}), CATALOGUE)
    reasons = {r.code: r.reason for r in recommended}
    assert "t07_groupe_entraide" in reasons and "t08_speed_dating_voisins" in reasons
    assert "isolement" in reasons["t07_groupe_entraide"]


def test_the_diagnosis_next_steps_come_first_and_unknown_codes_are_skipped() -> None:
    steps = ("t6_old_code", "t07_groupe_entraide")
    [first, *_] = recommend(profile(next_steps=steps), CATALOGUE)
    assert first.code == "t07_groupe_entraide"
    assert first.reason == "Proposé par votre autodiagnostic"


def test_rebond_follows_the_booklet_and_skips_what_was_done() -> None:
    after = rebond("t03_cafe_formation", CATALOGUE)
    assert [r.code for r in after[:2]] == list(REBOND["t03_cafe_formation"])
    assert "Rebond après « Un café formation »" in after[0].reason
    skipped = rebond("t03_cafe_formation", CATALOGUE, done={"t03_cycle_a_la_carte"})
    assert "t03_cycle_a_la_carte" not in [r.code for r in skipped]


def test_every_rebond_target_exists() -> None:
    assert REBOND  # an empty table would pass the loop below
    for source, targets in REBOND.items():
        assert targets, source
        assert CATALOGUE.find(source).code == source
        for target in targets:
            assert CATALOGUE.find(target).code == target


@settings(max_examples=60, deadline=None)
@given(
    after=st.sampled_from(ALL_CODES),
    done=st.sets(st.sampled_from(ALL_CODES), max_size=6),
)
def test_rebond_never_repeats_the_module_nor_what_was_done(after: str, done: set[str]) -> None:
    codes = [r.code for r in rebond(after, CATALOGUE, done=done)]
    assert after not in codes
    assert not set(codes) & done
    assert len(codes) == len(set(codes)) <= 3
    assert codes  # there is always somewhere to go


@settings(max_examples=60, deadline=None)
@given(
    axes=st.dictionaries(
        st.sampled_from(["reseau", "echelle", "pratique", "vision"]),
        st.floats(0, 100),
        max_size=4,
    ),
    half_days=st.integers(0, 20),
    slots=st.sets(st.sampled_from(["early_morning", "morning", "lunch", "evening"])),
    done=st.sets(st.sampled_from(ALL_CODES), max_size=5),
)
def test_recommendations_are_known_distinct_and_new(
    axes: dict[str, float], half_days: int, slots: set[str], done: set[str]
) -> None:
    chosen = recommend(
        profile(axis_scores=axes, half_days_per_month=half_days, time_slots=frozenset(slots)),
        CATALOGUE,
        done=done,
    )
    codes = [r.code for r in chosen]
    assert len(codes) == len(set(codes)) <= 5
    assert not set(codes) & done
    for r in chosen:
        assert r.title == CATALOGUE.title_of(r.code) and r.reason
