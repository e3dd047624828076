"""Training events as the training service publishes them, for the notifications tests.

One builder per event of the training service's contracts (enrolments, rebonds,
questionnaires, programmes, and its dated sessions), valid against the schemas; ids are
fresh unless given.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from deformations_contracts.events.programmes import ProgrammeInvited, ProgrammeReviewDue
from deformations_contracts.events.sessions import SessionScheduled
from deformations_contracts.events.training import (
    EnrolmentCancelled,
    EnrolmentConfirmed,
    EnrolmentPromoted,
    EnrolmentWaitlisted,
    EvaluationDue,
    RebondProposed,
)

CREST = "212601082"  # commune of Crest (Drôme)
CRESTOIS = "200040509"  # CC du Crestois et de Pays de Saillans
BODY = "130005481"  # a training body
AT = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)

Enrolment = EnrolmentConfirmed | EnrolmentWaitlisted | EnrolmentPromoted | EnrolmentCancelled


def enrolment(
    model: type[Enrolment],
    person: str,
    offer_id: UUID | None = None,
    *,
    group_id: UUID | None = None,
    **fields: Any,
) -> Enrolment:
    data: dict[str, Any] = {
        "enrolment_id": str(uuid4()),
        "offer_id": str(offer_id or uuid4()),
        "person_id": person,
        "collectivite_siren": CREST,
        "body_siren": BODY,
        "theme": "energie",
        "format": "evening",
        "group_id": str(group_id) if group_id else None,
    }
    if model is EnrolmentConfirmed:
        data |= {"price_cents": 15_000, "confirmed_at": AT}
    elif model is EnrolmentWaitlisted:
        data |= {"position": 2, "waitlisted_at": AT}
    elif model is EnrolmentPromoted:
        data |= {"price_cents": 7_250, "promoted_at": AT}
    else:
        data |= {"was_waitlisted": False, "cancelled_at": AT}
    return model.model_validate(data | fields)


def rebond(person: str, trainer: str, **fields: Any) -> RebondProposed:
    data: dict[str, Any] = {
        "rebond_id": str(uuid4()),
        "person_id": person,
        "after_enrolment_id": str(uuid4()),
        "after_offer_id": str(uuid4()),
        "kind": "module",
        "occasion": "debrief",
        "offer_id": str(uuid4()),
        "theme": "alimentation",
        "trainer_id": trainer,
        "proposed_at": AT,
    }
    return RebondProposed.model_validate(data | fields)


def evaluation(person: str, **fields: Any) -> EvaluationDue:
    data: dict[str, Any] = {
        "evaluation_id": str(uuid4()),
        "person_id": person,
        "enrolment_id": str(uuid4()),
        "offer_id": str(uuid4()),
        "kind": "impact_6_months",
        "theme": "energie",
        "due_at": AT,
    }
    return EvaluationDue.model_validate(data | fields)


def invited(person: str, facilitator: str, **fields: Any) -> ProgrammeInvited:
    data: dict[str, Any] = {
        "programme_id": str(uuid4()),
        "recipe_code": "t10_non_conference",
        "person_id": person,
        "facilitator_id": facilitator,
        "territory_siren": CRESTOIS,
        "collectivite_siren": CREST,
        "invited_at": AT,
    }
    return ProgrammeInvited.model_validate(data | fields)


def review_due(person: str, **fields: Any) -> ProgrammeReviewDue:
    data: dict[str, Any] = {
        "programme_id": str(uuid4()),
        "recipe_code": "t10_non_conference",
        "person_id": person,
        "questions": 3,
        "due_at": AT + timedelta(days=30),
    }
    return ProgrammeReviewDue.model_validate(data | fields)


def training_session(
    participants: list[str], kind: str = "training_session", **fields: Any
) -> SessionScheduled:
    """A dated session of an offer (``related_id``: the offer) or of a programme."""
    start = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)
    data: dict[str, Any] = {
        "session_id": str(uuid4()),
        "kind": kind,
        "related_id": str(uuid4()),
        "theme": "energie",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "place_label": "Salle du conseil, mairie de Crest",
        "participants": participants,
        "sequence": 0,
        "scheduled_at": AT,
    }
    return SessionScheduled.model_validate(data | fields)
