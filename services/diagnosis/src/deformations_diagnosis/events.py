"""The events diagnosis publishes, built from domain results."""

from datetime import datetime
from uuid import UUID

from deformations_contracts.events.diagnosis import Availability, DiagnosisCompleted, NextStep
from deformations_diagnosis.content.model import Questionnaire
from deformations_diagnosis.domain.results import IndividualResult

# A half-day of training, in minutes (as counted by lending's ledger).
MINUTES_PER_HALF_DAY = 210


def completed(
    questionnaire: Questionnaire,
    result: IndividualResult,
    *,
    response_id: UUID,
    person_id: str | None,
    completed_at: datetime,
) -> DiagnosisCompleted:
    families = {family.code: family.name for family in questionnaire.families}
    steps = (result.next_step, *result.alternatives)
    return DiagnosisCompleted(
        response_id=response_id,
        questionnaire_version=result.questionnaire_version,
        person_id=person_id,
        family=result.family,
        family_label=families.get(result.family),
        second_family=result.second_family,
        clear_cut=result.clarity_index,
        axis_scores=result.axis_scores,
        priority_themes=list(result.priority_themes),
        availability=Availability(
            time_slots=list(result.availability.slots),
            modality=result.availability.modality,
            half_days_per_month=min(
                20, result.availability.minutes_per_month // MINUTES_PER_HALF_DAY
            ),
        ),
        next_steps=[
            NextStep(recipe_code=s.recipe_code, format=s.format_code, label=s.title)
            for s in steps[:5]
        ],
        completed_at=completed_at,
    )
