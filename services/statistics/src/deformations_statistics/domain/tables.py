"""From counted facts to the tables people see: every level at once, one suppression.

The cells of every level (and of the platform) are computed together and suppressed
together (``anonymity.suppressed``), so a département's table, the région's and the export
agree on what is hidden: no view gives away what another hides.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from deformations_statistics.domain.anonymity import Group, K, suppressed
from deformations_statistics.domain.indicators import Indicator, category_label
from deformations_statistics.domain.places import ALL, PARENT, Level, Location

EVERY = "*"  # the category of a place's total


@dataclass(frozen=True, slots=True)
class Tally:
    """Facts of one indicator in one commune and category: how many, and what they add up."""

    location: Location
    category: str
    count: int
    value: int
    category_label: str | None = None


@dataclass(frozen=True, slots=True)
class Figure:
    count: int | None  # None: hidden (secret statistique)
    value: int | None

    @property
    def hidden(self) -> bool:
        return self.count is None


@dataclass(frozen=True, slots=True)
class Row:
    code: str
    figures: tuple[Figure, ...]  # one per category, in the table's order
    total: Figure


@dataclass(frozen=True, slots=True)
class Table:
    indicator: Indicator
    level: Level
    categories: tuple[tuple[str, str], ...]  # (code, French label)
    rows: tuple[Row, ...]
    total: Row  # the whole platform
    k: int = K

    @property
    def hidden_cells(self) -> int:
        return sum(f.hidden for row in (*self.rows, self.total) for f in (*row.figures, row.total))


Cell = tuple[Level, str, str]  # level, place code, category (EVERY for the place's total)


@dataclass(frozen=True, slots=True)
class Statistics:
    """One indicator's cells at every level, with what must stay hidden."""

    indicator: Indicator
    counts: dict[Cell, int]
    values: dict[Cell, int]
    categories: tuple[tuple[str, str], ...]
    hidden: frozenset[Cell]
    region_of: dict[str, str]  # département → région

    def figure(self, cell: Cell) -> Figure:
        if cell in self.hidden:
            return Figure(None, None)
        return Figure(self.counts.get(cell, 0), self.values.get(cell, 0))

    def table(self, level: Level, within: tuple[Level, str] | None = None) -> Table:
        """The places of ``level`` (those ``within`` a place, e.g. a région's départements),
        each with its figure per category and its total, and the platform's total."""
        codes = sorted({code for (lvl, code, _) in self.counts if lvl is level})
        if within is not None:
            codes = [c for c in codes if self._inside(level, c, within)]
        rows = tuple(self._row(level, code) for code in codes)
        return Table(self.indicator, level, self.categories, rows, self._row(Level.PLATFORM, ALL))

    def _row(self, level: Level, code: str) -> Row:
        figures = tuple(self.figure((level, code, c)) for c, _ in self.categories)
        return Row(code, figures, self.figure((level, code, EVERY)))

    def _inside(self, level: Level, code: str, within: tuple[Level, str]) -> bool:
        if within[0] is Level.PLATFORM:
            return True
        if level is Level.DEPARTEMENT and within[0] is Level.REGION:
            return self.region_of.get(code) == within[1]
        return within == (level, code)


def compute(indicator: Indicator, tallies: Iterable[Tally], k: int = K) -> Statistics:
    counts: dict[Cell, int] = defaultdict(int)
    values: dict[Cell, int] = defaultdict(int)
    labels: dict[str, str] = {}
    region_of: dict[str, str] = {}
    for tally in tallies:
        labels.setdefault(
            tally.category, category_label(indicator, tally.category, tally.category_label)
        )
        region_of[tally.location.departement] = tally.location.region
        for level in Level:
            code = tally.location.code(level)
            for category in (tally.category, EVERY):
                counts[(level, code, category)] += tally.count
                values[(level, code, category)] += tally.value
    categories = tuple(sorted(labels.items(), key=lambda item: item[1]))
    hidden = suppressed(counts, _groups(counts, [c for c, _ in categories], region_of), k)
    return Statistics(indicator, dict(counts), dict(values), categories, hidden, region_of)


def _groups(
    counts: dict[Cell, int], categories: Sequence[str], region_of: dict[str, str]
) -> list[Group[Cell]]:
    places = sorted({(level, code) for (level, code, _) in counts})
    groups = [
        Group((level, code, EVERY), tuple((level, code, c) for c in categories))
        for level, code in places
    ]
    for category in (*categories, EVERY):
        for level, parent in PARENT.items():
            children = [code for lvl, code in places if lvl is level]
            by_parent: dict[str, list[str]] = defaultdict(list)
            for code in children:
                owner = region_of.get(code, "") if parent is Level.REGION else ALL
                by_parent[owner].append(code)
            for owner, codes in by_parent.items():
                parts = tuple((level, code, category) for code in codes)
                groups.append(Group((parent, owner, category), parts))
            if parent is not Level.PLATFORM:
                # The platform is also the sum of every place of this level, straight.
                parts = tuple((level, code, category) for code in children)
                groups.append(Group((Level.PLATFORM, ALL, category), parts))
    return groups
