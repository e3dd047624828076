"""Appels à pairs: post one, list the open ones, recruit a groupe d'entraide around one."""

import zlib
from dataclasses import replace
from datetime import datetime
from typing import Annotated
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from deformations_common.auth import Principal
from deformations_common.vocabulary.roles import Role
from deformations_contracts.themes import ThemeCode, label
from deformations_contracts.types import InseeCode, Modality, TimeSlot
from deformations_matching import events
from deformations_matching.domain.errors import (
    AlreadyGrouped,
    CallHidden,
    CallOutsideScope,
    CallWithdrawn,
    CommuneOutsideScope,
    NotAllowed,
    OwnCall,
    TooFewPeers,
    UnknownCall,
)
from deformations_matching.domain.locate import departement_of
from deformations_matching.domain.model import Availability
from deformations_matching.domain.peer_groups import PeerCandidate, recruit_peers
from deformations_matching.domain.territory import peers_within
from deformations_matching.repositories.diagnoses import DiagnosisRow
from deformations_matching.repositories.peers import CallRow, GroupRow
from deformations_matching.service.peer_groups import GroupOut, group_out
from deformations_matching.service.uow import MatchingUow

# Axis of the diagnosis saying how networked an élu is (0 isolated → 100 in networks).
NETWORK_AXES = ("reseau", "isole_en_reseau")
IN_NETWORK_FROM = 66.0
MAX_CANDIDATES = 300
MIN_GROUP_SIZE = 4


class PeerCallIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    theme: ThemeCode
    problem: Annotated[str, StringConstraints(min_length=10, max_length=2000)]
    anonymous: bool = True
    commune_insee: InseeCode | None = None
    time_slots: list[TimeSlot] | None = Field(
        default=None, description="Omitted: taken from your latest diagnosis."
    )
    modality: Modality | None = None
    in_network: bool | None = Field(
        default=None, description="Already in a transition network (default: from diagnosis)."
    )


class PeerCallOut(BaseModel):
    call_id: UUID
    theme: str
    theme_label: str
    problem: str
    caller: str | None = Field(description="Hidden (null) for an anonymous call.")
    status: str
    created_at: datetime
    hidden: bool = Field(default=False, description="Hidden by an operator (its author only).")
    hidden_reason: str | None = Field(default=None, description="Why, told to its author.")
    joins: UUID | None = Field(
        default=None, description="The call this one joined (« Rejoindre cet appel »)."
    )


def call_out(call: CallRow, viewer: str | None) -> PeerCallOut:
    shown = None if call.anonymous and viewer != call.person_id else call.person_id
    mine = viewer == call.person_id
    return PeerCallOut(
        call_id=call.call_id,
        theme=call.theme,
        theme_label=label(call.theme),
        problem=call.problem,
        caller=shown,
        status=call.status,
        created_at=call.created_at,
        hidden=call.hidden and mine,
        hidden_reason=call.hidden_reason if mine else None,
        joins=call.joins,
    )


def in_network(diagnosis: DiagnosisRow | None) -> bool:
    if diagnosis is None:
        return False
    scores = [diagnosis.axis_scores[a] for a in NETWORK_AXES if a in diagnosis.axis_scores]
    return bool(scores) and scores[0] >= IN_NETWORK_FROM


def axes(diagnosis: DiagnosisRow | None) -> list[float]:
    if diagnosis is None:
        return []
    return [diagnosis.axis_scores[k] / 100.0 for k in sorted(diagnosis.axis_scores)]


async def post_call(uow: MatchingUow, principal: Principal, body: PeerCallIn) -> PeerCallOut:
    """Post an appel à pairs, openly or anonymously; the diagnosis fills what is omitted."""
    principal.require(Role.ELECTED)
    call = await _new_call(uow, principal.sub, body)
    if not uow.scope.may_propose_person_at(uow.geography, call.commune_insee):
        raise CommuneOutsideScope(
            "Les appels à pairs réunissent des élus de la région "
            f"{uow.scope.region_name(uow.geography)} : votre commune n'en est pas.",
            commune_insee=call.commune_insee,
        )
    await uow.peers.insert_call(call)
    return call_out(call, principal.sub)


