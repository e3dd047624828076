"""All SQL of the diagnosis schema: responses and campaigns, returned as domain objects."""

from deformations_diagnosis.repositories.campaigns import CampaignRepository
from deformations_diagnosis.repositories.responses import ResponseRepository, StoredResponse

__all__ = ["CampaignRepository", "ResponseRepository", "StoredResponse"]
