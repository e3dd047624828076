"""Seeded synthetic needs, offers and élus on the real geography, for demos and benchmarks."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from deformations_common.geography import Commune, Geography
from deformations_contracts.themes import Theme
from deformations_contracts.types import Modality, TimeSlot
from deformations_matching.domain.model import Availability, SkillOffer, SkillRequest
from deformations_matching.domain.places import Place, place_of

KEYWORDS: dict[str, tuple[str, ...]] = {
    Theme.ALIMENTATION: (
        "cantine",
        "restauration collective",
        "produits bio et locaux",
        "loi EGalim",
        "projet alimentaire territorial",
        "légumerie",
        "gaspillage alimentaire",
        "marché de denrées",
    ),
    Theme.ENERGIE: (
        "éclairage public",
        "chaufferie bois",
        "photovoltaïque en toiture",
        "économies d'énergie",
        "réseau de chaleur",
        "suivi des consommations",
        "conseil en énergie partagé",
        "méthanisation",
    ),
    Theme.MOBILITE: (
        "covoiturage",
        "pistes cyclables",
        "transport à la demande",
        "plan de mobilité",
        "autopartage",
        "pédibus",
        "aire de covoiturage",
    ),
    Theme.BIODIVERSITE: (
        "atlas de la biodiversité",
        "haies bocagères",
        "fauche tardive",
        "trame verte et bleue",
        "zéro phyto",
        "verger communal",
    ),
    Theme.SOBRIETE_FONCIERE: (
        "zéro artificialisation nette",
        "plan local d'urbanisme",
        "friches",
        "densification douce",
        "revitalisation du bourg",
    ),
    Theme.EAU: (
        "gestion de l'eau potable",
        "récupération des eaux de pluie",
        "assainissement",
        "zones humides",
        "fuites du réseau",
    ),
    Theme.RENOVATION: (
        "rénovation énergétique de l'école",
        "isolation de la mairie",
        "audit thermique",
        "logements communaux",
        "certificats d'économie",
    ),
    Theme.DECHETS: (
        "compostage partagé",
        "recyclerie",
        "tri des biodéchets",
        "réemploi des matériaux",
        "redevance incitative",
    ),
    Theme.PARTICIPATION: (
        "budget participatif",
        "conseil citoyen",
        "concertation",
        "assemblée des habitants",
        "convention citoyenne",
    ),
    Theme.ACHATS_FINANCES: (
        "achats publics responsables",
        "clauses environnementales",
        "budget vert",
        "marchés publics",
        "subventions",
    ),
    Theme.SOLIDARITES: (
        "aide aux aînés",
        "épicerie solidaire",
        "centre social",
        "lutte contre l'isolement",
        "accès aux droits",
    ),
    Theme.ADAPTATION: (
        "îlots de chaleur",
        "plan canicule",
        "risque inondation",
        "retrait des argiles",
        "végétalisation des cours d'école",
    ),
    Theme.NUMERIQUE: (
        "inclusion numérique",
        "conseiller numérique",
        "sobriété numérique",
        "site internet de la mairie",
        "outils collaboratifs",
    ),
    Theme.ECONOMIE_LOCALE: (
        "commerce de proximité",
        "tiers-lieu",
        "circuits courts",
        "marché de producteurs",
        "soutien aux artisans",
    ),
}
THEMES: tuple[str, ...] = tuple(str(theme.value) for theme in Theme)
ROLES = ("technicien", "chargé de mission", "agent", "ingénieur", "animateur")
HALF_DAYS = tuple(
    f"{day}_{part}" for day in ("mon", "tue", "wed", "thu", "fri") for part in ("am", "pm")
)
MODALITIES = (Modality.ON_SITE, Modality.REMOTE, Modality.EITHER)


def _phrase(rng: random.Random, theme: str) -> str:
    first, second = rng.sample(KEYWORDS[Theme(theme)], 2)
    return f"{first} et {second}"


def council_size(population: int) -> int:
    """Seats of a municipal council (art. L2121-2 CGCT), capped for large cities."""
    for limit, seats in (
        (100, 7),
        (500, 11),
        (1500, 15),
        (2500, 19),
        (3500, 23),
        (5000, 27),
        (10000, 29),
        (20000, 33),
        (30000, 35),
        (40000, 39),
        (50000, 43),
    ):
        if population < limit:
            return seats
    return 45


@dataclass(frozen=True, slots=True)
class World:
    places: Sequence[Place]
    offers: list[SkillOffer]
    requests: list[SkillRequest]


def make_places(geography: Geography) -> list[Place]:
    return [place_of(geography, insee) for insee in sorted(geography.communes)]


def make_world(
    geography: Geography,
    *,
    offers: int,
    requests: int,
    seed: int,
    places: Sequence[Place] | None = None,
) -> World:
    rng = random.Random(seed)
    all_places = list(places) if places is not None else make_places(geography)
    # Lenders are more often the larger communes; requesters more often the small ones.
    lender_weights = [min(place.population, 50_000) + 200 for place in all_places]
    requester_weights = [1.0 / (1.0 + place.population / 2000) for place in all_places]
    sirens = {
        place.insee: _siren(geography.communes[place.insee], place.insee) for place in all_places
    }
    made_offers = []
    for number, place in enumerate(rng.choices(all_places, weights=lender_weights, k=offers)):
        theme = rng.choice(THEMES)
        themes = {theme} if rng.random() < 0.8 else {theme, rng.choice(THEMES)}
        made_offers.append(
            SkillOffer(
                offer_id=f"o{number:06d}",
                lender_siren=sirens[place.insee],
                place=place,
                themes=frozenset(themes),
                description=f"Notre {rng.choice(ROLES)} accompagne : {_phrase(rng, theme)}",
                capacity_half_days=rng.randint(1, 8),
                availability=Availability(
                    frozenset(rng.sample(HALF_DAYS, rng.randint(2, 6))), rng.choice(MODALITIES)
                ),
            )
        )
    made_requests = []
    for number, place in enumerate(rng.choices(all_places, weights=requester_weights, k=requests)):
        theme = rng.choice(THEMES)
        made_requests.append(
            SkillRequest(
                request_id=f"r{number:06d}",
                requester_siren=sirens[place.insee],
                place=place,
                themes=frozenset({theme}),
                description=f"Besoin d'un appui sur {_phrase(rng, theme)}",
                half_days=rng.randint(1, 3),
                availability=Availability(
                    frozenset(rng.sample(HALF_DAYS, rng.randint(1, 4))), rng.choice(MODALITIES)
                ),
            )
        )
    return World(all_places, made_offers, made_requests)


def _siren(commune: Commune, insee: str) -> str:
    return commune.siren or f"9{insee.replace('A', '0').replace('B', '1')}000"[:9]


@dataclass(frozen=True, slots=True)
class Elus:
    """Column-wise élus with their diagnosis, cheap enough for 500k rows."""

    commune: npt.NDArray[np.int32]  # index into the places list
    family: npt.NDArray[np.int8]
    axes: npt.NDArray[np.float32]  # (n, 4) scores in [0, 1]
    theme: npt.NDArray[np.int8]  # index into THEMES of the first priority theme
    slots: npt.NDArray[np.uint8]  # bit i = list(TimeSlot)[i]
    modality: npt.NDArray[np.int8]  # index into MODALITIES
    in_network: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.commune)


def make_elus(places: Sequence[Place], seed: int) -> Elus:
    rng = np.random.default_rng(seed)
    seats = np.array([council_size(place.population) for place in places], dtype=np.int32)
    commune = np.repeat(np.arange(len(places), dtype=np.int32), seats)
    n = len(commune)
    slot_bits = np.zeros(n, dtype=np.uint8)
    for bit in range(len(TimeSlot)):
        slot_bits |= (rng.random(n) < 0.35).astype(np.uint8) << np.uint8(bit)
    return Elus(
        commune=commune,
        family=rng.integers(0, 7, n, dtype=np.int8),
        axes=rng.random((n, 4), dtype=np.float32),
        theme=rng.integers(0, len(THEMES), n, dtype=np.int8),
        slots=slot_bits,
        modality=rng.integers(0, 3, n, dtype=np.int8),
        in_network=rng.random(n) < 0.2,
    )
