"""The statistics service: the Région's indicators, built from events, k ≥ 3 everywhere."""

from deformations_common.service import ServiceDefinition
from deformations_common.vocabulary.clock import Clock, system_clock
from deformations_statistics.api import indicators
from deformations_statistics.settings import StatisticsSettings
from deformations_statistics.subscribers import handlers


def definition(
    settings: StatisticsSettings | None = None, *, clock: Clock = system_clock
) -> ServiceDefinition[StatisticsSettings]:
    settings = settings or StatisticsSettings()
    # A wrong territory (PLATFORM_FILE) stops the start, not the first event about it.
    settings.platform_scope()
    return ServiceDefinition(
        settings=settings,
        title="deformations — statistics",
        description=(
            "Statistiques pour la Région et ses partenaires : autodiagnostics, campagnes, "
            "prêts de compétences, rencontres, inscriptions, par région, département, "
            "intercommunalité et taille de commune ; k ≥ 3 partout ; exports CSV, ODS et "
            "données ouvertes."
        ),
        migrations_package="deformations_statistics.migrations",
        handlers=handlers,
        routers=[indicators.router],
        produces=[],
        clock=clock,
    )
