"""Groupes d'entraide: see one, accept or decline a place, then fix the sessions."""

from datetime import datetime, timedelta
from typing import Annotated
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from deformations_common.auth import Principal
from deformations_common.vocabulary.roles import Role
from deformations_contracts.events.sessions import SessionKind
from deformations_contracts.themes import label
from deformations_matching import events
from deformations_matching.domain.errors import (
    AlreadyAnswered,
    AlreadyScheduled,
    NotAllowed,
    NotConfirmed,
    PastSession,
    PlaceRequired,
    UnknownGroup,
)
from deformations_matching.domain.invitations import (
    Answer,
    InvitationError,
    InvitationStatus,
    PeerInvitation,
    session_times,
)
from deformations_matching.domain.slots import slot_label
from deformations_matching.repositories.peers import GroupRow
from deformations_matching.service import sessions
from deformations_matching.service.uow import MatchingUow


class GroupOut(BaseModel):
    group_id: UUID
    call_id: UUID
    theme: str
    theme_label: str
    status: InvitationStatus
    size: int
    accepted: int
    your_answer: Answer | None
    members: list[str] = Field(description="Names are revealed once every member accepted.")
    common_slots: list[str]
    reasons: list[str]
    sessions: list[datetime]


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    accept: bool


class ScheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_session_at: AwareDatetime
    every_weeks: int = Field(default=4, ge=1, le=8, description="Rhythm chosen by the group.")
    follow_ups: int = Field(default=4, ge=4, le=5)
    duration_minutes: int = Field(default=90, ge=30, le=240)
    remote: bool = False
    place_label: Annotated[str, StringConstraints(min_length=3, max_length=200)] | None = None


def invitation_of(group: GroupRow) -> PeerInvitation:
    answers = {p: Answer(a) for p, a in sorted(group.answers.items())}
    named = None if group.anonymous else group.caller
    return PeerInvitation(str(group.group_id), answers, group.anonymous, group.min_size, named)


async def group_out(uow: MatchingUow, group: GroupRow, viewer: str) -> GroupOut:
    invitation = invitation_of(group)
    planned = await uow.plans.sessions_of(group.group_id)
    return GroupOut(
        group_id=group.group_id,
        call_id=group.call_id,
        theme=group.theme,
        theme_label=label(group.theme),
        status=invitation.status,
        size=len(invitation.still_in),
        accepted=sum(a is Answer.ACCEPTED for a in invitation.answers.values()),
        your_answer=invitation.answers.get(viewer),
        members=list(invitation.visible_members(viewer)),
        common_slots=[slot_label(s) for s in group.slots],
        reasons=group.reasons,
        sessions=[s["starts_at"] for s in planned if s.get("cancelled_at") is None],
    )


async def _member_group(
    uow: MatchingUow, group_id: UUID, principal: Principal, *, lock: bool = False
) -> GroupRow:
    group = await uow.peers.get_group(group_id, lock=lock)
    if group is None:
        raise UnknownGroup("Ce groupe n'existe pas.")
    if principal.sub not in group.answers and not principal.has_role(Role.OPERATOR):
        raise NotAllowed("Vous n'êtes pas invité dans ce groupe.")
    return group


async def get_group(uow: MatchingUow, principal: Principal, group_id: UUID) -> GroupOut:
    group = await _member_group(uow, group_id, principal)
    return await group_out(uow, group, principal.sub)


async def answer(
    uow: MatchingUow, principal: Principal, group_id: UUID, body: AnswerIn
) -> GroupOut:
    """Accept or decline one's place in the group (once)."""
    group = await uow.peers.get_group(group_id, lock=True)
    if group is None:
        raise UnknownGroup("Ce groupe n'existe pas.")
    try:
        invitation = invitation_of(group).respond(principal.sub, accept=body.accept)
    except InvitationError as exc:
        if principal.sub not in group.answers:
            raise NotAllowed("Vous n'êtes pas invité dans ce groupe.") from exc
        raise AlreadyAnswered("Vous avez déjà répondu.") from exc
    await uow.peers.set_answer(group_id, principal.sub, invitation.answers[principal.sub])
    if invitation.status is InvitationStatus.TOO_FEW:
        # Too many declines: the calls open again to recruit anew.
        await uow.peers.give_up(group)
    updated = await uow.peers.get_group(group_id)
    assert updated is not None
    return await group_out(uow, updated, principal.sub)


async def schedule(
    uow: MatchingUow, principal: Principal, group_id: UUID, body: ScheduleIn
) -> GroupOut:
    """The first session and 4–5 follow-ups at the group's rhythm (``session.scheduled.v1``)."""
    # Rights first: a stranger learns nothing from the body (404/403 before 422).
    group = await uow.peers.get_group(group_id, lock=True)
    if group is None:
        raise UnknownGroup("Ce groupe n'existe pas.")
    if group.answers.get(principal.sub) != Answer.ACCEPTED.value:
        raise NotAllowed("Seul un membre qui a accepté peut fixer les séances.")
    if not body.remote and body.place_label is None:
        raise PlaceRequired("Une séance sur place a besoin d'un lieu.")
    now = uow.now()
    if body.first_session_at <= now:
        raise PastSession("La première séance doit être dans le futur.")
    invitation = invitation_of(group)
    if invitation.status is not InvitationStatus.CONFIRMED:
        raise NotConfirmed("Le groupe n'est pas encore confirmé par tous ses membres.")
    if group.scheduled:
        raise AlreadyScheduled("Les séances de ce groupe sont déjà fixées.")
    members = list(invitation.visible_members(principal.sub))
    starts = session_times(
        body.first_session_at, every_weeks=body.every_weeks, follow_ups=body.follow_ups
    )
    for number, start in enumerate(starts, start=1):
        await sessions.publish(
            uow,
            events.session(
                session_id=uuid4(),
                kind=SessionKind.PEER_GROUP,
                related_id=group_id,
                title=f"Groupe d'entraide — {label(group.theme)} (séance {number}/{len(starts)})",
                starts_at=start,
                ends_at=start + timedelta(minutes=body.duration_minutes),
                participants=members,
                sirens=[],
                theme=group.theme,
                remote=body.remote,
                place_label=body.place_label,
                now=now,
            ),
            organiser=principal.sub,
        )
    await uow.peers.mark_scheduled(group_id)
    updated = await uow.peers.get_group(group_id)
    assert updated is not None
    return await group_out(uow, updated, principal.sub)
