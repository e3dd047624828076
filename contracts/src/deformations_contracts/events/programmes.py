"""Events published by the training service about programmes: recipes of the booklet run
as a sequence of steps with a group (carnet de bord, élus enquêteurs, non-conférence…).

Identifiers only: notifications resolves names and addresses. Dated sessions of a
programme go through the ``session.*`` events with the kind ``programme_session``.
"""

from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import Field, StringConstraints

from deformations_contracts.base import EventData
from deformations_contracts.types import Instant, PersonId, Siren

RecipeCode = Annotated[str, StringConstraints(pattern=r"^t(0[1-9]|1[01])_[a-z0-9_]{2,35}$")]


class ProgrammeInvited(EventData):
    """A facilitator invited a person to a programme; they accept or decline it."""

    routing_key: ClassVar[str] = "programme.invited.v1"
    producer: ClassVar[str] = "training"

    programme_id: UUID
    recipe_code: RecipeCode = Field(description="The recipe of the booklet the programme runs")
    person_id: PersonId
    facilitator_id: PersonId
    territory_siren: Siren
    collectivite_siren: Siren | None = None
    invited_at: Instant

    def subject(self) -> str:
        return str(self.programme_id)


class ProgrammeReviewDue(EventData):
    """A programme closed: a participant is asked to answer its closing review."""

    routing_key: ClassVar[str] = "programme.review_due.v1"
    producer: ClassVar[str] = "training"

    programme_id: UUID
    recipe_code: RecipeCode
    person_id: PersonId
    questions: int = Field(ge=1, le=20, description="Number of criteria to answer")
    due_at: Instant

    def subject(self) -> str:
        return str(self.programme_id)
