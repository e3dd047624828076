"""The lending service: skill offers and requests, loans under a mise à disposition,
half-day sessions, feedback and the hours ledger between collectivités."""

from deformations_common.service import ServiceDefinition
from deformations_common.vocabulary.clock import Clock, system_clock
from deformations_contracts.events.lending import (
    LoanAgreed,
    LoanCancelled,
    LoanCompleted,
    OfferWithdrawn,
    RequestWithdrawn,
    SkillOffered,
    SkillRequested,
)
from deformations_contracts.events.sessions import (
    SessionCancelled,
    SessionRescheduled,
    SessionScheduled,
)
from deformations_lending.api import catalogue, documents, ledger, loans, sessions
from deformations_lending.settings import LendingSettings
from deformations_lending.subscribers import handlers


def definition(
    settings: LendingSettings | None = None, *, clock: Clock = system_clock
) -> ServiceDefinition[LendingSettings]:
    """The service; tests give a ``ManualClock``, a deployed one runs on the system's."""
    return ServiceDefinition(
        settings=settings or LendingSettings(),
        title="deformations — lending",
        description=(
            "Plateforme de prêt de compétences inter-collectivités : offres, demandes, prêts "
            "sous convention de mise à disposition, séances, avis et grand livre des heures."
        ),
        migrations_package="deformations_lending.migrations",
        handlers=handlers,
        routers=[catalogue.router, loans.router, sessions.router, documents.router, ledger.router],
        produces=[
            SkillOffered,
            SkillRequested,
            OfferWithdrawn,
            RequestWithdrawn,
            LoanAgreed,
            LoanCompleted,
            LoanCancelled,
            SessionScheduled,
            SessionRescheduled,
            SessionCancelled,
        ],
        clock=clock,
    )
