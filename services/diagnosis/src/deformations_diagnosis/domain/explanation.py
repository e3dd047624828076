"""The French explanation of an individual placement."""

from __future__ import annotations

from collections.abc import Mapping

from deformations_diagnosis.content.model import Axis, Questionnaire
from deformations_diagnosis.domain.results import Clarity

# Below this distance from the middle (50) an axis is "balanced" and not worth mentioning.
_MARKED = 10.0
_STRONG = 25.0


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def axis_phrase(axis: Axis, score: float, separator: str = " : ") -> str:
    """« Posture : nettement du côté « facilitateur » (82/100) »."""
    gap = score - 50
    if abs(gap) < _MARKED:
        poles = f"« {axis.low_label} » et « {axis.high_label} »"
        return f"{axis.label}{separator}équilibre entre {poles} ({score:.0f}/100)"
    pole = axis.high_label if gap > 0 else axis.low_label
    strength = "nettement" if abs(gap) >= _STRONG else "plutôt"
    return f"{axis.label}{separator}{strength} du côté « {pole} » ({score:.0f}/100)"


def explain(
    q: Questionnaire,
    scores: Mapping[str, float],
    family_code: str,
    second_code: str,
    clarity: Clarity,
) -> tuple[str, ...]:
    family, second = q.family(family_code), q.family(second_code)
    if clarity is Clarity.SHARED:
        placement = f"Vous êtes à mi-chemin avec la famille « {second.name} »."
    elif clarity is Clarity.RATHER_CLEAR:
        placement = "Votre placement est plutôt net."
    else:
        placement = "Votre placement est net."
    paragraphs = [f"Votre famille : « {family.name} ». {family.tagline} {placement}"]

    marked = sorted(
        (a for a in q.axes if abs(scores[a.code] - 50) >= _MARKED),
        key=lambda a: -abs(scores[a.code] - 50),
    )[:2]
    if marked:
        paragraphs.append(
            "Ce qui vous distingue le plus : "
            + " ; ".join(_lower_first(axis_phrase(a, scores[a.code], ", ")) for a in marked)
            + "."
        )
    else:
        paragraphs.append(
            "Vos réponses sont équilibrées sur tous les axes : "
            "vous ne vous enfermez dans aucune posture."
        )
    paragraphs.append(f"Vous avez déjà un pied dedans. {family.already_doing[0]}")
    if clarity is not Clarity.SHARED:
        paragraphs.append(f"Vous partagez aussi des traits avec la famille « {second.name} ».")
    paragraphs.append(f"Une piste pour progresser — {_lower_first(family.how_to_progress[0])}")
    return tuple(paragraphs)
