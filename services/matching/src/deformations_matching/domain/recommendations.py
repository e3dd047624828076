"""Next modules à la carte from a diagnosis, and the "rebond" after a module.

Thématique 3 of the booklet ("S'immiscer dans l'emploi du temps") asks for modules that
fit the time an élu has and that lead somewhere: each module suggests a "rebond". The
rules below read the diagnosis (time available, slots, axes) and the catalogue of
recipes; every recommendation says why, in French.

The rebond a trainer drew for an élu after her module (training's ``rebond.proposed``)
comes first: the table ``REBOND`` only answers when no trainer proposed anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from uuid import UUID

from deformations_contracts.catalogue import Catalogue

# Slots outside working hours: an élu who gives only these has little daytime.
SHORT_SLOTS = frozenset({"early_morning", "lunch", "evening"})
LOW = 40.0
HIGH = 60.0

# After a module, where to go next (booklet's "et plus si affinités").
REBOND: Mapping[str, tuple[str, ...]] = {
    "t01_autodiagnostic": ("t03_cycle_a_la_carte", "t07_groupe_entraide"),
    "t03_cafe_formation": ("t03_cycle_a_la_carte", "t04_podcasts"),
    "t03_cycle_a_la_carte": ("t03_universite_buissonniere", "t07_formateurs_d_un_jour"),
    "t04_elus_enqueteurs": ("t05_atelier_macro_micro", "t04_balade_vis_ma_vie"),
    "t04_podcasts": ("t03_cafe_formation", "t04_elus_enqueteurs"),
    "t05_atelier_macro_micro": ("t08_pret_de_competences", "t05_boite_a_outils_territoire"),
    "t06_cafe_elus_techniciens": ("t06_demarreur_bienveillant", "t06_therapie_de_couple"),
    "t07_groupe_entraide": ("t07_formateurs_d_un_jour", "t07_jirai_dormir_chez_vous"),
    "t08_pret_de_competences": ("t08_offres_groupees", "t08_speed_dating_voisins"),
    "t08_speed_dating_voisins": ("t08_pret_de_competences", "t07_groupe_entraide"),
    "t09_boussole_participation": ("t09_vis_ma_vie_habitant", "t10_non_conference"),
    "t10_non_conference": ("t10_dispositif_local_accompagnement", "t11_codev_formateurs"),
    "t11_codev_formateurs": ("t07_formateurs_d_un_jour", "t10_non_conference"),
}


# The recipe of the booklet each kind of trainer's rebond is (training's ``RebondKind``).
TRAINER_REBOND_RECIPES: Mapping[str, str] = {
    "module": "t03_cycle_a_la_carte",
    "cafe": "t03_cafe_formation",
    "peer_group": "t07_groupe_entraide",
    "visit": "t07_jirai_dormir_chez_vous",
}


@dataclass(frozen=True, slots=True)
class Recommendation:
    code: str
    title: str
    reason: str
    # Set for a rebond a trainer proposed: the rebond and the training offer, if any.
    rebond_id: UUID | None = None
    offer_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class TrainerRebond:
    """A rebond a trainer proposed and the élu has not left."""

    rebond_id: UUID
    kind: str
    offer_id: UUID | None
    one_year_later: bool


@dataclass(frozen=True, slots=True)
class Profile:
    """What the recommendation reads of a diagnosis."""

    axis_scores: Mapping[str, float]
    time_slots: frozenset[str]
    half_days_per_month: int
    next_steps: Sequence[str] = ()  # recipe codes the diagnosis already proposed


def _axis(profile: Profile, *names: str) -> float | None:
    for name in names:
        if name in profile.axis_scores:
            return profile.axis_scores[name]
    return None


def _rules(profile: Profile) -> list[tuple[str, str]]:
    rules: list[tuple[str, str]] = []
    short_only = bool(profile.time_slots) and profile.time_slots <= SHORT_SLOTS
    if profile.half_days_per_month == 0 or short_only:
        rules.append(("t03_cafe_formation", "Un format court qui tient dans vos horaires décalés"))
        rules.append(("t04_podcasts", "À écouter quand vous le pouvez, 20 à 30 minutes"))
    if profile.half_days_per_month >= 2:
        rules.append(
            ("t03_cycle_a_la_carte", "Vous avez du temps : un cycle de modules à la carte")
        )
    network = _axis(profile, "reseau", "isole_en_reseau")
    if network is not None and network < LOW:
        rules.append(("t07_groupe_entraide", "Pour sortir de l'isolement avec des pairs"))
        rules.append(("t08_speed_dating_voisins", "Pour rencontrer les élus voisins"))
    elif network is not None and network >= HIGH:
        rules.append(("t07_formateurs_d_un_jour", "Votre réseau peut profiter de votre expérience"))
    scale = _axis(profile, "echelle", "concret_systemique")
    if scale is not None and scale < LOW:
        rules.append(("t05_atelier_macro_micro", "Relier vos projets concrets aux grands enjeux"))
    elif scale is not None and scale >= HIGH:
        rules.append(("t04_elus_enqueteurs", "Aller voir le terrain pour ancrer votre vision"))
    practice = _axis(profile, "pratique")
    if practice is not None and practice < LOW:
        rules.append(("t06_cafe_elus_techniciens", "Avancer avec les techniciens de la commune"))
    else:
        rules.append(("t08_pret_de_competences", "Partager ou emprunter des compétences voisines"))
    return rules


def recommend(
    profile: Profile, catalogue: Catalogue, *, done: Set[str] = frozenset(), limit: int = 5
) -> list[Recommendation]:
    """Next recipes à la carte: the diagnosis's own next steps first, then the rules."""
    chosen: list[Recommendation] = []
    seen = set(done)
    candidates = [(c, "Proposé par votre autodiagnostic") for c in profile.next_steps]
    for code, reason in [*candidates, *_rules(profile)]:
        if code in seen:
            continue
        try:
            title = catalogue.title_of(code)
        except KeyError:
            continue  # an older code the catalogue no longer has
        seen.add(code)
        chosen.append(Recommendation(code, title, reason))
        if len(chosen) == limit:
            break
    return chosen


