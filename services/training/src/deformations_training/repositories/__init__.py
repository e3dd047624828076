"""All the SQL of the training service. Repositories return domain objects and turn the
schema's constraint violations into the domain's errors (same French wording)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from deformations_common.vocabulary.errors import DomainError
from deformations_training.domain.errors import AlreadyEnrolled, InvalidTransition

_CONSTRAINTS: dict[str, DomainError] = {
    "enrolments_one_live_per_person": AlreadyEnrolled(
        "Cette personne est déjà inscrite (ou en liste d'attente) à cette formation."
    ),
    "offers_within_capacity": InvalidTransition(
        "Plus de place : une inscription concurrente a pris la dernière."
    ),
    "rebonds_one_per_module": InvalidTransition("Un rebond a déjà été proposé après ce module."),
    "evaluations_one_per_kind": InvalidTransition("Ce questionnaire existe déjà."),
    "bodies_pkey": InvalidTransition("Cet organisme est déjà enregistré."),
}


@asynccontextmanager
async def constraints() -> AsyncIterator[None]:
    """Run statements whose constraint violations are refusals of the domain."""
    try:
        yield
    except (asyncpg.UniqueViolationError, asyncpg.CheckViolationError) as exc:
        error = _CONSTRAINTS.get(getattr(exc, "constraint_name", None) or "")
        if error is None:
            raise
        raise type(error)(error.message) from exc
