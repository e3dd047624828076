"""Leaving a groupe d'entraide: below four, a replacement is recruited from open calls.

The replacement is proposed like the original members (``match.proposed.v1``, peer_group,
with everyone still in): they accept or decline, and names stay hidden until all accept.
"""

from uuid import UUID, uuid5

from deformations_common.auth import Principal
from deformations_contracts.types import Modality
from deformations_matching import events
from deformations_matching.domain.errors import NotAllowed, NotAMember, UnknownGroup
from deformations_matching.domain.invitations import Answer, InvitationError
from deformations_matching.domain.peer_groups import replacements
from deformations_matching.domain.scoring import Reason
from deformations_matching.domain.territory import peers_within
from deformations_matching.service.peer_calls import MAX_CANDIDATES, candidate_of
from deformations_matching.service.peer_groups import GroupOut, group_out, invitation_of
from deformations_matching.service.uow import MatchingUow


async def leave(uow: MatchingUow, principal: Principal, group_id: UUID) -> GroupOut:
    """Leave the group one accepted; recruit replacements if it falls below its minimum."""
    group = await uow.peers.get_group(group_id, lock=True)
    if group is None:
        raise UnknownGroup("Ce groupe n'existe pas.")
    if principal.sub not in group.answers:
        raise NotAllowed("Vous n'êtes pas membre de ce groupe.")
    try:
        invitation = invitation_of(group).leave(principal.sub)
    except InvitationError as exc:
        raise NotAMember(
            "Seul un membre qui a accepté peut quitter le groupe (sinon, déclinez)."
        ) from exc
    await uow.peers.set_answer(group_id, principal.sub, "left")
    still_in = invitation.still_in
    needed = group.min_size - len(still_in)
    if needed > 0:
        busy = set(await uow.peers.busy_people(group.theme)) | set(group.answers)
        open_calls = await uow.peers.open_calls(group.theme, MAX_CANDIDATES)
        candidates = peers_within(
            uow.scope,
            uow.geography,
            {c.person_id: candidate_of(c) for c in open_calls if c.person_id not in busy}.values(),
        )
        modalities = [Modality(m) for m in group.modalities]
        chosen = replacements(group.slots, modalities, candidates, needed)
        if chosen:
            recruits = [c.person_id for c in chosen]
            slots = [
                s
                for s in group.slots
                if all(not c.availability.slots or s in c.availability.slots for c in chosen)
            ]
            await uow.peers.add_members(group_id, recruits, slots)
            await uow.peers.set_call_status(
                await uow.peers.calls_of(group.theme, recruits), "grouped"
            )
            event = events.peer_group(
                group_id=uuid5(group_id, ",".join(sorted(recruits))),
                call_id=group.call_id,
                theme=group.theme,
                members=[*still_in, *recruits],
                accepted=[p for p in still_in if invitation.answers[p] is Answer.ACCEPTED],
                reasons=(
                    Reason("replacement", "Une place s'est libérée dans un groupe d'entraide"),
                    *(Reason("group", r) for r in group.reasons[:3]),
                ),
                now=uow.now(),
            )
            await uow.proposals.insert_proposal(event)
            await uow.emit(event)
    updated = await uow.peers.get_group(group_id)
    assert updated is not None
    return await group_out(uow, updated, principal.sub)
