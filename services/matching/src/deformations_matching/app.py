"""The matching service."""

from deformations_common.service import ServiceDefinition
from deformations_matching.settings import MatchingSettings


def definition(settings: MatchingSettings | None = None) -> ServiceDefinition:
    return ServiceDefinition(
        settings=settings or MatchingSettings(),
        title="deformations — matching",
        migrations_package="deformations_matching.migrations",
    )
