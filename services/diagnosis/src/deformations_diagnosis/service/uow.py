"""The diagnosis unit of work: its repositories over the transaction's connection."""

from __future__ import annotations

from deformations_common.unit_of_work import UnitOfWork
from deformations_diagnosis.repositories import (
    CampaignRepository,
    QuestionnaireVersionRepository,
    ResponseRepository,
)
from deformations_diagnosis.settings import DiagnosisSettings


class DiagnosisUnitOfWork(UnitOfWork[DiagnosisSettings]):
    """What every use case of the diagnosis works over; a fake overrides the properties."""

    @property
    def responses(self) -> ResponseRepository:
        return ResponseRepository(self.conn)

    @property
    def campaigns(self) -> CampaignRepository:
        return CampaignRepository(self.conn)

    @property
    def questionnaire_versions(self) -> QuestionnaireVersionRepository:
        return QuestionnaireVersionRepository(self.conn)
