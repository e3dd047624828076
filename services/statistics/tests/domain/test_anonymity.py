"""The k ≥ 3 rule holds on every view, and nothing hidden comes back by subtraction."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from deformations_statistics.domain.anonymity import Group, K, suppressed
from deformations_statistics.domain.indicators import Indicator
from deformations_statistics.domain.places import Level, Location
from deformations_statistics.domain.tables import EVERY, Statistics, Tally, compute

# A small territory: 2 régions, 3 départements, 3 EPCIs (one across two départements).
COMMUNES = (
    Location("26108", "84", "26", "200040509", "moins-500"),
    Location("26017", "84", "26", "200040509", "500-1999"),
    Location("07001", "84", "07", "200040509", "moins-500"),
    Location("07002", "84", "07", "243500139", "2000-9999"),
    Location("75056", "11", "75", "200054781", "10000-plus"),
)
CATEGORIES = ("a", "b", "c")

tallies = st.lists(
    st.builds(
        Tally,
        location=st.sampled_from(COMMUNES),
        category=st.sampled_from(CATEGORIES),
        count=st.integers(1, 6),
        value=st.just(0),
    ),
    max_size=12,
)


def relations(stats: Statistics) -> list[tuple[object, tuple[object, ...]]]:
    """Every sum a reader can check on the published tables: a place's total over the
    categories, and each level's places adding up to the platform (and départements to
    their région)."""
    cells = stats.counts
    found: list[tuple[object, tuple[object, ...]]] = []
    places = {(lvl, code) for (lvl, code, _) in cells}
    for lvl, code in places:
        found.append(((lvl, code, EVERY), tuple((lvl, code, c) for c in CATEGORIES)))
    for category in (*CATEGORIES, EVERY):
        for lvl in (Level.REGION, Level.DEPARTEMENT, Level.EPCI, Level.SIZE):
            codes = [code for (level, code) in places if level is lvl]
            found.append(
                ((Level.PLATFORM, "*", category), tuple((lvl, c, category) for c in codes))
            )
        for region in {loc.region for loc in COMMUNES}:
            deps = [
                c
                for (level, c) in places
                if level is Level.DEPARTEMENT and stats.region_of[c] == region
            ]
            found.append(
                (
                    (Level.REGION, region, category),
                    tuple((Level.DEPARTEMENT, d, category) for d in deps),
                )
            )
    return found


def determined(stats: Statistics) -> list[object]:
    """Hidden cells whose count follows from the published ones by linear algebra."""
    hidden = sorted(stats.hidden, key=repr)
    index = {cell: i for i, cell in enumerate(hidden)}
    rows = []
    for total, parts in relations(stats):
        row = np.zeros(len(hidden))
        for cell, sign in ((total, -1.0), *((p, 1.0) for p in parts)):
            if cell in index:
                row[index[cell]] += sign
        if row.any():
            rows.append(row)
    if not rows:
        return list(hidden)
    system = np.array(rows)
    rank = np.linalg.matrix_rank(system)
    found = []
    for cell, i in index.items():
        unit = np.zeros(len(hidden))
        unit[i] = 1.0
        if np.linalg.matrix_rank(np.vstack([system, unit])) == rank:
            found.append(cell)
    return found


@settings(max_examples=300, deadline=None)
@given(tallies)
def test_no_published_figure_counts_fewer_than_three(given_tallies: list[Tally]) -> None:
    stats = compute(Indicator.DIAGNOSES_BY_FAMILY, given_tallies)
    for cell, n in stats.counts.items():
        assert cell in stats.hidden or n == 0 or n >= K


@settings(max_examples=300, deadline=None)
@given(tallies)
def test_no_hidden_figure_can_be_worked_out_from_the_published_sums(
    given_tallies: list[Tally],
) -> None:
    stats = compute(Indicator.DIAGNOSES_BY_FAMILY, given_tallies)
    assert determined(stats) == [] or not stats.hidden


def test_a_single_small_cell_takes_a_neighbour_with_it() -> None:
    counts = {"total": 10, "a": 2, "b": 3, "c": 5}
    hidden = suppressed(counts, [Group("total", ("a", "b", "c"))])
    assert hidden == {"a", "b"}  # 10 - 5 gives a + b, not a


def test_two_small_cells_adding_up_to_under_three_take_a_third() -> None:
    counts = {"total": 12, "a": 1, "b": 1, "c": 4, "d": 6}
    hidden = suppressed(counts, [Group("total", ("a", "b", "c", "d"))])
    assert hidden == {"a", "b", "c"}  # a + b = 2 would say both are 1


def test_zero_is_published_it_reveals_nobody() -> None:
    assert suppressed({"total": 6, "a": 0, "b": 6}, [Group("total", ("a", "b"))]) == frozenset()


def test_a_departement_hidden_is_not_given_back_by_its_region() -> None:
    crest, privas, paris = COMMUNES[0], COMMUNES[2], COMMUNES[4]
    stats = compute(
        Indicator.DIAGNOSES_BY_FAMILY,
        [Tally(crest, "a", 5, 0), Tally(privas, "a", 1, 0), Tally(paris, "a", 4, 0)],
    )
    regional = stats.table(Level.DEPARTEMENT, within=(Level.REGION, "84"))
    assert [row.code for row in regional.rows] == ["07", "26"]
    assert regional.rows[0].total.hidden  # 1 élu in Ardèche
    # Drôme, or the région, goes too: 6 - 5 would give Ardèche's 1.
    assert regional.rows[1].total.hidden or stats.figure((Level.REGION, "84", EVERY)).hidden
    assert determined(stats) == []