def _require_in_scope(uow: MatchingUow, call: CallRow) -> None:
    if not uow.scope.may_propose_person_at(uow.geography, call.commune_insee):
        raise CallOutsideScope(
            "Cet appel vient d'une commune hors de la région "
            f"{uow.scope.region_name(uow.geography)} : la plateforme n'y propose pas de groupe."
        )


async def _new_call(
    uow: MatchingUow, person_id: str, body: PeerCallIn, joins: UUID | None = None
) -> CallRow:
    diagnosis = (await uow.diagnoses.latest_diagnoses([person_id])).get(person_id)
    slots = body.time_slots
    if slots is None:
        slots = [TimeSlot(s) for s in diagnosis.time_slots] if diagnosis else []
    modality = body.modality or (Modality(diagnosis.modality) if diagnosis else Modality.EITHER)
    return CallRow(
        call_id=uuid4(),
        person_id=person_id,
        theme=body.theme,
        problem=body.problem,
        anonymous=body.anonymous,
        commune_insee=body.commune_insee or (diagnosis.commune_insee if diagnosis else None),
        family=diagnosis.family if diagnosis else "inconnue",
        axes=axes(diagnosis),
        time_slots=[s.value for s in slots],
        modality=modality.value,
        in_network=body.in_network if body.in_network is not None else in_network(diagnosis),
        status="open",
        created_at=uow.now(),
        joins=joins,
    )


async def join_call(
    uow: MatchingUow, principal: Principal, call_id: UUID
) -> tuple[PeerCallOut, bool]:
    """Join someone's open appel à pairs: one's own anonymous call on its theme, from one's
    diagnosis, that its group recruits first. Joining again changes nothing; after
    withdrawing, it opens again. Returns the joiner's call and whether it was opened now."""
    principal.require(Role.ELECTED)
    call = await uow.peers.get_call(call_id, lock=True)  # one join at a time per call
    if call is None or (call.joins is not None and call.person_id != principal.sub):
        raise UnknownCall("Cet appel à pairs n'existe pas.")
    if call.person_id == principal.sub:
        raise OwnCall("C'est votre propre appel : constituez le groupe quand vous le souhaitez.")
    joined = await uow.peers.join_of(call_id, principal.sub)
    if joined is not None and joined.status != "withdrawn":
        return call_out(joined, principal.sub), False
    if call.status == "withdrawn":
        raise CallWithdrawn("Cet appel a été retiré par son auteur.")
    if call.status != "open":
        raise AlreadyGrouped(
            "Un groupe est déjà formé pour cet appel : lancez le vôtre sur ce thème."
        )
    _require_in_scope(uow, call)
    if joined is not None:
        await uow.peers.set_call_status([joined.call_id], "open")
        return call_out(replace(joined, status="open"), principal.sub), True
    body = PeerCallIn(theme=call.theme, problem=call.problem)
    mine = await _new_call(uow, principal.sub, body, joins=call_id)
    await uow.peers.insert_call(mine)
    return call_out(mine, principal.sub), True


async def list_calls(
    uow: MatchingUow, principal: Principal, theme: str | None, limit: int
) -> list[PeerCallOut]:
    """Open appels à pairs; the author of an anonymous call is not shown. A call hidden by an
    operator is listed to its author only, marked with the reason; a call joining another is
    shown to its author only: to others, it is the call it joined. A call from outside the
    platform's territory is shown to its author only."""
    calls = await uow.peers.open_calls(theme, limit, shown_to=principal.sub)
    scope, geography = uow.scope, uow.geography
    return [
        call_out(c, principal.sub)
        for c in calls
        if c.person_id == principal.sub
        or (c.joins is None and scope.may_propose_person_at(geography, c.commune_insee))
    ]


async def withdraw_call(uow: MatchingUow, principal: Principal, call_id: UUID) -> PeerCallOut:
    """The author withdraws an open call; once grouped, one leaves the group instead."""
    call = await uow.peers.get_call(call_id, lock=True)
    if call is None:
        raise UnknownCall("Cet appel à pairs n'existe pas.")
    if call.person_id != principal.sub and not principal.has_role(Role.OPERATOR):
        raise NotAllowed("Seul l'auteur de l'appel peut le retirer.")
    if call.status == "withdrawn":
        raise CallWithdrawn("Cet appel est déjà retiré.")
    if call.status != "open":
        raise AlreadyGrouped(
            "Un groupe est déjà proposé pour cet appel : quittez le groupe plutôt."
        )
    # Its joiners' calls repeat its words: they go with it.
    joins = [j.call_id for j in await uow.peers.open_joins(call_id)]
    await uow.peers.set_call_status([call_id, *joins], "withdrawn")
    return call_out(replace(call, status="withdrawn"), principal.sub)


