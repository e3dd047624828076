"""Incremental offer index: one new request gets its top proposals in about a millisecond.

Offers are kept column-wise in growable numpy arrays. Two prunings keep the work
small: offers are bucketed by theme (off-theme offers are never eligible), and
the text similarity is accumulated along the postings of the request's few
terms (an inverted index), so offers sharing no word cost nothing. Every other
component (proximity, sizes, availability, feedback, load) is computed at once
on the arrays of the theme bucket. The result is exactly the brute-force top k
of :func:`~deformations_matching.domain.scoring.score_pair`, only faster.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from deformations_matching.domain.model import (
    NEUTRAL_STANDING,
    SkillOffer,
    SkillRequest,
    Standing,
)
from deformations_matching.domain.places import Proximity
from deformations_matching.domain.scoring import (
    DEFAULT_WEIGHTS,
    PROXIMITY_VALUE,
    Proposal,
    Weights,
    explain,
    feedback_value,
    load_factor,
    reciprocity_bonus,
    score_pair,
)
from deformations_matching.domain.text import TextModel, TextVector, cosine

_MODALITY_BITS = {"on_site": 1, "remote": 2, "either": 3}
_MAX_BITS = 63


class _Codes:
    """Small integer codes for strings (EPCI, départements...), -1 for None."""

    def __init__(self) -> None:
        self._codes: dict[str, int] = {}

    def code(self, value: str | None) -> int:
        if value is None:
            return -1
        return self._codes.setdefault(value, len(self._codes))

    def known(self, value: str | None) -> int:
        if value is None:
            return -1
        return self._codes.get(value, -2)


class _Bits:
    """A bit per key (theme, slot); keys past 63 share the last bit."""

    def __init__(self) -> None:
        self._bits: dict[str, int] = {}

    def mask(self, keys: Iterable[str], *, register: bool) -> int:
        value = 0
        for key in keys:
            bit = self._bits.get(key)
            if bit is None:
                if not register:
                    continue
                bit = min(len(self._bits), _MAX_BITS)
                self._bits[key] = bit
            value |= 1 << bit
        return value


@dataclass(slots=True)
class _Bucket:
    slots: npt.NDArray[np.int64]
    size: int = 0

    def append(self, slot: int) -> None:
        if self.size == len(self.slots):
            self.slots = np.resize(self.slots, max(16, 2 * self.size))
        self.slots[self.size] = slot
        self.size += 1

    def view(self) -> npt.NDArray[np.int64]:
        return self.slots[: self.size]


@dataclass(slots=True)
class _Postings:
    """Offers containing one text term, with the term's weight in each."""

    slots: npt.NDArray[np.int64]
    weights: npt.NDArray[np.float64]
    size: int = 0

    def append(self, slot: int, weight: float) -> None:
        if self.size == len(self.slots):
            self.slots = np.resize(self.slots, max(8, 2 * self.size))
            self.weights = np.resize(self.weights, max(8, 2 * self.size))
        self.slots[self.size] = slot
        self.weights[self.size] = weight
        self.size += 1


@dataclass(frozen=True, slots=True)
class _Columns:
    """Offer columns gathered for one set of candidate slots."""

    insee: npt.NDArray[np.int64]
    epci: npt.NDArray[np.int64]
    dept: npt.NDArray[np.int64]
    region: npt.NDArray[np.int64]
    lender: npt.NDArray[np.int64]
    modality: npt.NDArray[np.int64]
    theme_mask: npt.NDArray[np.uint64]
    slot_mask: npt.NDArray[np.uint64]
    log_pop: npt.NDArray[np.float64]
    feedback: npt.NDArray[np.float64]
    load: npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Candidate:
    offer_id: str
    score: float


