"""Monthly café élus/techniciens: pairs from the same collectivité sharing a subject.

Pairs are an optimal matching per collectivité (most shared subjects first),
found with the same min-cost flow solver as the global re-match. Each pair gets
a fixed monthly slot (default 8h–9h) on the same weekday of the month as the
first date, for three months. The pairs of the previous cycle are forbidden so a
pair does not come back straight away; the plan returns the memory to pass to
the next cycle.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import date, time

from ortools.graph.python import min_cost_flow  # type: ignore[import-untyped]

from deformations_contracts.themes import label
from deformations_matching.domain.scoring import Reason


@dataclass(frozen=True, slots=True)
class CafeParticipant:
    person_id: str
    collectivite_siren: str
    subjects: frozenset[str]


@dataclass(frozen=True, slots=True)
class CafeSession:
    day: date
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class CafePair:
    elu_id: str
    technician_id: str
    collectivite_siren: str
    shared_subjects: tuple[str, ...]
    sessions: tuple[CafeSession, ...]
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class CafePlan:
    pairs: tuple[CafePair, ...]
    unpaired: Mapping[str, str]  # person id → French reason
    memory: frozenset[frozenset[str]]  # pairs to avoid next cycle


def monthly_days(first: date, months: int) -> tuple[date, ...]:
    """The same weekday and rank in the month ("2e mardi") as ``first``, for ``months`` months.

    A fifth weekday that a month lacks falls back to the last one of that month.
    """
    rank = (first.day - 1) // 7
    days = []
    year, month = first.year, first.month
    for _ in range(months):
        first_weekday, length = calendar.monthrange(year, month)
        offset = (first.weekday() - first_weekday) % 7
        day = 1 + offset + 7 * rank
        while day > length:
            day -= 7
        days.append(date(year, month, day))
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return tuple(days)


def pair_cafe(
    elus: Sequence[CafeParticipant],
    technicians: Sequence[CafeParticipant],
    *,
    first_day: date,
    previous_cycle: Set[frozenset[str]] = frozenset(),
    start: time = time(8, 0),
    end: time = time(9, 0),
    months: int = 3,
) -> CafePlan:
    elu_list = sorted({e.person_id: e for e in elus}.values(), key=lambda p: p.person_id)
    tech_list = sorted({t.person_id: t for t in technicians}.values(), key=lambda p: p.person_id)
    arcs: list[tuple[int, int, int]] = []
    for i, elu in enumerate(elu_list):
        for j, tech in enumerate(tech_list):
            common = elu.subjects & tech.subjects
            if (
                tech.collectivite_siren != elu.collectivite_siren
                or not common
                or frozenset((elu.person_id, tech.person_id)) in previous_cycle
            ):
                continue
            arcs.append((i, j, len(common)))
    matched = _max_weight_matching(len(elu_list), len(tech_list), arcs)
    sessions = tuple(CafeSession(day, start, end) for day in monthly_days(first_day, months))
    pairs = []
    for i, j in matched:
        elu, tech = elu_list[i], tech_list[j]
        shared = tuple(sorted(elu.subjects & tech.subjects))
        reasons = (
            Reason("collectivite", "Même collectivité"),
            Reason("subjects", "Sujets partagés : " + ", ".join(label(s) for s in shared)),
            Reason(
                "slot",
                f"Créneau fixe mensuel {start.hour}h–{end.hour}h pendant {months} mois",
            ),
        )
        pairs.append(
            CafePair(
                elu.person_id, tech.person_id, elu.collectivite_siren, shared, sessions, reasons
            )
        )
    paired = {p.elu_id for p in pairs} | {p.technician_id for p in pairs}
    unpaired = {
        person.person_id: _unpaired_reason(person, tech_list if person in elu_list else elu_list)
        for person in [*elu_list, *tech_list]
        if person.person_id not in paired
    }
    memory = frozenset(frozenset((p.elu_id, p.technician_id)) for p in pairs)
    return CafePlan(tuple(pairs), unpaired, memory)


def _unpaired_reason(person: CafeParticipant, others: Sequence[CafeParticipant]) -> str:
    colleagues = [o for o in others if o.collectivite_siren == person.collectivite_siren]
    if not colleagues:
        return "Personne de l'autre rôle dans la même collectivité pour l'instant."
    if not any(o.subjects & person.subjects for o in colleagues):
        return "Aucun sujet partagé avec un binôme possible de la collectivité."
    return (
        "Binômes possibles déjà pris, ou déjà formés au cycle précédent "
        "(rotation) : en attente du prochain cycle."
    )


def _max_weight_matching(
    left: int, right: int, arcs: Sequence[tuple[int, int, int]]
) -> list[tuple[int, int]]:
    if not arcs:
        return []
    solver = min_cost_flow.SimpleMinCostFlow()
    sink = left + right
    pair_arcs = []
    for i, j, weight in arcs:
        pair_arcs.append(
            (solver.add_arc_with_capacity_and_unit_cost(i, left + j, 1, -weight), i, j)
        )
    for i in range(left):
        solver.add_arc_with_capacity_and_unit_cost(i, sink, 1, 0)
    for j in range(right):
        solver.add_arc_with_capacity_and_unit_cost(left + j, sink, 1, 0)
    for i in range(left):
        solver.set_node_supply(i, 1)
    solver.set_node_supply(sink, -left)
    if solver.solve() != solver.OPTIMAL:
        raise RuntimeError("café pairing: min-cost flow did not reach an optimum")
    return [(i, j) for arc, i, j in pair_arcs if solver.flow(arc) > 0]
