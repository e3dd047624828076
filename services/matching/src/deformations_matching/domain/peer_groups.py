"""Mutual-help peer groups ("groupe d'entraide mutuelle") formed from an "appel à pairs".

Candidates answering calls on the same theme are grouped by 4–5. A group must
share at least one time slot and a modality. Inside a theme, the least flexible
candidates (fewest slots) and those outside transition networks seed groups
first; each seed then recruits, one at a time, the compatible candidate closest
to the group: same diagnosis family, near axis scores, not already in a network,
from another commune. Candidates who could not join a group are reported with a
French reason. The result depends only on the input and the seed.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from deformations_contracts.themes import label
from deformations_contracts.types import Modality
from deformations_matching.domain.model import Availability, modalities_compatible
from deformations_matching.domain.scoring import Reason
from deformations_matching.domain.slots import MODALITY_LABELS, common_slots, slot_label

_MODALITY_BITS = {Modality.ON_SITE: 1, Modality.REMOTE: 2, Modality.EITHER: 3}
_ALL = np.uint64(0xFFFF_FFFF_FFFF_FFFF)
# Above any sum of the other affinity terms (at most 2.5): a joiner who fits comes first.
PREFERRED_BONUS = 10.0


@dataclass(frozen=True, slots=True)
class PeerCandidate:
    person_id: str
    commune_insee: str
    theme: str
    family: str
    axes: tuple[float, ...]
    availability: Availability
    in_network: bool = False


@dataclass(frozen=True, slots=True)
class PeerGroup:
    theme: str
    members: tuple[str, ...]
    slots: tuple[str, ...]
    modalities: tuple[Modality, ...]
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class PeerGrouping:
    groups: tuple[PeerGroup, ...]
    unplaced: Mapping[str, str]  # person id → French reason


class _Pool:
    """The candidates of one theme as arrays."""

    def __init__(
        self, candidates: Sequence[PeerCandidate], seed: int, preferred: Collection[str] = ()
    ) -> None:
        self.candidates = candidates
        # Who joined the call: recruited before anyone else who fits.
        self.preferred = np.array([c.person_id in preferred for c in candidates], dtype=bool)
        keys = sorted({s for c in candidates for s in c.availability.slots})
        if len(keys) > 64:
            raise ValueError("at most 64 distinct slot keys are supported")
        bit = {key: np.uint64(1) << np.uint64(i) for i, key in enumerate(keys)}
        masks = []
        for c in candidates:
            mask = np.uint64(0)
            for key in c.availability.slots:
                mask |= bit[key]
            masks.append(mask if c.availability.slots else _ALL)
        self.mask = np.array(masks, dtype=np.uint64)
        self.modality = np.array(
            [_MODALITY_BITS[c.availability.modality] for c in candidates], dtype=np.int64
        )
        families = {f: i for i, f in enumerate(sorted({c.family for c in candidates}))}
        self.family = np.array([families[c.family] for c in candidates], dtype=np.int64)
        communes = {f: i for i, f in enumerate(sorted({c.commune_insee for c in candidates}))}
        self.commune = np.array([communes[c.commune_insee] for c in candidates], dtype=np.int64)
        width = max((len(c.axes) for c in candidates), default=0)
        self.axes = np.full((len(candidates), max(width, 1)), 0.5)
        for i, c in enumerate(candidates):
            self.axes[i, : len(c.axes)] = c.axes
        self.in_network = np.array([c.in_network for c in candidates], dtype=bool)
        rng = random.Random(seed)
        self.draw = np.array([rng.random() for _ in candidates])
        self.remaining = np.ones(len(candidates), dtype=bool)

    def seed_order(self) -> list[int]:
        flexibility = np.bitwise_count(self.mask)
        return sorted(
            range(len(self.candidates)),
            key=lambda i: (bool(self.in_network[i]), int(flexibility[i]), float(self.draw[i])),
        )

    def grow(self, seed: int, max_size: int) -> list[int]:
        """Recruit around ``seed`` (already taken out of ``remaining``) up to ``max_size``."""
        members = [seed]
        group_mask = self.mask[seed]
        group_modality = self.modality[seed]
        while len(members) < max_size:
            ok = (
                self.remaining
                & ((self.mask & group_mask) != 0)
                & ((self.modality & group_modality) != 0)
            )
            if not ok.any():
                break
            centre = self.axes[members].mean(axis=0)
            closeness = 1.0 - np.abs(self.axes - centre).mean(axis=1)
            affinity = (
                self.preferred * PREFERRED_BONUS
                + (self.family == self.family[seed]) * 1.0
                + closeness
                + (~self.in_network) * 0.5
                - np.isin(self.commune, self.commune[members]) * 0.3
                + self.draw * 1e-6
            )
            affinity[~ok] = -np.inf
            chosen = int(np.argmax(affinity))
            members.append(chosen)
            self.remaining[chosen] = False
            group_mask = group_mask & self.mask[chosen]
            group_modality = group_modality & self.modality[chosen]
        return members

    def fits(self, person: int, members: list[int]) -> bool:
        mask = self.mask[person]
        modality = self.modality[person]
        for m in members:
            mask = mask & self.mask[m]
            modality = modality & self.modality[m]
        return bool(mask != 0) and bool(modality != 0)


def form_peer_groups(
    candidates: Sequence[PeerCandidate],
    *,
    min_size: int = 4,
    max_size: int = 5,
    seed: int = 0,
) -> PeerGrouping:
    if not 2 <= min_size <= max_size:
        raise ValueError("group sizes must satisfy 2 <= min_size <= max_size")
    unique = list({c.person_id: c for c in candidates}.values())
    by_theme: dict[str, list[PeerCandidate]] = {}
    for candidate in sorted(unique, key=lambda c: c.person_id):
        by_theme.setdefault(candidate.theme, []).append(candidate)
    groups: list[PeerGroup] = []
    unplaced: dict[str, str] = {}
    for theme in sorted(by_theme):
        pool = _Pool(by_theme[theme], seed)
        formed: list[list[int]] = []
        left: list[int] = []
        for person in pool.seed_order():
            if not pool.remaining[person]:
                continue
            pool.remaining[person] = False
            members = pool.grow(person, max_size)
            if len(members) >= min_size:
                formed.append(members)
            else:
                pool.remaining[members[1:]] = True
                left.append(person)
        # Second chance: a left-over candidate joins a group that still has room.
        for person in left:
            home = next((g for g in formed if len(g) < max_size and pool.fits(person, g)), None)
            if home is not None:
                home.append(person)
            else:
                unplaced[pool.candidates[person].person_id] = _unplaced_reason(
                    len(pool.candidates), min_size
                )
        for members in formed:
            groups.append(_describe(theme, [pool.candidates[i] for i in members]))
    return PeerGrouping(tuple(groups), unplaced)


def recruit_peers(
    caller: PeerCandidate,
    candidates: Sequence[PeerCandidate],
    *,
    size: int = 5,
    min_size: int = 4,
    seed: int = 0,
    preferred: Collection[str] = (),
) -> PeerGroup | None:
    """Peers for one "appel à pairs": the caller plus up to ``size - 1`` others, or None.

    The ``preferred`` (who joined the call) are recruited first, as long as they share a
    slot and a modality with the group."""
    others = [c for c in candidates if c.person_id != caller.person_id and c.theme == caller.theme]
    pool = _Pool([caller, *sorted(others, key=lambda c: c.person_id)], seed, preferred)
    pool.remaining[0] = False
    members = pool.grow(0, size)
    if len(members) < min_size:
        return None
    return _describe(caller.theme, [pool.candidates[i] for i in members])


def _unplaced_reason(pool_size: int, min_size: int) -> str:
    if pool_size < min_size:
        return (
            f"Trop peu de candidats sur ce thème ({pool_size}) pour former un groupe "
            f"de {min_size} : l'appel reste ouvert."
        )
    return "Aucun groupe compatible (créneau ou modalité) sur ce thème : l'appel reste ouvert."


def _describe(theme: str, members: list[PeerCandidate]) -> PeerGroup:
    report = common_slots({m.person_id: m.availability for m in members})
    reasons = [Reason("theme", f"Même difficulté : {label(theme)}")]
    reasons.append(
        Reason(
            "slot",
            "Créneau commun : "
            + ", ".join(slot_label(s) for s in report.slots)
            + " ("
            + " ou ".join(MODALITY_LABELS[m] for m in report.modalities)
            + ")",
        )
    )
    families = {m.family for m in members}
    if len(families) == 1:
        reasons.append(Reason("family", f"Même famille de diagnostic ({families.pop()})"))
    else:
        reasons.append(Reason("family", "Familles de diagnostic proches et complémentaires"))
    newcomers = sum(not m.in_network for m in members)
    if newcomers:
        reasons.append(
            Reason("network", f"{newcomers} membre(s) hors des réseaux de transition existants")
        )
    communes = len({m.commune_insee for m in members})
    reasons.append(Reason("communes", f"Élus de {communes} commune(s) différente(s)"))
    return PeerGroup(
        theme=theme,
        members=tuple(sorted(m.person_id for m in members)),
        slots=report.slots,
        modalities=report.modalities,
        reasons=tuple(reasons),
    )


def replacements(
    slots: Collection[str],
    modalities: Collection[Modality],
    candidates: Sequence[PeerCandidate],
    needed: int,
) -> list[PeerCandidate]:
    """The first ``needed`` candidates (in the order given: the oldest calls first) who can
    meet at one of the group's slots, in one of its modalities."""

    def fits(c: PeerCandidate) -> bool:
        # No slot given is no constraint, as everywhere in matching.
        own = c.availability.slots
        shares_slot = not own or not slots or bool(own & set(slots))
        shares_modality = not modalities or any(
            modalities_compatible(c.availability.modality, m) for m in modalities
        )
        return shares_slot and shares_modality

    return [c for c in candidates if fits(c)][: max(0, needed)]