class OfferIndex:
    """Open offers, indexed for proposals to one request at a time."""

    _FLOAT_COLUMNS = ("log_pop", "feedback", "load")
    _INT_COLUMNS = ("insee", "epci", "dept", "region", "lender", "modality")
    _MASK_COLUMNS = ("theme_mask", "slot_mask")

    def __init__(self, text_model: TextModel, weights: Weights = DEFAULT_WEIGHTS) -> None:
        self.text_model = text_model
        self.weights = weights
        self._offers: list[SkillOffer | None] = []
        self._vectors: list[TextVector] = []
        self._slot_of: dict[str, int] = {}
        self._booked: dict[str, int] = {}
        self._standing: dict[str, Standing] = {}
        self._lender_slots: dict[str, list[int]] = {}
        self._buckets: dict[str, _Bucket] = {}
        self._postings: dict[int, _Postings] = {}
        self._scratch = np.zeros(0)
        self._codes = {name: _Codes() for name in ("insee", "epci", "dept", "region", "lender")}
        self._themes = _Bits()
        self._slots = _Bits()
        self._capacity = 0
        self._float: dict[str, npt.NDArray[np.float64]] = {}
        self._int: dict[str, npt.NDArray[np.int64]] = {}
        self._mask: dict[str, npt.NDArray[np.uint64]] = {}
        self._active = np.zeros(0, dtype=bool)
        self._grow(1024)

    def __len__(self) -> int:
        return len(self._slot_of)

    def _grow(self, capacity: int) -> None:
        for name in self._FLOAT_COLUMNS:
            self._float[name] = np.resize(self._float.get(name, np.zeros(0)), capacity)
        for name in self._INT_COLUMNS:
            column = self._int.get(name, np.zeros(0, dtype=np.int64))
            self._int[name] = np.resize(column, capacity)
        for name in self._MASK_COLUMNS:
            masks = self._mask.get(name, np.zeros(0, dtype=np.uint64))
            self._mask[name] = np.resize(masks, capacity)
        self._scratch = np.zeros(capacity)
        self._active = np.resize(self._active, capacity)
        self._active[self._capacity :] = False
        self._capacity = capacity

    # --- writes -------------------------------------------------------------------

    def add(self, offer: SkillOffer, vector: TextVector | None = None) -> None:
        """Add or replace an offer (an updated ``skill.offered.v1`` replaces the old one)."""
        if offer.offer_id in self._slot_of:
            self.withdraw(offer.offer_id)
        slot = len(self._offers)
        if slot == self._capacity:
            self._grow(2 * self._capacity)
        self._offers.append(offer)
        text = vector if vector is not None else self.text_model.vectorize(offer.description)
        self._vectors.append(text)
        for term_id, weight in text.items():
            postings = self._postings.get(term_id)
            if postings is None:
                postings = _Postings(np.zeros(8, dtype=np.int64), np.zeros(8))
                self._postings[term_id] = postings
            postings.append(slot, weight)
        self._slot_of[offer.offer_id] = slot
        self._lender_slots.setdefault(offer.lender_siren, []).append(slot)
        place = offer.place
        ints, floats = self._int, self._float
        ints["insee"][slot] = self._codes["insee"].code(place.insee)
        ints["epci"][slot] = self._codes["epci"].code(place.epci_siren)
        ints["dept"][slot] = self._codes["dept"].code(place.departement)
        ints["region"][slot] = self._codes["region"].code(place.region)
        ints["lender"][slot] = self._codes["lender"].code(offer.lender_siren)
        self._mask["theme_mask"][slot] = self._themes.mask(offer.themes, register=True)
        self._mask["slot_mask"][slot] = self._slots.mask(offer.availability.slots, register=True)
        ints["modality"][slot] = _MODALITY_BITS[offer.availability.modality]
        floats["log_pop"][slot] = np.log10(place.population + 1)
        floats["feedback"][slot] = feedback_value(self.standing(offer.lender_siren))
        floats["load"][slot] = self._load_factor(offer, self._booked.get(offer.offer_id, 0))
        self._active[slot] = True
        for theme in offer.themes:
            self._buckets.setdefault(theme, _Bucket(np.zeros(16, dtype=np.int64))).append(slot)

    def withdraw(self, offer_id: str) -> None:
        """Remove an offer; unknown ids are ignored (events may come out of order)."""
        slot = self._slot_of.pop(offer_id, None)
        if slot is None:
            return
        self._active[slot] = False
        self._offers[slot] = None
        self._vectors[slot] = {}

    def set_booked(self, offer_id: str, half_days: int) -> None:
        """Half-days of the offer already promised (from loans agreed)."""
        self._booked[offer_id] = half_days
        slot = self._slot_of.get(offer_id)
        offer = self._offers[slot] if slot is not None else None
        if slot is not None and offer is not None:
            self._float["load"][slot] = self._load_factor(offer, half_days)

    def set_standing(self, siren: str, standing: Standing) -> None:
        """Hours ledger and feedback of a collectivité (from loans completed)."""
        self._standing[siren] = standing
        value = feedback_value(standing)
        for slot in self._lender_slots.get(siren, ()):
            self._float["feedback"][slot] = value

    def _load_factor(self, offer: SkillOffer, booked: int) -> float:
        return load_factor(booked, offer.capacity_half_days, self.weights)

    # --- reads --------------------------------------------------------------------

    def offer(self, offer_id: str) -> SkillOffer | None:
        slot = self._slot_of.get(offer_id)
        return None if slot is None else self._offers[slot]

    def offers(self) -> list[SkillOffer]:
        return [offer for offer in self._offers if offer is not None]

    def vector(self, offer_id: str) -> TextVector:
        slot = self._slot_of.get(offer_id)
        return {} if slot is None else self._vectors[slot]

    def standing(self, siren: str) -> Standing:
        return self._standing.get(siren, NEUTRAL_STANDING)

    def booked(self, offer_id: str) -> int:
        return self._booked.get(offer_id, 0)

    def top_k(
        self,
        request: SkillRequest,
        k: int,
        *,
        request_vector: TextVector | None = None,
        requester: Standing | None = None,
    ) -> list[Candidate]:
        """The k best offers for a request, best first (exact, see module docstring)."""
        slots = self._theme_slots(request.themes)
        vector = (
            request_vector
            if request_vector is not None
            else self.text_model.vectorize(request.description)
        )
        [best] = self._rank([request], k, slots, self._gather(slots), [vector], [requester])
        return best

    def top_k_many(
        self,
        requests: Iterable[SkillRequest],
        k: int,
        *,
        requester: Mapping[str, Standing] | None = None,
        chunk: int = 64,
    ) -> dict[str, list[Candidate]]:
        """:meth:`top_k` for many requests (the global re-match), a matrix per theme and chunk."""
        by_themes: dict[tuple[str, ...], list[SkillRequest]] = {}
        for request in requests:
            by_themes.setdefault(tuple(sorted(request.themes)), []).append(request)
        standings = requester or {}
        result: dict[str, list[Candidate]] = {}
        for themes, group in by_themes.items():
            slots = self._theme_slots(frozenset(themes))
            columns = self._gather(slots)
            for start in range(0, len(group), chunk):
                part = group[start : start + chunk]
                ranked = self._rank(
                    part,
                    k,
                    slots,
                    columns,
                    [self.text_model.vectorize(r.description) for r in part],
                    [standings.get(r.requester_siren) for r in part],
                )
                for request, best in zip(part, ranked, strict=True):
                    result[request.request_id] = best
        return result

    def _rank(
        self,
        requests: list[SkillRequest],
        k: int,
        slots: npt.NDArray[np.int64],
        columns: _Columns,
        vectors: list[TextVector],
        requesters: list[Standing | None],
    ) -> list[list[Candidate]]:
        """Top k of each request among ``slots`` (requests sharing the same themes)."""
        if k <= 0 or slots.size == 0 or not requests[0].themes:
            return [[] for _ in requests]
        text = np.empty((len(requests), slots.size))
        for row, vector in enumerate(vectors):
            text[row] = self._text_scores(vector, slots)
        total = (self._cheap_scores(requests, columns) + self.weights.text * text) * columns.load
        own = np.array(
            [self._codes["lender"].known(r.requester_siren) for r in requests], dtype=np.int64
        )
        # A collectivité is never proposed its own offers.
        total[columns.lender[None, :] == own[:, None]] = -np.inf
        if slots.size > k:
            chosen_rows = np.argpartition(-total, k - 1, axis=1)[:, :k]
        else:
            chosen_rows = np.broadcast_to(np.arange(slots.size), (len(requests), slots.size))
        results = []
        for row in range(len(requests)):
            scores = total[row]
            chosen = chosen_rows[row]
            chosen = chosen[np.isfinite(scores[chosen])]
            # Ties are broken towards the offer added first, as a brute-force scan would.
            chosen = chosen[np.lexsort((slots[chosen], -scores[chosen]))]
            bonus = reciprocity_bonus(requesters[row] or NEUTRAL_STANDING, self.weights)
            best = []
            for position in chosen.tolist():
                offer = self._offers[int(slots[position])]
                assert offer is not None
                best.append(Candidate(offer.offer_id, float(scores[position]) + bonus))
            results.append(best)
        return results

    def _text_scores(
        self, vector: TextVector, slots: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.float64]:
        """Cosine of the request with each candidate, accumulated along term postings."""
        scratch = self._scratch
        touched = []
        for term_id, weight in vector.items():
            postings = self._postings.get(term_id)
            if postings is None:
                continue
            posted = postings.slots[: postings.size]
            scratch[posted] += weight * postings.weights[: postings.size]
            touched.append(posted)
        scores = np.minimum(scratch[slots], 1.0)
        for posted in touched:
            scratch[posted] = 0.0
        return scores

    def propose(
        self,
        request: SkillRequest,
        k: int = 5,
        *,
        requester: Standing | None = None,
    ) -> list[Proposal]:
        """The k best proposals for a new request, each with its score and French reasons."""
        vector = self.text_model.vectorize(request.description)
        standing = requester or NEUTRAL_STANDING
        proposals = []
        for candidate in self.top_k(request, k, request_vector=vector, requester=standing):
            offer = self.offer(candidate.offer_id)
            assert offer is not None
            lender = self.standing(offer.lender_siren)
            score = score_pair(
                request,
                offer,
                text_similarity=cosine(vector, self.vector(offer.offer_id)),
                lender=lender,
                requester=standing,
                booked_half_days=self.booked(offer.offer_id),
                weights=self.weights,
            )
            assert score is not None
            reasons = explain(request, offer, score, lender=lender, requester=standing)
            proposals.append(Proposal(request.request_id, offer.offer_id, score.total, reasons))
        return proposals

    def _theme_slots(self, themes: frozenset[str]) -> npt.NDArray[np.int64]:
        buckets = [self._buckets[t].view() for t in sorted(themes) if t in self._buckets]
        if not buckets:
            return np.zeros(0, dtype=np.int64)
        slots = buckets[0] if len(buckets) == 1 else np.unique(np.concatenate(buckets))
        return slots[self._active[slots]]

    def _gather(self, slots: npt.NDArray[np.int64]) -> _Columns:
        ints, floats, masks = self._int, self._float, self._mask
        return _Columns(
            insee=ints["insee"][slots],
            epci=ints["epci"][slots],
            dept=ints["dept"][slots],
            region=ints["region"][slots],
            lender=ints["lender"][slots],
            modality=ints["modality"][slots],
            theme_mask=masks["theme_mask"][slots],
            slot_mask=masks["slot_mask"][slots],
            log_pop=floats["log_pop"][slots],
            feedback=floats["feedback"][slots],
            load=floats["load"][slots],
        )

    def _cheap_scores(
        self, requests: list[SkillRequest], columns: _Columns
    ) -> npt.NDArray[np.float64]:
        """Every component but the text: a (requests × candidates) matrix.

        The requests share their themes (callers group them so), hence one theme row.
        Operations are done in place, in the order of ``score_pair``, so the values
        are the same as the scalar scorer's.
        """
        w = self.weights
        codes = self._codes

        def column(values: list[int] | list[float]) -> npt.NDArray[np.float64]:
            return np.array(values)[:, None]

        places = [r.place for r in requests]
        dept = column([codes["dept"].known(p.departement) for p in places])
        region = column([codes["region"].known(p.region) for p in places])
        epci = column([codes["epci"].known(p.epci_siren) for p in places])
        insee = column([codes["insee"].known(p.insee) for p in places])
        proximity = np.where(
            columns.dept[None, :] == dept,
            PROXIMITY_VALUE[Proximity.SAME_DEPARTEMENT],
            np.where(
                columns.region[None, :] == region,
                PROXIMITY_VALUE[Proximity.SAME_REGION],
                PROXIMITY_VALUE[Proximity.ELSEWHERE],
            ),
        )
        proximity[(columns.epci[None, :] == epci) & (epci >= 0)] = PROXIMITY_VALUE[
            Proximity.SAME_EPCI
        ]
        proximity[columns.insee[None, :] == insee] = PROXIMITY_VALUE[Proximity.SAME_COMMUNE]
        themes = requests[0].themes
        theme_mask = np.uint64(self._themes.mask(themes, register=False))
        theme = np.bitwise_count(columns.theme_mask & theme_mask) / len(themes)

        cheap: npt.NDArray[np.float64] = w.theme * theme + w.proximity * proximity

        size = columns.log_pop[None, :] - column([np.log10(p.population + 1) for p in places])
        size /= 2.0
        size += 0.5
        np.clip(size, 0.0, 1.0, out=size)
        size *= w.size
        cheap += size

        modality = column([_MODALITY_BITS[r.availability.modality] for r in requests])
        compatible = (columns.modality[None, :] & modality.astype(np.int64)) != 0
        wanted = np.array(
            [self._slots.mask(r.availability.slots, register=False) for r in requests],
            dtype=np.uint64,
        )[:, None]
        counts = column([len(r.availability.slots) for r in requests])
        overlap = np.bitwise_count(columns.slot_mask[None, :] & wanted) / np.maximum(counts, 1)
        overlap[counts[:, 0] == 0] = 1.0
        overlap[~compatible] = 0.0
        overlap *= w.availability
        cheap += overlap

        cheap += w.feedback * columns.feedback[None, :]
        return cheap
