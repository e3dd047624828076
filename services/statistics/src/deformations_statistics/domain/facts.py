"""What each event adds to the statistics: facts, each one contribution in one place.

A fact has a natural key (the response, the loan, the session…), so an event handled twice,
or a later event about the same thing (a rescheduled session, a campaign with more answers),
replaces its fact instead of counting it twice. Events about a place the geography does not
know count nowhere: the statistics are of territories.
"""

from __future__ import annotations

from dataclasses import dataclass

from deformations_contracts.events.diagnosis import DiagnosisCompleted, DiagnosisTeamUpdated
from deformations_contracts.events.lending import LoanCompleted
from deformations_contracts.events.sessions import SessionKind, SessionScheduled
from deformations_contracts.events.training import (
    EnrolmentConfirmed,
    EnrolmentPromoted,
    EvaluationAnswered,
    EvaluationKind,
)
from deformations_statistics.domain.indicators import Indicator
from deformations_statistics.domain.places import Gazetteer, Location


@dataclass(frozen=True, slots=True)
class Fact:
    key: str
    indicator: Indicator
    category: str
    location: Location
    value: int = 1
    category_label: str | None = None  # as the event named it (families)


def _where(gazetteer: Gazetteer, insee: str | None, siren: str | None) -> Location | None:
    if insee:
        found = gazetteer.locate(insee)
        if found is not None:
            return found
    return gazetteer.locate_siren(siren) if siren else None


def from_diagnosis(event: DiagnosisCompleted, gazetteer: Gazetteer) -> list[Fact]:
    where = _where(gazetteer, event.commune_insee, event.collectivite_siren)
    if where is None:
        return []
    key = str(event.response_id)
    facts = [Fact(key, Indicator.DIAGNOSES_BY_FAMILY, event.family, where, 1, event.family_label)]
    facts += [
        Fact(f"{key}/{theme}", Indicator.DIAGNOSES_BY_THEME, theme, where)
        for theme in dict.fromkeys(event.priority_themes)
    ]
    return facts


def from_team(event: DiagnosisTeamUpdated, gazetteer: Gazetteer) -> list[Fact]:
    """One campaign, its latest number of answers (the event is sent as answers come)."""
    where = _where(gazetteer, event.commune_insee, event.collectivite_siren)
    if where is None:
        return []
    return [
        Fact(
            str(event.campaign_id),
            Indicator.CAMPAIGNS,
            event.team_kind.value,
            where,
            event.response_count,
        )
    ]


def from_loan(event: LoanCompleted, gazetteer: Gazetteer) -> list[Fact]:
    """A loan done, counted where the skill went (the borrower), with the half-days used."""
    borrower = gazetteer.locate_siren(event.borrower_siren)
    lender = gazetteer.locate_siren(event.lender_siren)
    if borrower is None:
        return []
    same = lender is not None and lender.epci == borrower.epci
    category = "meme-epci" if same else "entre-epci"
    return [Fact(str(event.loan_id), Indicator.LOANS, category, borrower, event.half_days_used)]


def from_session(event: SessionScheduled, gazetteer: Gazetteer) -> list[Fact]:
    """A meeting, counted where it takes place (or at its first collectivité when remote)."""
    if event.kind is SessionKind.LOAN_HALF_DAY:
        return []  # the loans count their half-days themselves
    siren = event.collectivite_sirens[0] if event.collectivite_sirens else None
    where = _where(gazetteer, event.place_insee, siren)
    if where is None:
        return []
    return [Fact(str(event.session_id), Indicator.MEETINGS, event.kind.value, where)]


def from_enrolment(
    event: EnrolmentConfirmed | EnrolmentPromoted, gazetteer: Gazetteer
) -> list[Fact]:
    where = _where(gazetteer, None, event.collectivite_siren)
    if where is None:
        return []
    return [Fact(str(event.enrolment_id), Indicator.ENROLMENTS, event.theme, where)]


def from_evaluation(event: EvaluationAnswered, gazetteer: Gazetteer) -> list[Fact]:
    """A satisfaction questionnaire answered, by its overall note, where the élu serves
    (the impact questionnaires are the training bodies' own)."""
    if event.kind is not EvaluationKind.SATISFACTION:
        return []
    where = _where(gazetteer, None, event.collectivite_siren)
    if where is None:
        return []
    return [Fact(str(event.evaluation_id), Indicator.SATISFACTION, str(event.score), where)]
