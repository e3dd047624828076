"""Speed-dating between neighbours: timed 1-to-1 rounds for the élus of an EPCI.

Constraints, checked again by :func:`audit`: no pair meets twice (in this plan or
before, ``already_met``), two élus of the same commune never meet, nobody is in
two pairs of a round. Each round is a greedy maximal matching (those who sat out
the previous round choose first, then the least flexible, ties drawn from the
seeded generator) improved by short augmenting paths. The same participants,
seed and options give the same plan, and the plan logs why each person sat out.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Participant:
    person_id: str
    commune_insee: str


@dataclass(frozen=True, slots=True)
class Round:
    number: int
    start: datetime
    end: datetime
    pairs: tuple[tuple[str, str], ...]
    sitting_out: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SpeedDatingPlan:
    seed: int
    requested_rounds: int
    rounds: tuple[Round, ...]
    log: tuple[str, ...]  # French audit trail

    def met_pairs(self) -> set[frozenset[str]]:
        return {frozenset(pair) for r in self.rounds for pair in r.pairs}


def plan_speed_dating(
    participants: Sequence[Participant],
    rounds: int,
    *,
    seed: int,
    start: datetime,
    minutes_per_round: int = 7,
    minutes_between: int = 2,
    already_met: Set[frozenset[str]] = frozenset(),
) -> SpeedDatingPlan:
    people = sorted({p.person_id: p for p in participants}.values(), key=lambda p: p.person_id)
    commune = {p.person_id: p.commune_insee for p in people}
    ids = [p.person_id for p in people]
    allowed: dict[str, set[str]] = {
        a: {
            b
            for b in ids
            if b != a and commune[a] != commune[b] and frozenset((a, b)) not in already_met
        }
        for a in ids
    }
    rng = random.Random(seed)
    log = [
        f"Graine {seed} : le tirage est reproductible à l'identique.",
        f"{len(ids)} participants de {len(set(commune.values()))} communes ; "
        "deux élus d'une même commune ne se rencontrent jamais.",
    ]
    if already_met:
        log.append(f"{len(already_met)} rencontres antérieures exclues.")
    made: list[Round] = []
    sat_out_last: set[str] = set()
    moment = start
    for number in range(1, rounds + 1):
        pairs = _match_round(ids, allowed, sat_out_last, rng)
        if not pairs:
            log.append(
                f"Tour {number} impossible : toutes les rencontres permises ont déjà eu lieu ; "
                f"plan arrêté à {number - 1} tour(s) sur {rounds} demandés."
            )
            break
        paired = {p for pair in pairs for p in pair}
        idle = tuple(p for p in ids if p not in paired)
        for a, b in pairs:
            allowed[a].discard(b)
            allowed[b].discard(a)
        end = moment + timedelta(minutes=minutes_per_round)
        made.append(Round(number, moment, end, tuple(sorted(pairs)), idle))
        log.append(f"Tour {number} : {len(pairs)} binômes." + _idle_note(idle, ids, allowed))
        sat_out_last = set(idle)
        moment = end + timedelta(minutes=minutes_between)
    violations = audit_rounds(made, commune, already_met)
    log.append(
        "Contrôle : aucune rencontre répétée, aucun binôme d'une même commune."
        if not violations
        else "Contrôle en échec : " + " ; ".join(violations)
    )
    return SpeedDatingPlan(seed, rounds, tuple(made), tuple(log))


def _idle_note(idle: tuple[str, ...], ids: list[str], allowed: dict[str, set[str]]) -> str:
    if not idle:
        return ""
    notes = []
    for person in idle:
        if not allowed[person]:
            notes.append(f"{person} (a déjà rencontré tous ses voisins possibles)")
        else:
            notes.append(f"{person} (ses partenaires possibles étaient déjà pris)")
    return " En pause : " + ", ".join(notes) + "."


def _match_round(
    ids: list[str], allowed: dict[str, set[str]], priority: set[str], rng: random.Random
) -> list[tuple[str, str]]:
    draw = {p: rng.random() for p in ids}
    order = sorted(ids, key=lambda p: (p not in priority, len(allowed[p]), draw[p]))
    mate: dict[str, str] = {}
    for person in order:
        if person in mate:
            continue
        free = [q for q in allowed[person] if q not in mate]
        if not free:
            continue
        partner = min(free, key=lambda q: (len(allowed[q]), draw[q]))
        mate[person] = partner
        mate[partner] = person
    # Augmenting paths of length 3: idle u, v paired with w, w can take another idle x.
    for u in order:
        if u in mate:
            continue
        for v in sorted(allowed[u], key=lambda q: draw[q]):
            w = mate.get(v)
            if w is None:
                mate[u], mate[v] = v, u
                break
            x = next(
                (x for x in sorted(allowed[w], key=lambda q: draw[q]) if x not in mate and x != u),
                None,
            )
            if x is not None:
                mate[u], mate[v], mate[w], mate[x] = v, u, x, w
                break
    return [(a, b) if a < b else (b, a) for a, b in mate.items() if a < b]


def audit_rounds(
    rounds: Sequence[Round], commune: dict[str, str], already_met: Set[frozenset[str]]
) -> list[str]:
    """Every broken constraint of a plan, in French; empty when the plan is sound."""
    problems = []
    met: set[frozenset[str]] = set(already_met)
    for r in rounds:
        busy: set[str] = set()
        for a, b in r.pairs:
            pair = frozenset((a, b))
            if a in busy or b in busy:
                problems.append(f"tour {r.number} : {a} ou {b} a deux rendez-vous")
            busy |= pair
            if commune.get(a) == commune.get(b):
                problems.append(f"tour {r.number} : {a} et {b} sont de la même commune")
            if pair in met:
                problems.append(f"tour {r.number} : {a} et {b} se sont déjà rencontrés")
            met.add(pair)
    return problems


def audit(
    plan: SpeedDatingPlan,
    participants: Sequence[Participant],
    already_met: Set[frozenset[str]] = frozenset(),
) -> list[str]:
    """Re-check a plan against its participants (e.g. a stored plan before it is published)."""
    commune = {p.person_id: p.commune_insee for p in participants}
    return audit_rounds(plan.rounds, commune, already_met)


def partners_of(rounds: Sequence[Round], person: str) -> list[str | None]:
    """Whom the person meets at each round (None: sitting out), for the printed rotation."""
    out: list[str | None] = []
    for round_ in rounds:
        partner = None
        for a, b in round_.pairs:
            if person in (a, b):
                partner = b if a == person else a
        out.append(partner)
    return out


def mutual_marks(marks: Mapping[str, Collection[str]], person: str) -> list[str]:
    """The people ``person`` marked who marked them too (« atomes crochus »): one-sided
    marks are never revealed."""
    return sorted(other for other in marks.get(person, ()) if person in marks.get(other, ()))