def rebond(
    after: str, catalogue: Catalogue, *, done: Set[str] = frozenset(), limit: int = 3
) -> list[Recommendation]:
    """Where to go after module ``after`` (raises ``KeyError`` for an unknown code)."""
    catalogue.find(after)
    number = int(after[1:3])
    nexts = [(c, f"Rebond après « {catalogue.title_of(after)} »") for c in REBOND.get(after, ())]
    thematique = catalogue.thematique(number)
    siblings = [thematique.recipe.code, *(i.code for i in thematique.other_ideas)]
    nexts += [(c, "Une autre recette du même thème") for c in siblings]
    if number < len(catalogue.thematiques):
        following = catalogue.thematique(number + 1).recipe.code
        nexts.append((following, "La suite du parcours du livret"))
    # Last resort, so that a rebond always exists: the recipes phares of the booklet.
    nexts += [(t.recipe.code, "Une recette phare du livret") for t in catalogue.thematiques]
    chosen: list[Recommendation] = []
    seen = {after, *done}
    for code, reason in nexts:
        if code in seen:
            continue
        seen.add(code)
        chosen.append(Recommendation(code, catalogue.title_of(code), reason))
        if len(chosen) == limit:
            break
    return chosen


def from_trainer(proposed: Sequence[TrainerRebond], catalogue: Catalogue) -> list[Recommendation]:
    """The trainer's rebonds as recommendations, in the order given; a kind this version
    does not know yet is the cycle à la carte (the booklet's home of every rebond)."""
    chosen = []
    for r in proposed:
        code = TRAINER_REBOND_RECIPES.get(r.kind, "t03_cycle_a_la_carte")
        reason = (
            "Un an après votre module, votre formateur vous propose à nouveau ce rebond"
            if r.one_year_later
            else "Proposé par votre formateur à l'issue de votre module"
        )
        chosen.append(
            Recommendation(code, catalogue.title_of(code), reason, r.rebond_id, r.offer_id)
        )
    return chosen
