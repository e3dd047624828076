"""Joining a collectivité, deciding on requests, inviting élus, switching memberships."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from deformations_common.vocabulary.roles import Role
from deformations_contracts.events.people import (
    MembershipChanged,
    MembershipRole,
    MembershipStatus,
)
from deformations_portal.domain import collectivites, memberships
from deformations_portal.domain.errors import MembershipNotFound
from deformations_portal.domain.links import normalise_email
from deformations_portal.domain.memberships import Membership, Status
from deformations_portal.domain.operator import JournalAction, JournalEntry
from deformations_portal.repositories.people import Identity
from deformations_portal.service.uow import PortalUow


def changed(m: Membership, uow: PortalUow) -> MembershipChanged:
    return MembershipChanged(
        membership_id=m.membership_id,
        person_id=str(m.person_id),
        siren=m.siren,
        role=MembershipRole(m.role.value),
        status=MembershipStatus(m.status.value),
        changed_at=uow.now(),
    )


async def request_join(uow: PortalUow, person_id: uuid.UUID, siren: str, role: str) -> Membership:
    """A person asks to act for a collectivité in a role; the référent decides."""
    chosen = memberships.requestable_role(role)
    collectivite = collectivites.require(siren)
    membership = Membership(
        membership_id=uuid.uuid4(),
        person_id=person_id,
        siren=collectivite.siren,
        role=chosen,
        status=Status.REQUESTED,
        requested_at=uow.now(),
    )
    await uow.memberships.add(membership)
    await uow.emit(changed(membership, uow))
    return membership


async def pending_for(uow: PortalUow, person_id: uuid.UUID) -> list[Membership]:
    """The requests this person may decide on."""
    held = await uow.memberships.of_person(person_id)
    if any(m.validated and m.role is Role.OPERATOR for m in held):
        return await uow.memberships.pending_for(None)
    sirens = sorted({m.siren for m in held if memberships.may_decide([m], m.siren)})
    return await uow.memberships.pending_for(sirens) if sirens else []


async def decide(
    uow: PortalUow,
    actor: uuid.UUID,
    membership_id: uuid.UUID,
    *,
    accept: bool,
    why: str | None = None,
) -> Membership:
    """A référent or an operator decides; every decision goes to the operators' journal,
    whichever page it was taken on."""
    target = await uow.memberships.get(membership_id)
    if target is None:
        raise MembershipNotFound("Cette demande n'existe pas.")
    memberships.require_decider(await uow.memberships.of_person(actor), target.siren)
    decided = memberships.decide(target, accept=accept, actor=actor, at=uow.now())
    await uow.memberships.update(decided, actor, uow.now())
    await uow.emit(changed(decided, uow))
    action = JournalAction.MEMBERSHIP_ACCEPTED if accept else JournalAction.MEMBERSHIP_REFUSED
    await uow.journal.add(
        JournalEntry(uow.now(), actor, action, str(decided.membership_id), decided.siren, why)
    )
    return decided


async def members_for(uow: PortalUow, person_id: uuid.UUID) -> list[Membership]:
    """The validated memberships this person may revoke (not her own)."""
    held = await uow.memberships.of_person(person_id)
    if any(m.validated and m.role is Role.OPERATOR for m in held):
        found = await uow.memberships.validated_for(None)
    else:
        sirens = sorted({m.siren for m in held if memberships.may_decide([m], m.siren)})
        found = await uow.memberships.validated_for(sirens) if sirens else []
    return [m for m in found if m.person_id != person_id]


@dataclass(frozen=True)
class Revoked:
    membership: Membership
    # Whether the person lost her last validated membership, and with it her sessions.
    signed_out: bool


async def revoke(uow: PortalUow, actor: uuid.UUID, membership_id: uuid.UUID) -> Revoked:
    """A référent or an operator withdraws a membership. Once a person acts for no
    collectivité any more, her web sessions end: no page, and so no token, keeps the
    rights she had. (Her other memberships, if any, keep her signed in: the portal acts
    in one of them from the next request on.)"""
    target = await uow.memberships.get(membership_id)
    if target is None:
        raise MembershipNotFound("Cette adhésion n'existe pas.")
    memberships.require_decider(await uow.memberships.of_person(actor), target.siren)
    revoked = memberships.revoke(target, actor=actor, at=uow.now())
    await uow.memberships.update(revoked, actor, uow.now())
    await uow.emit(changed(revoked, uow))
    remaining = await uow.memberships.of_person(revoked.person_id)
    last = not any(m.validated for m in remaining)
    if last:
        await uow.signin.end_sessions_of(revoked.person_id)
    return Revoked(revoked, last)


@dataclass(frozen=True)
class Invitation:
    membership: Membership
    email: str


async def invite(
    uow: PortalUow, actor: uuid.UUID, siren: str, email: str, role: str = Role.ELECTED.value
) -> Invitation:
    """A référent invites someone by e-mail; signing in through the mailed link accepts.

    The invited person gets a pseudonymous id now, so the membership exists before them;
    their e-mail is kept as their login identity only.
    """
    address = normalise_email(email)
    held = await uow.memberships.of_person(actor)
    chosen = memberships.invitable_role(role, held)
    collectivite = collectivites.require(siren)
    memberships.require_decider(held, collectivite.siren)
    identity = await uow.persons.identity("email", address)
    if identity is None:
        # Not proven hers yet (email_verified false): her first sign-in by link proves it.
        person_id = uuid.uuid4()
        await uow.persons.add(person_id, uow.now())
        await uow.persons.save_identity(
            Identity("email", address, person_id, address, None, None), uow.now()
        )
    else:
        person_id = identity.person_id
    membership = Membership(
        membership_id=uuid.uuid4(),
        person_id=person_id,
        siren=collectivite.siren,
        role=chosen,
        status=Status.INVITED,
        requested_at=uow.now(),
        decided_by=actor,
    )
    await uow.memberships.add(membership)
    await uow.emit(changed(membership, uow))
    return Invitation(membership, address)


async def accept_invitations(uow: PortalUow, person_id: uuid.UUID) -> list[Membership]:
    """Signing in through an invitation's link proves the address: the invitations hold."""
    accepted = []
    for membership in await uow.memberships.of_person(person_id):
        if membership.status is Status.INVITED:
            done = memberships.accept_invitation(membership, at=uow.now())
            await uow.memberships.update(done, person_id, uow.now())
            await uow.emit(changed(done, uow))
            accepted.append(done)
    return accepted


async def grant_operator(uow: PortalUow, person_id: uuid.UUID, siren: str) -> Membership:
    membership = Membership(
        membership_id=uuid.uuid4(),
        person_id=person_id,
        siren=collectivites.require(siren).siren,
        role=Role.OPERATOR,
        status=Status.VALIDATED,
        requested_at=uow.now(),
        decided_at=uow.now(),
    )
    await uow.memberships.add(membership)
    await uow.emit(changed(membership, uow))
    return membership