def candidate_of(call: CallRow) -> PeerCandidate:
    return PeerCandidate(
        person_id=call.person_id,
        commune_insee=call.commune_insee or "inconnue",
        theme=call.theme,
        family=call.family,
        axes=tuple(call.axes),
        availability=Availability(frozenset(call.time_slots), Modality(call.modality)),
        in_network=call.in_network,
    )


def _diagnosed(row: DiagnosisRow, theme: str) -> PeerCandidate:
    return PeerCandidate(
        person_id=row.person_id,
        commune_insee=row.commune_insee or "inconnue",
        theme=theme,
        family=row.family,
        axes=tuple(axes(row)),
        availability=Availability(frozenset(row.time_slots), Modality(row.modality)),
        in_network=in_network(row),
    )


async def form_group(uow: MatchingUow, principal: Principal, call_id: UUID) -> GroupOut:
    """Recruit 4–5 élus with the same difficulty and a common slot around this call.

    Everyone is asked to accept or decline (``match.proposed.v1``, kind peer_group); names
    of an anonymous call are revealed once all accepted."""
    now = uow.now()
    call = await uow.peers.get_call(call_id, lock=True)
    if call is None:
        raise UnknownCall("Cet appel à pairs n'existe pas.")
    if call.person_id != principal.sub and not principal.has_role(Role.OPERATOR):
        raise NotAllowed("Seul l'auteur de l'appel peut lancer la constitution du groupe.")
    if call.status != "open":
        raise AlreadyGrouped("Un groupe est déjà proposé pour cet appel.")
    if call.hidden:
        raise CallHidden("Cet appel est masqué par l'équipe de la plateforme : aucun groupe.")
    _require_in_scope(uow, call)
    busy = await uow.peers.busy_people(call.theme)
    callers = await uow.peers.open_calls(call.theme, MAX_CANDIDATES)
    candidates = list(
        {c.person_id: candidate_of(c) for c in callers if c.person_id not in busy}.values()
    )
    exclude = [*busy, *(c.person_id for c in callers)]
    departement = departement_of(uow.geography, call.commune_insee)
    scope = uow.scope
    diagnosed = await uow.diagnoses.diagnosed_on_theme(
        call.theme,
        departement,
        exclude=exclude,
        limit=MAX_CANDIDATES,
        within=sorted(scope.departements) if scope.limits_proposals else None,
    )
    candidates += [_diagnosed(d, call.theme) for d in diagnosed]
    candidates = peers_within(scope, uow.geography, candidates)
    joiners = {j.person_id for j in await uow.peers.open_joins(call_id)}
    group = recruit_peers(
        candidate_of(call), candidates, seed=zlib.crc32(call_id.bytes), preferred=joiners
    )
    if group is None:
        raise TooFewPeers(
            "Pas encore assez d'élus disponibles sur ce thème avec un créneau commun : "
            "l'appel reste ouvert."
        )
    answers = {p: ("accepted" if p == call.person_id else "pending") for p in group.members}
    row = GroupRow(
        group_id=uuid4(),
        call_id=call_id,
        theme=call.theme,
        anonymous=call.anonymous,
        min_size=MIN_GROUP_SIZE,
        slots=list(group.slots),
        modalities=[m.value for m in group.modalities],
        reasons=[r.text for r in group.reasons],
        scheduled=False,
        answers=answers,
        caller=call.person_id,
    )
    await uow.peers.insert_group(row, now)
    grouped = await uow.peers.calls_of(call.theme, list(group.members))
    await uow.peers.set_call_status([call_id, *grouped], "grouped")
    event = events.peer_group(
        group_id=row.group_id,
        call_id=call_id,
        theme=call.theme,
        members=group.members,
        accepted=[call.person_id],
        reasons=group.reasons,
        now=now,
    )
    await uow.proposals.insert_proposal(event)
    await uow.emit(event)
    return await group_out(uow, row, principal.sub)
