"""Need ↔ offer scoring, with every score explained in French.

The score of a request r and an offer o is

    (Σ weight_c · component_c) · load_factor + reciprocity_bonus

Components are in [0, 1]: theme fit, description similarity, proximity
("hypers voisins"), complementarity of sizes, availability overlap, past
feedback. The load factor (≤ 1) lowers offers whose lender is already much
solicited so no generous lender is swamped; the reciprocity bonus favours
requesters who have lent more hours than they received. Off-theme offers and a
collectivité's own offers are not eligible.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from deformations_contracts.themes import label
from deformations_matching.domain.model import (
    NEUTRAL_STANDING,
    SkillOffer,
    SkillRequest,
    Standing,
    modalities_compatible,
)
from deformations_matching.domain.places import Proximity
from deformations_matching.domain.text import TextVector, cosine

PROXIMITY_VALUE: Mapping[Proximity, float] = {
    Proximity.SAME_COMMUNE: 1.0,
    Proximity.SAME_EPCI: 1.0,
    Proximity.SAME_DEPARTEMENT: 0.6,
    Proximity.SAME_REGION: 0.3,
    Proximity.ELSEWHERE: 0.0,
}
PRIOR_RATING = 3.5
PRIOR_WEIGHT = 2.0


@dataclass(frozen=True, slots=True)
class Weights:
    theme: float = 0.25
    text: float = 0.20
    proximity: float = 0.25
    size: float = 0.10
    availability: float = 0.10
    feedback: float = 0.10
    load_penalty: float = 0.5
    reciprocity: float = 0.05
    reciprocity_full_hours: float = 35.0


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True, slots=True)
class Reason:
    """One French sentence explaining part of a score; ``code`` is stable for machines."""

    code: str
    text: str


@dataclass(frozen=True, slots=True)
class Score:
    total: float
    theme: float
    text: float
    proximity: Proximity
    size: float
    availability: float
    feedback: float
    load_factor: float
    reciprocity: float


@dataclass(frozen=True, slots=True)
class Proposal:
    request_id: str
    offer_id: str
    score: float
    reasons: tuple[Reason, ...]


# Component functions: the vectorised index applies the same formulas on arrays.


def theme_fit(request_themes: frozenset[str], offer_themes: frozenset[str]) -> float:
    if not request_themes:
        return 0.0
    return len(request_themes & offer_themes) / len(request_themes)


def size_complementarity(lender_population: int, requester_population: int) -> float:
    ratio = math.log10(lender_population + 1) - math.log10(requester_population + 1)
    return min(1.0, max(0.0, 0.5 + ratio / 2.0))


def availability_overlap(request: SkillRequest, offer: SkillOffer) -> float:
    if not modalities_compatible(request.availability.modality, offer.availability.modality):
        return 0.0
    wanted = request.availability.slots
    if not wanted:
        return 1.0
    return len(wanted & offer.availability.slots) / len(wanted)


def feedback_value(standing: Standing) -> float:
    mean = (standing.feedback_sum + PRIOR_RATING * PRIOR_WEIGHT) / (
        standing.feedback_count + PRIOR_WEIGHT
    )
    return min(1.0, max(0.0, (mean - 1.0) / 4.0))


def load_factor(booked_half_days: int, capacity_half_days: int, weights: Weights) -> float:
    utilisation = min(1.0, booked_half_days / capacity_half_days) if capacity_half_days > 0 else 1.0
    return 1.0 - weights.load_penalty * utilisation


def reciprocity_bonus(requester: Standing, weights: Weights) -> float:
    share = min(1.0, max(0.0, requester.balance_hours / weights.reciprocity_full_hours))
    return weights.reciprocity * share


def eligible(request: SkillRequest, offer: SkillOffer) -> bool:
    return offer.lender_siren != request.requester_siren and bool(request.themes & offer.themes)


def score_pair(
    request: SkillRequest,
    offer: SkillOffer,
    *,
    text_similarity: float,
    lender: Standing = NEUTRAL_STANDING,
    requester: Standing = NEUTRAL_STANDING,
    booked_half_days: int = 0,
    weights: Weights = DEFAULT_WEIGHTS,
) -> Score | None:
    """The full score of one pair, or None when the offer is not eligible."""
    if not eligible(request, offer):
        return None
    theme = theme_fit(request.themes, offer.themes)
    proximity = request.place.proximity(offer.place)
    size = size_complementarity(offer.place.population, request.place.population)
    availability = availability_overlap(request, offer)
    feedback = feedback_value(lender)
    base = (
        weights.theme * theme
        + weights.proximity * PROXIMITY_VALUE[proximity]
        + weights.size * size
        + weights.availability * availability
        + weights.feedback * feedback
    )
    factor = load_factor(booked_half_days, offer.capacity_half_days, weights)
    bonus = reciprocity_bonus(requester, weights)
    total = (base + weights.text * text_similarity) * factor + bonus
    return Score(
        total=total,
        theme=theme,
        text=text_similarity,
        proximity=proximity,
        size=size,
        availability=availability,
        feedback=feedback,
        load_factor=factor,
        reciprocity=bonus,
    )


def _hab(population: int) -> str:
    return f"{population:,}".replace(",", "\u202f") + " hab."


def explain(
    request: SkillRequest,
    offer: SkillOffer,
    score: Score,
    *,
    lender: Standing = NEUTRAL_STANDING,
    requester: Standing = NEUTRAL_STANDING,
) -> tuple[Reason, ...]:
    """French reasons for a score, strongest facts first."""
    reasons: list[Reason] = []
    shared = sorted(request.themes & offer.themes)
    reasons.append(Reason("theme", "Thème commun : " + ", ".join(label(t) for t in shared)))
    reasons.append(_proximity_reason(request, offer, score.proximity))
    percent = round(score.text * 100)
    if score.text >= 0.3:
        reasons.append(Reason("text", f"Descriptions très proches ({percent} % de similarité)"))
    elif score.text > 0.0:
        reasons.append(
            Reason("text", f"Descriptions en partie proches ({percent} % de similarité)")
        )
    else:
        reasons.append(Reason("text", "Descriptions sans mot-clé commun"))
    reasons.append(_size_reason(request, offer))
    reasons.append(_availability_reason(request, offer))
    if lender.feedback_count > 0:
        mean = lender.feedback_sum / lender.feedback_count
        loans = "prêt" if lender.feedback_count == 1 else "prêts"
        reasons.append(
            Reason(
                "feedback",
                f"Retours passés : {mean:.1f}/5 sur {lender.feedback_count} {loans}".replace(
                    ".", ",", 1
                ),
            )
        )
    else:
        reasons.append(Reason("feedback", "Pas encore de retour sur ce prêteur"))
    if score.load_factor < 1.0:
        reasons.append(
            Reason(
                "load",
                "Prêteur déjà sollicité : score modéré "
                "pour ne pas épuiser une collectivité généreuse",
            )
        )
    if score.reciprocity > 0.0:
        hours = round(requester.balance_hours)
        reasons.append(
            Reason(
                "reciprocity",
                f"Réciprocité : votre collectivité a prêté {hours} h de plus qu'elle n'a reçu",
            )
        )
    return tuple(reasons)


def _proximity_reason(request: SkillRequest, offer: SkillOffer, proximity: Proximity) -> Reason:
    if proximity is Proximity.SAME_COMMUNE:
        return Reason("proximity", f"Même commune ({offer.place.commune_name})")
    if proximity is Proximity.SAME_EPCI:
        return Reason(
            "proximity",
            f"Hypers voisins : même intercommunalité ({offer.place.epci_name or 'EPCI'})",
        )
    if proximity is Proximity.SAME_DEPARTEMENT:
        return Reason(
            "proximity",
            f"Voisins : même département ({offer.place.departement}), {offer.place.commune_name}",
        )
    if proximity is Proximity.SAME_REGION:
        return Reason("proximity", f"Même région, {offer.place.commune_name}")
    return Reason("proximity", f"Collectivité éloignée ({offer.place.commune_name}, autre région)")


def _size_reason(request: SkillRequest, offer: SkillOffer) -> Reason:
    lender, asker = offer.place.population, request.place.population
    if lender >= 2 * asker:
        return Reason(
            "size",
            f"Complémentarité : une collectivité mieux dotée ({_hab(lender)}) "
            f"épaule une plus petite ({_hab(asker)})",
        )
    if 2 * lender < asker:
        return Reason("size", f"Le prêteur est plus petit ({_hab(lender)}) que le demandeur")
    return Reason("size", "Collectivités de taille comparable")


_MODALITY_FR = {"on_site": "sur place", "remote": "à distance", "either": "sur place ou à distance"}


def _availability_reason(request: SkillRequest, offer: SkillOffer) -> Reason:
    wanted, given = request.availability, offer.availability
    if not modalities_compatible(wanted.modality, given.modality):
        return Reason(
            "availability",
            f"Modalités incompatibles ({_MODALITY_FR[wanted.modality]} demandé, "
            f"{_MODALITY_FR[given.modality]} proposé)",
        )
    if not wanted.slots:
        return Reason("availability", "Pas de contrainte de créneau indiquée")
    common = len(wanted.slots & given.slots)
    if common == 0:
        return Reason("availability", "Aucun créneau commun pour l'instant")
    return Reason(
        "availability", f"Disponibilités communes : {common} créneau(x) sur {len(wanted.slots)}"
    )


def brute_force_top_k(
    request: SkillRequest,
    offers: Iterable[SkillOffer],
    k: int,
    *,
    request_vector: TextVector,
    offer_vector: Callable[[str], TextVector],
    standing: Callable[[str], Standing],
    booked: Callable[[str], int],
    requester: Standing = NEUTRAL_STANDING,
    weights: Weights = DEFAULT_WEIGHTS,
) -> list[tuple[float, str]]:
    """Reference scorer: every offer scored in full; used to check and time the index."""
    scored: list[tuple[float, str]] = []
    for offer in offers:
        score = score_pair(
            request,
            offer,
            text_similarity=cosine(request_vector, offer_vector(offer.offer_id)),
            lender=standing(offer.lender_siren),
            requester=requester,
            booked_half_days=booked(offer.offer_id),
            weights=weights,
        )
        if score is not None:
            scored.append((score.total, offer.offer_id))
    return heapq.nlargest(k, scored)
