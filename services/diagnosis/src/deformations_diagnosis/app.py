"""The diagnosis service: the self-diagnosis quiz, individual and collective."""

from deformations_common.limits import RateLimit
from deformations_common.service import ServiceDefinition
from deformations_common.vocabulary.clock import Clock, system_clock
from deformations_diagnosis import api, events, web
from deformations_diagnosis.jobs import JOBS
from deformations_diagnosis.settings import DiagnosisSettings
from deformations_diagnosis.subscribers import handlers

ANONYMOUS_SUBMISSIONS = ("/quiz", "/c/{token}", "/v1/responses")


def definition(
    settings: DiagnosisSettings | None = None, *, clock: Clock = system_clock
) -> ServiceDefinition[DiagnosisSettings]:
    """The service; tests give a ``ManualClock``, a deployed one runs on the system clock."""
    return ServiceDefinition(
        settings=settings or DiagnosisSettings(),
        title="deformations — diagnosis",
        description="Autodiagnostic individuel et collectif des élus face aux transitions.",
        migrations_package="deformations_diagnosis.migrations",
        handlers=handlers,
        routers=[*api.routers, web.router],
        produces=events.PRODUCED,
        background=JOBS,
        clock=clock,
        # Anonymous submissions, per client address (a town hall's team shares one).
        rate_limits=[RateLimit(p, per_minute=20, burst=10) for p in ANONYMOUS_SUBMISSIONS],
    )
