"""The diagnosis service: the self-diagnosis quiz, individual and collective."""

from deformations_common.limits import RateLimit
from deformations_common.service import ServiceDefinition
from deformations_contracts.events.diagnosis import DiagnosisCompleted, DiagnosisTeamUpdated
from deformations_diagnosis import api, calibration_api, campaigns_api, pages
from deformations_diagnosis.settings import DiagnosisSettings
from deformations_diagnosis.subscribers import handlers

ANONYMOUS_SUBMISSIONS = ("/quiz", "/c/{token}", "/v1/responses")


def definition(settings: DiagnosisSettings | None = None) -> ServiceDefinition[DiagnosisSettings]:
    return ServiceDefinition(
        settings=settings or DiagnosisSettings(),
        title="deformations — diagnosis",
        description="Autodiagnostic individuel et collectif des élus face aux transitions.",
        migrations_package="deformations_diagnosis.migrations",
        handlers=handlers,
        routers=[api.router, campaigns_api.router, calibration_api.router, pages.router],
        produces=[DiagnosisCompleted, DiagnosisTeamUpdated],
        # Anonymous submissions, per client address (a town hall's team shares one).
        rate_limits=[RateLimit(p, per_minute=20, burst=10) for p in ANONYMOUS_SUBMISSIONS],
    )
