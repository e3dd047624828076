"""The indicators the Région follows, as the issue lists them, in French."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from deformations_contracts.events.diagnosis import TeamKind
from deformations_contracts.events.sessions import SessionKind
from deformations_contracts.themes import label as theme_label


class Indicator(StrEnum):
    DIAGNOSES_BY_FAMILY = "diagnostics-familles"
    DIAGNOSES_BY_THEME = "diagnostics-thematiques"
    CAMPAIGNS = "campagnes"
    LOANS = "prets"
    MEETINGS = "rencontres"
    ENROLMENTS = "inscriptions"
    SATISFACTION = "satisfaction"

    @property
    def about(self) -> About:
        return ABOUT[self]


@dataclass(frozen=True, slots=True)
class About:
    title: str
    counted: str  # what one contribution is, in the plural
    value: str  # what the figure adds up (the same as ``counted`` when it counts them)
    category: str  # the name of the columns


ABOUT = {
    Indicator.DIAGNOSES_BY_FAMILY: About(
        "Autodiagnostics par famille d'élus", "autodiagnostics", "autodiagnostics", "Famille"
    ),
    Indicator.DIAGNOSES_BY_THEME: About(
        "Thématiques prioritaires des autodiagnostics",
        "choix de thématique",
        "choix de thématique",
        "Thématique",
    ),
    Indicator.CAMPAIGNS: About(
        "Campagnes d'autodiagnostic collectif et leurs réponses",
        "campagnes",
        "réponses",
        "Équipe",
    ),
    Indicator.LOANS: About(
        "Prêts de compétences entre collectivités",
        "prêts",
        "demi-journées prêtées",
        "Entre qui",
    ),
    Indicator.MEETINGS: About(
        "Rencontres tenues (groupes de pairs, cafés, speed-dating, formations)",
        "rencontres",
        "rencontres",
        "Type",
    ),
    Indicator.ENROLMENTS: About(
        "Inscriptions aux formations par thématique",
        "inscriptions",
        "inscriptions",
        "Thématique",
    ),
    Indicator.SATISFACTION: About(
        "Satisfaction des élus après une formation",
        "réponses au questionnaire de satisfaction",
        "réponses",
        "Note",
    ),
}

LOAN_CATEGORIES = {
    "meme-epci": "Dans la même intercommunalité",
    "entre-epci": "Entre intercommunalités",
}
TEAM_CATEGORIES = {
    TeamKind.MUNICIPAL_COUNCIL.value: "Conseil municipal",
    TeamKind.INTERCOMMUNALITY.value: "Intercommunalité",
}
MEETING_CATEGORIES = {
    SessionKind.PEER_GROUP.value: "Groupe de pairs",
    SessionKind.CAFE_ELUS_TECHNICIENS.value: "Café élus–techniciens",
    SessionKind.SPEED_DATING_ROUND.value: "Speed-dating entre voisins",
    SessionKind.TRAINING_SESSION.value: "Séance de formation",
    SessionKind.PROGRAMME_SESSION.value: "Séance d'une recette du livret",
    SessionKind.LOAN_HALF_DAY.value: "Demi-journée de prêt",
}

# The overall note of a satisfaction questionnaire (its 1–5 notes averaged).
SATISFACTION_CATEGORIES = {
    "1": "1 — pas du tout satisfait·e",
    "2": "2 — peu satisfait·e",
    "3": "3 — moyennement satisfait·e",
    "4": "4 — satisfait·e",
    "5": "5 — très satisfait·e",
}


def category_label(indicator: Indicator, code: str, given: str | None = None) -> str:
    """The French name of a column; ``given`` is the label an event carried (families)."""
    if indicator in (Indicator.DIAGNOSES_BY_THEME, Indicator.ENROLMENTS):
        return theme_label(code)
    table = {
        Indicator.LOANS: LOAN_CATEGORIES,
        Indicator.CAMPAIGNS: TEAM_CATEGORIES,
        Indicator.MEETINGS: MEETING_CATEGORIES,
        Indicator.SATISFACTION: SATISFACTION_CATEGORIES,
    }.get(indicator, {})
    return table.get(code, given or code)
