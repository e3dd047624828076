"""Template contexts of the training events: enrolments, rebonds, questionnaires, programmes.

Events carry identifiers only: the offer's title is not in them, so a mail names the
training by its theme and format and links to the portal's page of the offer, where the
rest is. The links lead to the portal's training pages (``/formations/…``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from deformations_contracts.catalogue.recipes import load_catalogue
from deformations_contracts.events.programmes import ProgrammeInvited, ProgrammeReviewDue
from deformations_contracts.events.training import (
    EnrolmentCancelled,
    EnrolmentConfirmed,
    EnrolmentPromoted,
    EnrolmentWaitlisted,
    EvaluationDue,
    EvaluationKind,
    RebondKind,
    RebondOccasion,
    RebondProposed,
    TrainingFormat,
)
from deformations_contracts.themes import label as theme_label

Namer = Callable[[str], str]
To = Callable[..., str]

FORMATS = {
    TrainingFormat.HALF_DAY: "une demi-journée",
    TrainingFormat.EVENING: "une soirée",
    TrainingFormat.E_LEARNING: "en ligne",
    TrainingFormat.CAFE: "un café d'élus",
    TrainingFormat.VISIT: "une visite de terrain",
}
REBONDS = {
    RebondKind.MODULE: "un autre module",
    RebondKind.CAFE: "un café d'élus",
    RebondKind.PEER_GROUP: "un groupe de pairs",
    RebondKind.VISIT: "une visite",
}
EVALUATIONS = {
    EvaluationKind.SATISFACTION: "Questionnaire de satisfaction",
    EvaluationKind.IMPACT_6_MONTHS: "Impact à 6 mois",
    EvaluationKind.IMPACT_12_MONTHS: "Impact à 12 mois",
}

Enrolment = EnrolmentConfirmed | EnrolmentWaitlisted | EnrolmentPromoted | EnrolmentCancelled
TrainingEvent = Enrolment | RebondProposed | EvaluationDue | ProgrammeInvited | ProgrammeReviewDue


def offer_url(to: To, offer_id: object) -> str:
    return to("formations", offer_id)


def journey_url(to: To) -> str:
    """« Mon parcours de formation »: rebonds to take or leave, questionnaires to answer."""
    return to("formations", "parcours")


def programme_url(to: To, programme_id: object) -> str:
    """The programme's page: its invitation answered, its closing review filled in."""
    return to("programmes", programme_id)


def recipe_title(code: str) -> str:
    try:
        return load_catalogue().title_of(code)
    except KeyError:
        return "un programme de la plateforme"


def euros(cents: int) -> str:
    """« 150 € », « 72,50 € » (French writing: comma, non-breaking space before €)."""
    whole, rest = divmod(cents, 100)
    amount = f"{whole:,}".replace(",", "\u202f")
    return f"{amount},{rest:02d}\u00a0€" if rest else f"{amount}\u00a0€"


def _enrolment(event: Enrolment, to: To) -> dict[str, Any]:
    ctx: dict[str, Any] = {
        "theme": theme_label(event.theme),
        "format_label": FORMATS.get(event.format, "une formation"),
        "offer_url": offer_url(to, event.offer_id),
        "grouped": event.group_id is not None,
    }
    if isinstance(event, EnrolmentConfirmed | EnrolmentPromoted):
        ctx["price"] = euros(event.price_cents) if event.price_cents else "gratuit"
    if isinstance(event, EnrolmentWaitlisted):
        ctx["position"] = event.position
    if isinstance(event, EnrolmentCancelled):
        ctx["was_waitlisted"] = event.was_waitlisted
    return ctx


def _rebond(event: RebondProposed, to: To) -> dict[str, Any]:
    return {
        "theme": theme_label(event.theme),
        "rebond_label": REBONDS.get(event.kind, "une suite"),
        "one_year_later": event.occasion is RebondOccasion.ONE_YEAR_LATER,
        "rebond_url": journey_url(to),
        "offer_url": offer_url(to, event.offer_id) if event.offer_id else None,
    }


def _evaluation(event: EvaluationDue, to: To) -> dict[str, Any]:
    return {
        "theme": theme_label(event.theme),
        "evaluation_label": EVALUATIONS.get(event.kind, "Questionnaire"),
        "impact": event.kind is not EvaluationKind.SATISFACTION,
        "reminder": event.reminder,
        "evaluation_url": to("formations", "questionnaires", event.evaluation_id),
    }


def _invited(event: ProgrammeInvited, to: To, name: Namer) -> dict[str, Any]:
    return {
        "recipe_title": recipe_title(event.recipe_code),
        "territory_name": name(event.territory_siren),
        "programme_url": programme_url(to, event.programme_id),
    }


def _review(event: ProgrammeReviewDue, to: To) -> dict[str, Any]:
    return {
        "recipe_title": recipe_title(event.recipe_code),
        "questions": event.questions,
        "due": event.due_at,
        "programme_url": programme_url(to, event.programme_id),
    }


def training_context(event: TrainingEvent, to: To, name: Namer) -> dict[str, Any]:
    """The context of a training event's template (``templates/README.md``)."""
    match event:
        case RebondProposed():
            return _rebond(event, to)
        case EvaluationDue():
            return _evaluation(event, to)
        case ProgrammeInvited():
            return _invited(event, to, name)
        case ProgrammeReviewDue():
            return _review(event, to)
    return _enrolment(event, to)
