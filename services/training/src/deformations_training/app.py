"""The training service: offers, offres groupées, enrolments, the « à la carte » cycle,
evaluations and the training budget."""

from deformations_common.service import ServiceDefinition
from deformations_common.vocabulary.clock import Clock, system_clock
from deformations_contracts.events.programmes import ProgrammeInvited, ProgrammeReviewDue
from deformations_contracts.events.sessions import (
    SessionCancelled,
    SessionRescheduled,
    SessionScheduled,
)
from deformations_contracts.events.training import (
    EnrolmentCancelled,
    EnrolmentConfirmed,
    EnrolmentPromoted,
    EnrolmentWaitlisted,
    EvaluationAnswered,
    EvaluationDue,
    RebondAnswered,
    RebondProposed,
)
from deformations_training.api import (
    boussole,
    budget,
    catalogue,
    cycle,
    enquete,
    enrolments,
    open_space,
    programmes,
)
from deformations_training.jobs import follow_ups
from deformations_training.settings import TrainingSettings
from deformations_training.subscribers import handlers


def definition(
    settings: TrainingSettings | None = None, *, clock: Clock = system_clock
) -> ServiceDefinition[TrainingSettings]:
    return ServiceDefinition(
        settings=settings or TrainingSettings(),
        title="deformations — training",
        description=(
            "Formations des élus : offres et offres groupées, inscriptions et liste "
            "d'attente, cycle « à la carte » et rebonds, évaluations, budget formation, "
            "programmes : les recettes du livret menées pas à pas, carnet de bord."
        ),
        migrations_package="deformations_training.migrations",
        handlers=handlers,
        routers=[
            catalogue.router,
            enrolments.router,
            cycle.router,
            budget.router,
            programmes.router,
            open_space.router,
            boussole.router,
            enquete.router,
        ],
        produces=[
            EnrolmentConfirmed,
            EnrolmentWaitlisted,
            EnrolmentPromoted,
            EnrolmentCancelled,
            RebondProposed,
            RebondAnswered,
            EvaluationDue,
            EvaluationAnswered,
            SessionScheduled,
            SessionRescheduled,
            SessionCancelled,
            ProgrammeInvited,
            ProgrammeReviewDue,
        ],
        background=[follow_ups],
        clock=clock,
    )
