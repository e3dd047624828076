"""The collective result of a team (a municipal council, or all of an intercommunality).

Nothing is shown about fewer than ``Questionnaire.min_collective_responses`` (at least 3)
shared responses, so that no individual can be singled out: not the whole result, and not
one of its cells either. A family or a theme held by one or two people is left out (« Les
pionniers solitaires : 1 » would point at the one pioneer of a council). The caller passes
only the results their authors agreed to share.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from deformations_contracts.catalogue import Catalogue, load_catalogue
from deformations_contracts.themes import Theme, label
from deformations_diagnosis.content.model import Questionnaire
from deformations_diagnosis.domain.errors import MixedVersionsError, NotEnoughResponsesError
from deformations_diagnosis.domain.results import IndividualResult

# An axis whose standard deviation reaches this is one where the team really diverges.
DIVERGENCE_FROM = 15.0
SHARED_THEMES_SHOWN = 5


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FamilyShare(_Frozen):
    family: str
    name: str
    count: int = Field(ge=0)
    share: float = Field(ge=0, le=1)


class AxisSummary(_Frozen):
    axis: str
    label: str
    low_label: str
    high_label: str
    mean: float = Field(ge=0, le=100)
    spread: float = Field(ge=0, description="Population standard deviation")
    # No minimum nor maximum: the extreme of a group is one person's own score.


class ThemeShare(_Frozen):
    theme: Theme
    label: str
    count: int
    share: float = Field(ge=0, le=1)


class CollectiveFormat(_Frozen):
    code: str
    title: str
    recipe_code: str
    recipe_title: str
    reason: str


class CollectiveResult(_Frozen):
    questionnaire_version: str
    respondents: int
    families: tuple[FamilyShare, ...] = Field(
        description="The families of at least 3 people, in questionnaire order; smaller ones "
        "are left out, so that nobody is singled out"
    )
    axes: tuple[AxisSummary, ...]
    shared_themes: tuple[ThemeShare, ...] = Field(description="Themes chosen by 3+ people")
    divergent_axes: tuple[str, ...] = Field(description="Axes where the team diverges most")
    formats: tuple[CollectiveFormat, ...]


def _check(q: Questionnaire, results: Sequence[IndividualResult]) -> None:
    versions = [r.questionnaire_version for r in results]
    if any(v != q.version for v in versions):
        raise MixedVersionsError([*versions, q.version])
    if len(results) < q.min_collective_responses:
        raise NotEnoughResponsesError(len(results), q.min_collective_responses)


def _axis_summaries(q: Questionnaire, results: Sequence[IndividualResult]) -> list[AxisSummary]:
    summaries = []
    for axis in q.axes:
        values = [r.axis_scores[axis.code] for r in results]
        mean = sum(values) / len(values)
        spread = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
        summaries.append(
            AxisSummary(
                axis=axis.code,
                label=axis.label,
                low_label=axis.low_label,
                high_label=axis.high_label,
                mean=round(mean, 1),
                spread=round(spread, 1),
            )
        )
    return summaries


def _shared_themes(results: Sequence[IndividualResult], smallest: int) -> list[ThemeShare]:
    counts = Counter(t for r in results for t in r.priority_themes)
    order = list(Theme)
    shared = sorted(
        (t for t, c in counts.items() if c >= smallest),
        key=lambda t: (-counts[t], order.index(t)),
    )
    n = len(results)
    return [
        ThemeShare(theme=t, label=label(t), count=counts[t], share=round(counts[t] / n, 3))
        for t in shared[:SHARED_THEMES_SHOWN]
    ]


def _format(
    catalogue: Catalogue, code: str, title: str, recipe: str, reason: str
) -> CollectiveFormat:
    return CollectiveFormat(
        code=code,
        title=title,
        recipe_code=recipe,
        recipe_title=catalogue.title_of(recipe),
        reason=reason,
    )


def suggest_formats(
    axes: Sequence[AxisSummary],
    families_present: int,
    divergent: Sequence[str],
    themes: Sequence[ThemeShare],
    catalogue: Catalogue,
    intercommunal: bool = False,
) -> tuple[CollectiveFormat, ...]:
    """Collective formats from the booklet, most telling first (at most three)."""
    by_axis = {a.axis: a for a in axes}

    def mean(axis: str, default: float = 50.0) -> float:
        summary = by_axis.get(axis)
        return summary.mean if summary else default

    out: list[CollectiveFormat] = []
    if intercommunal:
        out.append(
            _format(
                catalogue,
                "speed_dating",
                "Un speed dating entre voisins",
                "t08_speed_dating_voisins",
                "Les élus de vos communes se connaissent encore peu : quelques tours de "
                "deux minutes suffisent à se découvrir des atomes crochus.",
            )
        )
    if families_present >= 3 or mean("pratique") >= 55:
        out.append(
            _format(
                catalogue,
                "non_conference",
                "Une non-conférence des élus",
                "t10_non_conference",
                "Votre groupe réunit des profils variés et des expériences déjà "
                "installées : chacun a des savoirs à partager, personne en tribune.",
            )
        )
    if "echelle" in divergent or mean("echelle") < 40:
        out.append(
            _format(
                catalogue,
                "atelier_macro_micro",
                "Un atelier du macro au micro",
                "t05_atelier_macro_micro",
                "Les regards divergent entre le concret local et la vision d'ensemble : "
                "un chercheur peut aider à construire un langage commun.",
            )
        )
    if mean("posture") < 45 or "posture" in divergent:
        out.append(
            _format(
                catalogue,
                "cafe_elus_techniciens",
                "Le petit café élus–techniciens",
                "t06_cafe_elus_techniciens",
                "La façon de décider fait débat ou penche vers le « décideur » : des "
                "rendez-vous réguliers avec les techniciens aident chacun à trouver son "
                "juste rôle.",
            )
        )
    if mean("reseau") < 40:
        out.append(
            _format(
                catalogue,
                "groupe_entraide",
                "Un groupe d'entraide entre pairs",
                "t07_groupe_entraide",
                "Plusieurs d'entre vous se sentent seuls face à la transition : un "
                "groupe de pairs aide à sortir de l'isolement.",
            )
        )
    if any(t.theme is Theme.PARTICIPATION for t in themes) or mean("posture") >= 60:
        out.append(
            _format(
                catalogue,
                "boussole_participation",
                "La boussole de la participation citoyenne",
                "t09_boussole_participation",
                "Associer les habitants vous tient à cœur : comparer les dispositifs, "
                "du XXS au XXL, avant d'en tester un.",
            )
        )
    if intercommunal:
        out.append(
            _format(
                catalogue,
                "pret_competences",
                "Le prêt de compétences entre collectivités",
                "t08_pret_de_competences",
                "Vos communes ont des ingénieries inégales : se prêter un technicien "
                "pour une demi-journée renforce les plus petites.",
            )
        )
    subjects = ", ".join(t.label.lower() for t in themes[:2]) or "vos sujets communs"
    out.append(
        _format(
            catalogue,
            "charte_formation",
            "Une charte des élus pour la formation",
            "t01_charte_formation",
            f"Pour fixer ensemble vos priorités de formation ({subjects}) et faciliter "
            "l'usage du droit individuel à la formation.",
        )
    )
    return tuple(out[:3])


def collective_result(
    q: Questionnaire,
    results: Sequence[IndividualResult],
    catalogue: Catalogue | None = None,
    intercommunal: bool = False,
) -> CollectiveResult:
    """The collective result of shared responses; refuses groups smaller than the minimum."""
    _check(q, results)
    catalogue = catalogue or load_catalogue()
    n = len(results)
    counts = Counter(r.family for r in results)
    smallest = q.min_collective_responses
    families = tuple(
        FamilyShare(
            family=f.code, name=f.name, count=counts[f.code], share=round(counts[f.code] / n, 3)
        )
        for f in q.families
        if counts[f.code] >= smallest
    )
    axes = _axis_summaries(q, results)
    ranked = sorted(axes, key=lambda a: (-a.spread, [x.code for x in q.axes].index(a.axis)))
    divergent = tuple(a.axis for a in ranked[:2] if a.spread >= DIVERGENCE_FROM)
    themes = _shared_themes(results, smallest)
    return CollectiveResult(
        questionnaire_version=q.version,
        respondents=n,
        families=families,
        axes=tuple(axes),
        shared_themes=tuple(themes),
        divergent_axes=divergent,
        formats=suggest_formats(axes, len(counts), divergent, themes, catalogue, intercommunal),
    )
