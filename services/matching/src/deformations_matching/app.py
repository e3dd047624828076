"""The matching service."""

from deformations_common.service import ServiceDefinition
from deformations_common.vocabulary.clock import Clock, system_clock
from deformations_contracts.events.matching import MatchProposed, SpeedDatingMutualMark
from deformations_contracts.events.moderation import ContentHidden, ContentShown
from deformations_contracts.events.sessions import SessionScheduled
from deformations_matching.api import routers
from deformations_matching.jobs import rematch_periodically, warm_index
from deformations_matching.settings import MatchingSettings
from deformations_matching.subscribers import handlers


def definition(
    settings: MatchingSettings | None = None, *, clock: Clock = system_clock
) -> ServiceDefinition[MatchingSettings]:
    """The service; tests give a ``ManualClock``, a deployed one runs on the system clock."""
    settings = settings or MatchingSettings()
    # A wrong territory (PLATFORM_FILE) stops the start, not the first event about it.
    settings.platform_scope()
    return ServiceDefinition(
        settings=settings,
        title="deformations — matching",
        description=(
            "Mise en relation : besoins ↔ offres de compétences, groupes d'entraide, "
            "binômes élus–techniciens, speed dating entre voisins, créneaux communs, "
            "recommandations de modules."
        ),
        migrations_package="deformations_matching.migrations",
        handlers=handlers,
        routers=routers,
        produces=[
            MatchProposed,
            SessionScheduled,
            ContentHidden,
            ContentShown,
            SpeedDatingMutualMark,
        ],
        background=[warm_index, rematch_periodically],
        clock=clock,
    )
