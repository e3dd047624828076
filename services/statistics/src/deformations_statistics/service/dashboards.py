"""The Région's views: one indicator's statistics, suppressed once, cut into tables."""

from __future__ import annotations

from deformations_common.vocabulary.errors import InvalidInput
from deformations_statistics.domain.indicators import Indicator
from deformations_statistics.domain.places import Level
from deformations_statistics.domain.tables import Statistics, Table, compute
from deformations_statistics.service.uow import StatisticsUow


class UnknownPlace(InvalidInput):
    code = "statistics_unknown_place"


async def statistics(uow: StatisticsUow, indicator: Indicator) -> Statistics:
    """The indicator's figures of the platform's territory only (its Région, or its
    départements), whatever ``outside_allowed`` says: they are the Région's statistics.

    Facts from elsewhere are kept but never counted: filtering when reading covers the facts
    recorded before the territory was set and follows a change of it without a replay, and
    the k ≥ 3 suppression is computed on exactly what is shown."""
    scope = uow.scope
    within = None if scope.everywhere else sorted(scope.departements)
    return compute(indicator, await uow.facts.tallies(indicator, within))


async def table(
    uow: StatisticsUow, indicator: Indicator, level: Level, region: str | None = None
) -> Table:
    """``region``: only the places of that région (its départements, at that level)."""
    if region is not None and uow.places.geography.region(region) is None:
        raise UnknownPlace(
            f"La région « {region} » n'existe pas dans le code officiel géographique."
        )
    within = (Level.REGION, region) if region and level is Level.DEPARTEMENT else None
    return (await statistics(uow, indicator)).table(level, within)
