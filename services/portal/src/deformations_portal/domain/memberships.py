"""Memberships: a person acts for a collectivité in a role once the membership is validated.

States::

    invited ──(the invited person signs in)──> validated
    requested ──(référent or operator validates)──> validated ──(revoke)──> revoked
        └──(référent or operator refuses)──> refused
    invited ──(an operator revokes)──> revoked

Who decides on a request: a validated ``hr`` or ``secretary`` of the same collectivité
(the référent), or a validated operator of any collectivité. Ended memberships stay, so
history is kept; a person asks again with a new membership.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from deformations_common.vocabulary.roles import Role
from deformations_portal.domain.errors import (
    InvalidRole,
    MembershipEnded,
    MembershipNotPending,
    NotAllowedToDecide,
    NoValidatedMembership,
)


class Status(StrEnum):
    INVITED = "invited"
    REQUESTED = "requested"
    VALIDATED = "validated"
    REFUSED = "refused"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def live(self) -> bool:
        return self in (Status.INVITED, Status.REQUESTED, Status.VALIDATED)


_STATUS_LABELS = {
    Status.INVITED: "invitation envoyée",
    Status.REQUESTED: "en attente de validation",
    Status.VALIDATED: "validée",
    Status.REFUSED: "refusée",
    Status.REVOKED: "retirée",
}

# Roles a person may ask for on the join page; operators are made by the command or
# by another operator, partners by an operator.
REQUESTABLE_ROLES = (Role.ELECTED, Role.SECRETARY, Role.AGENT, Role.HR, Role.TRAINER)
REFERENT_ROLES = frozenset({Role.HR, Role.SECRETARY})
# An operator may also invite a partner (Région, département: the statistics, read only).
OPERATOR_INVITABLE_ROLES = (*REQUESTABLE_ROLES, Role.PARTNER)


@dataclass(frozen=True, slots=True)
class Membership:
    membership_id: UUID
    person_id: UUID
    siren: str
    role: Role
    status: Status
    requested_at: datetime
    decided_by: UUID | None = None
    decided_at: datetime | None = None

    @property
    def validated(self) -> bool:
        return self.status is Status.VALIDATED


def requestable_role(value: str) -> Role:
    try:
        role = Role(value)
    except ValueError:
        role = None
    if role is None or role not in REQUESTABLE_ROLES:
        raise InvalidRole("Choisissez un rôle dans la liste.", role=value)
    return role


def invitable_role(value: str, actor: Iterable[Membership]) -> Role:
    """The role an invitation gives: a requestable one, or partner when an operator invites."""
    operator = any(m.validated and m.role is Role.OPERATOR for m in actor)
    if operator and value == Role.PARTNER.value:
        return Role.PARTNER
    return requestable_role(value)


def may_decide(actor: Iterable[Membership], siren: str) -> bool:
    """Whether someone holding ``actor`` memberships may validate requests for ``siren``."""
    for held in actor:
        if not held.validated:
            continue
        if held.role is Role.OPERATOR:
            return True
        if held.role in REFERENT_ROLES and held.siren == siren:
            return True
    return False


def require_decider(actor: Iterable[Membership], siren: str) -> None:
    if not may_decide(actor, siren):
        raise NotAllowedToDecide(
            "Seul le référent de cette collectivité (RH ou secrétaire de mairie validé·e) "
            "ou un opérateur peut décider de cette demande.",
            siren=siren,
        )


def decide(membership: Membership, *, accept: bool, actor: UUID, at: datetime) -> Membership:
    if membership.status is not Status.REQUESTED:
        raise MembershipNotPending(
            f"Cette demande n'est plus en attente (elle est {membership.status.label}).",
            membership_id=str(membership.membership_id),
        )
    status = Status.VALIDATED if accept else Status.REFUSED
    return replace(membership, status=status, decided_by=actor, decided_at=at)


def revoke(membership: Membership, *, actor: UUID, at: datetime) -> Membership:
    """A référent or an operator withdraws rights given (or offered): the membership ends,
    kept as history."""
    if membership.status not in (Status.VALIDATED, Status.INVITED):
        raise MembershipEnded(
            f"Cette adhésion ne peut pas être retirée (elle est {membership.status.label}).",
            membership_id=str(membership.membership_id),
        )
    return replace(membership, status=Status.REVOKED, decided_by=actor, decided_at=at)


def accept_invitation(membership: Membership, *, at: datetime) -> Membership:
    if membership.status is not Status.INVITED:
        raise MembershipNotPending(
            "Cette invitation n'est plus valable.", membership_id=str(membership.membership_id)
        )
    return replace(membership, status=Status.VALIDATED, decided_at=at)


def acting_membership(memberships: Iterable[Membership], chosen: UUID | None) -> Membership | None:
    """The validated membership the person acts in: the chosen one, else the first."""
    validated = [m for m in memberships if m.validated]
    for membership in validated:
        if membership.membership_id == chosen:
            return membership
    return validated[0] if validated else None


def require_validated(membership: Membership | None) -> Membership:
    if membership is None or not membership.validated:
        raise NoValidatedMembership(
            "Votre adhésion n'est pas encore validée : le référent de votre collectivité "
            "doit d'abord l'accepter.",
        )
    return membership
