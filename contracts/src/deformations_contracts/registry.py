"""Every event type that crosses a service boundary, by routing key."""

import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

from deformations_contracts.base import EventData
from deformations_contracts.events.diagnosis import DiagnosisCompleted, DiagnosisTeamUpdated
from deformations_contracts.events.lending import (
    LoanActionRequested,
    LoanAgreed,
    LoanCancelled,
    LoanCompleted,
    OfferWithdrawn,
    RequestWithdrawn,
    SkillOffered,
    SkillRequested,
)
from deformations_contracts.events.matching import MatchProposed, SpeedDatingMutualMark
from deformations_contracts.events.moderation import ContentHidden, ContentShown
from deformations_contracts.events.people import MembershipChanged, PersonErasureRequested
from deformations_contracts.events.programmes import ProgrammeInvited, ProgrammeReviewDue
from deformations_contracts.events.sessions import (
    SessionCancelled,
    SessionRescheduled,
    SessionScheduled,
)
from deformations_contracts.events.training import (
    EnrolmentCancelled,
    EnrolmentConfirmed,
    EnrolmentPromoted,
    EnrolmentWaitlisted,
    EvaluationAnswered,
    EvaluationDue,
    RebondAnswered,
    RebondProposed,
)

_MODELS: list[type[EventData]] = [
    DiagnosisCompleted,
    DiagnosisTeamUpdated,
    SkillOffered,
    SkillRequested,
    OfferWithdrawn,
    RequestWithdrawn,
    MatchProposed,
    SpeedDatingMutualMark,
    LoanActionRequested,
    LoanAgreed,
    LoanCompleted,
    LoanCancelled,
    SessionScheduled,
    SessionCancelled,
    SessionRescheduled,
    PersonErasureRequested,
    EnrolmentConfirmed,
    EnrolmentWaitlisted,
    EnrolmentPromoted,
    EnrolmentCancelled,
    RebondProposed,
    RebondAnswered,
    EvaluationDue,
    EvaluationAnswered,
    MembershipChanged,
    ProgrammeInvited,
    ProgrammeReviewDue,
    ContentHidden,
    ContentShown,
]

EVENTS: Mapping[str, type[EventData]] = {model.routing_key: model for model in _MODELS}


def routing_keys(*models: type[EventData]) -> tuple[str, ...]:
    """The routing keys of these models, in their order (lists kept by derivation, not by hand)."""
    return tuple(model.routing_key for model in models)


def model_for(routing_key: str) -> type[EventData]:
    """The data model of an event type; ``KeyError`` for an unknown one."""
    return EVENTS[routing_key]


def examples(routing_key: str) -> list[dict[str, Any]]:
    """Example payloads of an event type, shared by producer and consumer tests."""
    path = resources.files("deformations_contracts") / "examples" / f"{routing_key}.json"
    loaded: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return loaded
