"""Events about people, whichever service received the request."""

from typing import ClassVar

from deformations_contracts.base import EventData
from deformations_contracts.types import Instant, PersonId


class PersonErasureRequested(EventData):
    """A person asked that their personal data be erased everywhere.

    Any service that receives the request publishes it; every service erases what it
    holds about ``person_id`` (contact details, answers, memberships).
    """

    routing_key: ClassVar[str] = "person.erasure_requested.v1"
    producer: ClassVar[str] = "diagnosis"
    other_producers: ClassVar[tuple[str, ...]] = ("lending", "matching", "notifications")

    person_id: PersonId
    requested_at: Instant

    def subject(self) -> str:
        return self.person_id
