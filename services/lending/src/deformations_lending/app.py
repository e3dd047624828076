"""The lending service."""

from deformations_common.service import ServiceDefinition
from deformations_lending.settings import LendingSettings


def definition(settings: LendingSettings | None = None) -> ServiceDefinition:
    return ServiceDefinition(
        settings=settings or LendingSettings(),
        title="deformations — lending",
        migrations_package="deformations_lending.migrations",
    )
