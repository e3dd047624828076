"""The k ≥ 3 rule, with no figure that can be worked out by subtraction.

A cell counts how many contributions (a diagnosis, a loan, a session…) fall in one place and
one category. A cell with 1 or 2 contributions is hidden (*primary* suppression). Hiding it
is not enough when a total is published beside it: the total minus the other cells gives it
back. So every additive relation the platform publishes — a place's total over categories,
a parent place's cell as the sum of its children's (région = Σ départements…), the
platform's total — is a *group*, and no group may have exactly one hidden member: the
smallest other non-zero member is hidden too (*complementary* suppression), until nothing
changes. All views and exports are cut from one suppressed set, so that comparing two of
them reveals nothing either.

That rule of thumb is not enough when relations cross (a région's total, its départements
and the platform's total): a hidden cell can still be the solution of several sums taken
together. So the result is then checked as a reader with linear algebra would attack it: a
hidden cell is given away when it has the same value in every solution of the published
sums (its coordinate is zero across the null space of the system); one more neighbour of
each such cell is hidden until none is.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np

K = 3

Key = TypeVar("Key", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Group(Generic[Key]):
    """``total`` = Σ ``parts``: publishing all of them but one would give that one away."""

    total: Key
    parts: tuple[Key, ...]


def suppressed(
    counts: Mapping[Key, int], groups: Iterable[Group[Key]], k: int = K
) -> frozenset[Key]:
    """The cells to hide: those under ``k`` (but 0, which reveals nobody) and enough
    others that no group has exactly one hidden member.

    ``counts`` gives each cell's number of contributions; a key of a group missing from it
    counts 0."""
    hidden = {key for key, n in counts.items() if 0 < n < k}
    groups = list(groups)
    while True:
        _complete(hidden, groups, counts, k)
        given_away = determined(hidden, groups)
        if not given_away:
            return frozenset(hidden)
        before = len(hidden)
        for cell in given_away:
            _hide_a_neighbour(cell, hidden, groups, counts)
        if len(hidden) == before:
            # Every neighbour is hidden already: widen to any visible cell of a sum that
            # involves a hidden one, or stop when there is none left (all is hidden).
            linked = [
                m for g in groups if hidden & {g.total, *g.parts} for m in (g.total, *g.parts)
            ]
            extra = _smallest(linked, hidden, counts)
            if extra is None:
                return frozenset(hidden)
            hidden.add(extra)


def _smallest(members: Iterable[Key], hidden: set[Key], counts: Mapping[Key, int]) -> Key | None:
    candidates = [m for m in members if m not in hidden and counts.get(m, 0) > 0]
    return min(candidates, key=lambda m: (counts.get(m, 0), repr(m))) if candidates else None


def _complete(
    hidden: set[Key], groups: list[Group[Key]], counts: Mapping[Key, int], k: int
) -> None:
    changed = True
    while changed:
        changed = False
        for group in groups:
            if _exposed(group, hidden, counts, k):
                extra = _smallest((group.total, *group.parts), hidden, counts)
                if extra is not None:
                    hidden.add(extra)
                    changed = True


def _hide_a_neighbour(
    cell: Key, hidden: set[Key], groups: list[Group[Key]], counts: Mapping[Key, int]
) -> None:
    neighbours = [m for g in groups if cell in (g.total, *g.parts) for m in (g.total, *g.parts)]
    extra = _smallest(neighbours, hidden, counts)
    if extra is not None:
        hidden.add(extra)


def determined(hidden: set[Key] | frozenset[Key], groups: Iterable[Group[Key]]) -> list[Key]:
    """The hidden cells whose value follows from the published ones and the sums."""
    unknowns = sorted(hidden, key=repr)
    index = {cell: i for i, cell in enumerate(unknowns)}
    rows = []
    for group in groups:
        row = np.zeros(len(unknowns))
        for cell, sign in ((group.total, -1.0), *((p, 1.0) for p in group.parts)):
            position = index.get(cell)
            if position is not None:
                row[position] += sign
        if row.any():
            rows.append(row)
    if not unknowns or not rows:
        return []  # no published sum involves a hidden cell
    system = np.array(rows)
    _, singular, vt = np.linalg.svd(system)
    rank = int((singular > 1e-9 * max(system.shape)).sum())
    null_space = vt[rank:]  # rows spanning every change of the unknowns the sums allow
    if null_space.shape[0] == 0:
        return unknowns
    free = np.abs(null_space).max(axis=0) > 1e-9
    return [cell for cell, moves in zip(unknowns, free, strict=True) if not moves]


def _exposed(group: Group[Key], hidden: set[Key], counts: Mapping[Key, int], k: int) -> bool:
    """Whether the group gives a hidden figure away: one hidden member alone is its
    difference; hidden parts under a published total add up to that difference, which must
    not itself be a small group (two hidden cells adding up to 2 are 1 and 1)."""
    members = (group.total, *group.parts)
    if sum(m in hidden for m in members) == 1:
        return True
    if group.total in hidden:
        return False
    residual = sum(counts.get(p, 0) for p in group.parts if p in hidden)
    return 0 < residual < k
