"""Periodic global re-match: an optimal assignment of requests to offers under capacities.

It is a min-cost flow (OR-Tools ``SimpleMinCostFlow``), counted in half-days::

    request r (supply = its half-days) ──score──▶ offer o ──▶ lender L ──tranches──▶ sink
              └───────────── "left unserved", cost 0 ─────────────────────────────▲

Why a min-cost flow rather than an assignment solver: capacities are many
half-days per offer and per lender, requests ask for several half-days, and the
lender fairness is a convex cost (each further tranche of a lender's capacity
costs more, so load is spread before a generous lender is swamped); a flow
network states all three exactly, is solved optimally with integral flows, and
OR-Tools solves ~10⁶ arcs in seconds where an LP or a dense assignment
matrix (50k × 50k) would not fit the budget.

Requests left unserved in the previous round get a bonus larger than any score
difference, so in an optimal flow such a request stays unserved only when every
one of its candidate offers is full of other prioritised requests.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow  # type: ignore[import-untyped]

from deformations_matching.domain.index import Candidate
from deformations_matching.domain.scoring import Reason


@dataclass(frozen=True, slots=True)
class AssignmentSettings:
    scale: int = 1000  # score → integer cost units
    priority_bonus: int = 2000  # per half-day, above any score (≤ 1.05) plus the lender penalty
    lender_tranches: int = 4
    lender_penalty: int = 150  # marginal cost of a lender's last tranche of capacity


DEFAULT_SETTINGS = AssignmentSettings()


@dataclass(frozen=True, slots=True)
class Allocation:
    request_id: str
    offer_id: str
    half_days: int
    score: float
    prioritised: bool
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class Assignment:
    allocations: tuple[Allocation, ...]
    unserved: Mapping[str, int]  # request id → half-days not served

    def served(self, request_id: str) -> int:
        return sum(a.half_days for a in self.allocations if a.request_id == request_id)


class AssignmentError(RuntimeError):
    """The solver did not reach an optimum (should not happen: the network is always feasible)."""


def assign_globally(
    demands: Mapping[str, int],
    candidates: Mapping[str, Sequence[Candidate]],
    capacities: Mapping[str, int],
    lender_of: Mapping[str, str],
    *,
    unmatched_last_round: Set[str] = frozenset(),
    settings: AssignmentSettings = DEFAULT_SETTINGS,
) -> Assignment:
    """Assign half-days of requests (``demands``) to their candidate offers, optimally.

    ``capacities`` are the half-days each offer can still give; offers missing
    from it or with no capacity are ignored. Deterministic: same input, same output.
    """
    request_ids = sorted(r for r, d in demands.items() if d > 0)
    offer_ids = sorted(o for o, c in capacities.items() if c > 0 and o in lender_of)
    lender_ids = sorted({lender_of[o] for o in offer_ids})
    offer_node = {o: len(request_ids) + i for i, o in enumerate(offer_ids)}
    lender_base = len(request_ids) + len(offer_ids)
    lender_node = {lender: lender_base + i for i, lender in enumerate(lender_ids)}
    sink = lender_base + len(lender_ids)

    tails: list[int] = []
    heads: list[int] = []
    caps: list[int] = []
    costs: list[int] = []
    pair_arcs: list[tuple[int, str, str, float, bool]] = []

    def arc(tail: int, head: int, capacity: int, cost: int) -> int:
        tails.append(tail)
        heads.append(head)
        caps.append(capacity)
        costs.append(cost)
        return len(tails) - 1

    for node, request_id in enumerate(request_ids):
        demand = demands[request_id]
        prioritised = request_id in unmatched_last_round
        bonus = settings.priority_bonus if prioritised else 0
        seen: set[str] = set()
        for candidate in candidates.get(request_id, ()):
            if candidate.offer_id not in offer_node or candidate.offer_id in seen:
                continue
            seen.add(candidate.offer_id)
            cost = -(round(candidate.score * settings.scale) + bonus)
            index = arc(node, offer_node[candidate.offer_id], demand, cost)
            pair_arcs.append((index, request_id, candidate.offer_id, candidate.score, prioritised))
        arc(node, sink, demand, 0)

    lender_capacity: dict[str, int] = dict.fromkeys(lender_ids, 0)
    for offer_id in offer_ids:
        arc(offer_node[offer_id], lender_node[lender_of[offer_id]], capacities[offer_id], 0)
        lender_capacity[lender_of[offer_id]] += capacities[offer_id]
    for lender, total in lender_capacity.items():
        tranches = min(settings.lender_tranches, total)
        size = math.ceil(total / tranches)
        remaining = total
        for tranche in range(tranches):
            step = min(size, remaining)
            if step <= 0:
                break
            penalty = 0 if tranches == 1 else settings.lender_penalty * tranche // (tranches - 1)
            arc(lender_node[lender], sink, step, penalty)
            remaining -= step

    solver = min_cost_flow.SimpleMinCostFlow()
    if tails:
        solver.add_arcs_with_capacity_and_unit_cost(
            np.array(tails, dtype=np.int32),
            np.array(heads, dtype=np.int32),
            np.array(caps, dtype=np.int64),
            np.array(costs, dtype=np.int64),
        )
        supplies = np.zeros(sink + 1, dtype=np.int64)
        for node, request_id in enumerate(request_ids):
            supplies[node] = demands[request_id]
        supplies[sink] = -int(supplies[: len(request_ids)].sum())
        solver.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), supplies)
        status = solver.solve()
        if status != solver.OPTIMAL:
            raise AssignmentError(f"min-cost flow ended with status {status}")
        flows = solver.flows(np.array([p[0] for p in pair_arcs], dtype=np.int32))
    else:
        flows = np.zeros(0, dtype=np.int64)

    allocations = []
    served: dict[str, int] = {}
    for (_, request_id, offer_id, score, prioritised), flow in zip(
        pair_arcs, flows.tolist(), strict=True
    ):
        if flow <= 0:
            continue
        served[request_id] = served.get(request_id, 0) + flow
        reasons = (
            (Reason("priority", "Priorité : demande restée sans réponse au tour précédent"),)
            if prioritised
            else ()
        )
        allocations.append(Allocation(request_id, offer_id, flow, score, prioritised, reasons))
    unserved = {
        r: demands[r] - served.get(r, 0) for r in request_ids if served.get(r, 0) < demands[r]
    }
    return Assignment(tuple(allocations), unserved)
