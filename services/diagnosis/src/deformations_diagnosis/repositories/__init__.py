"""All SQL of the diagnosis schema: responses, campaigns and questionnaire versions."""

from deformations_diagnosis.repositories.campaigns import CampaignRepository
from deformations_diagnosis.repositories.questionnaire_versions import (
    QuestionnaireVersionRepository,
)
from deformations_diagnosis.repositories.responses import ResponseRepository, StoredResponse

__all__ = [
    "CampaignRepository",
    "QuestionnaireVersionRepository",
    "ResponseRepository",
    "StoredResponse",
]
