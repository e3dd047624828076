"""The lending service: skill offers and requests, loans under a mise à disposition,
half-day sessions, feedback and the hours ledger between collectivités."""

from deformations_common.service import ServiceDefinition
from deformations_common.vocabulary.clock import Clock, system_clock
from deformations_lending.api import catalogue, documents, ledger, loans, moderation, sessions
from deformations_lending.events import PRODUCED
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
        routers=[
            catalogue.router,
            loans.router,
            sessions.router,
            documents.router,
            ledger.router,
            moderation.router,
        ],
        produces=PRODUCED,
        clock=clock,
    )
