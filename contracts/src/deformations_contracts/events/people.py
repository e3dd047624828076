"""Events about people, whichever service received the request, and their memberships."""

from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from deformations_contracts.base import EventData
from deformations_contracts.types import Instant, PersonId, Siren


class PersonErasureRequested(EventData):
    """A person asked that their personal data be erased everywhere.

    Only the portal publishes it (the person, or an operator acting there): a compromised
    service must not erase people everywhere. Every service erases what it holds about
    ``person_id`` (contact details, answers, memberships).
    """

    routing_key: ClassVar[str] = "person.erasure_requested.v1"
    producer: ClassVar[str] = "portal"

    person_id: PersonId
    requested_at: Instant

    def subject(self) -> str:
        return self.person_id


class MembershipRole(StrEnum):
    ELECTED = "elected"
    SECRETARY = "secretary"
    AGENT = "agent"
    HR = "hr"
    TRAINER = "trainer"
    OPERATOR = "operator"
    PARTNER = "partner"


class MembershipStatus(StrEnum):
    INVITED = "invited"
    REQUESTED = "requested"
    VALIDATED = "validated"
    REFUSED = "refused"
    REVOKED = "revoked"


class MembershipChanged(EventData):
    """A person's membership of a collectivité was asked, validated, refused or revoked.

    Identifiers only (no names, no e-mail): organisers invite only the validated members
    of a collectivité. The latest ``changed_at`` of a membership wins.
    """

    routing_key: ClassVar[str] = "membership.changed.v1"
    producer: ClassVar[str] = "portal"

    membership_id: UUID
    person_id: PersonId
    siren: Siren
    role: MembershipRole
    status: MembershipStatus
    changed_at: Instant

    def subject(self) -> str:
        return str(self.membership_id)
