"""Appels à pairs → groupes d'entraide: recruit, accept or decline, then the sessions."""

import zlib
from datetime import UTC, datetime, timedelta
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Query, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from deformations_common.auth import CurrentPrincipal, Principal
from deformations_common.errors import Conflict, Forbidden, NotFound, Unprocessable
from deformations_common.service import RuntimeDep
from deformations_contracts.events.sessions import SessionKind
from deformations_contracts.themes import ThemeCode, label
from deformations_contracts.types import InseeCode, Modality, TimeSlot
from deformations_matching import events
from deformations_matching.book import book_for
from deformations_matching.domain.invitations import (
    Answer,
    InvitationError,
    InvitationStatus,
    PeerInvitation,
    session_times,
)
from deformations_matching.domain.model import Availability
from deformations_matching.domain.peer_groups import PeerCandidate, recruit_peers
from deformations_matching.domain.slots import slot_label
from deformations_matching.locate import departement_of
from deformations_matching.repositories import peers, plans, proposals, read_models
from deformations_matching.repositories.peers import CallRow, GroupRow
from deformations_matching.repositories.read_models import DiagnosisRow

router = APIRouter(prefix="/v1", tags=["peer groups"])

# Axis of the diagnosis saying how networked an élu is (0 isolated → 100 in networks).
NETWORK_AXES = ("reseau", "isole_en_reseau")
IN_NETWORK_FROM = 66.0
MAX_CANDIDATES = 300


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


def _call_out(call: CallRow, viewer: str | None) -> PeerCallOut:
    shown = None if call.anonymous and viewer != call.person_id else call.person_id
    return PeerCallOut(
        call_id=call.call_id,
        theme=call.theme,
        theme_label=label(call.theme),
        problem=call.problem,
        caller=shown,
        status=call.status,
        created_at=call.created_at,
    )


def _in_network(diagnosis: DiagnosisRow | None) -> bool:
    if diagnosis is None:
        return False
    scores = [diagnosis.axis_scores[a] for a in NETWORK_AXES if a in diagnosis.axis_scores]
    return bool(scores) and scores[0] >= IN_NETWORK_FROM


def _axes(diagnosis: DiagnosisRow | None) -> list[float]:
    if diagnosis is None:
        return []
    return [diagnosis.axis_scores[k] / 100.0 for k in sorted(diagnosis.axis_scores)]


@router.post("/peer-calls", status_code=status.HTTP_201_CREATED)
async def post_call(
    body: PeerCallIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> PeerCallOut:
    """Post an appel à pairs, openly or anonymously; your diagnosis fills what you omit."""
    principal.require("elected")
    async with runtime.transaction() as conn:
        diagnosis = (await read_models.latest_diagnoses(conn, [principal.sub])).get(principal.sub)
        slots = body.time_slots
        if slots is None:
            slots = [TimeSlot(s) for s in diagnosis.time_slots] if diagnosis else []
        modality = body.modality or (Modality(diagnosis.modality) if diagnosis else Modality.EITHER)
        call = CallRow(
            call_id=uuid4(),
            person_id=principal.sub,
            theme=body.theme,
            problem=body.problem,
            anonymous=body.anonymous,
            commune_insee=body.commune_insee or (diagnosis.commune_insee if diagnosis else None),
            family=diagnosis.family if diagnosis else "inconnue",
            axes=_axes(diagnosis),
            time_slots=[s.value for s in slots],
            modality=modality.value,
            in_network=body.in_network if body.in_network is not None else _in_network(diagnosis),
            status="open",
            created_at=datetime.now(UTC),
        )
        await peers.insert_call(conn, call)
    return _call_out(call, principal.sub)


@router.get("/peer-calls")
async def list_calls(
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    theme: ThemeCode | None = None,
    limit: int = Query(default=50, ge=1, le=500),
) -> list[PeerCallOut]:
    """Open appels à pairs; the author of an anonymous call is not shown."""
    async with runtime.pool.acquire() as conn:
        calls = await peers.open_calls(conn, theme, limit)
    return [_call_out(c, principal.sub) for c in calls]


def _candidate(call: CallRow) -> PeerCandidate:
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
        axes=tuple(_axes(row)),
        availability=Availability(frozenset(row.time_slots), Modality(row.modality)),
        in_network=_in_network(row),
    )


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


def _invitation(group: GroupRow) -> PeerInvitation:
    answers = {p: Answer(a) for p, a in sorted(group.answers.items())}
    return PeerInvitation(str(group.group_id), answers, group.anonymous, group.min_size)


async def _group_out(runtime: RuntimeDep, group: GroupRow, viewer: str) -> GroupOut:
    invitation = _invitation(group)
    async with runtime.pool.acquire() as conn:
        sessions = await plans.sessions_of(conn, group.group_id)
    answer = invitation.answers.get(viewer)
    return GroupOut(
        group_id=group.group_id,
        call_id=group.call_id,
        theme=group.theme,
        theme_label=label(group.theme),
        status=invitation.status,
        size=len(group.answers),
        accepted=sum(a is Answer.ACCEPTED for a in invitation.answers.values()),
        your_answer=answer,
        members=list(invitation.visible_members(viewer)),
        common_slots=[slot_label(s) for s in group.slots],
        reasons=group.reasons,
        sessions=[s["starts_at"] for s in sessions],
    )


@router.post("/peer-calls/{call_id}/group", status_code=status.HTTP_201_CREATED)
async def form_group(call_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal) -> GroupOut:
    """Recruit 4–5 élus with the same difficulty and a common slot around this call.

    Everyone is asked to accept or decline (``match.proposed.v1``, kind peer_group); names
    of an anonymous call are revealed once all accepted."""
    now = datetime.now(UTC)
    async with runtime.transaction() as conn:
        call = await peers.get_call(conn, call_id, lock=True)
        if call is None:
            raise NotFound("Cet appel à pairs n'existe pas.", code="unknown_call")
        if call.person_id != principal.sub and not principal.has_role("operator"):
            raise Forbidden("Seul l'auteur de l'appel peut lancer la constitution du groupe.")
        if call.status != "open":
            raise Conflict("Un groupe est déjà proposé pour cet appel.", code="already_grouped")
        busy = await peers.busy_people(conn, call.theme)
        callers = await peers.open_calls(conn, call.theme, MAX_CANDIDATES)
        candidates = list(
            {c.person_id: _candidate(c) for c in callers if c.person_id not in busy}.values()
        )
        exclude = [*busy, *(c.person_id for c in callers)]
        departement = None
        if call.commune_insee:
            departement = await _departement(runtime, call.commune_insee)
        diagnosed = await read_models.diagnosed_on_theme(
            conn, call.theme, departement, exclude=exclude, limit=MAX_CANDIDATES
        )
        candidates += [_diagnosed(d, call.theme) for d in diagnosed]
        seed = zlib.crc32(call_id.bytes)
        group = recruit_peers(_candidate(call), candidates, seed=seed)
        if group is None:
            raise Conflict(
                "Pas encore assez d'élus disponibles sur ce thème avec un créneau commun : "
                "l'appel reste ouvert.",
                code="too_few_peers",
            )
        group_id = uuid4()
        answers = {p: ("accepted" if p == call.person_id else "pending") for p in group.members}
        row = GroupRow(
            group_id=group_id,
            call_id=call_id,
            theme=call.theme,
            anonymous=call.anonymous,
            min_size=4,
            slots=list(group.slots),
            modalities=[m.value for m in group.modalities],
            reasons=[r.text for r in group.reasons],
            scheduled=False,
            answers=answers,
        )
        await peers.insert_group(conn, row, now)
        await peers.set_call_status(
            conn, [call_id, *await peers.calls_of(conn, call.theme, list(group.members))], "grouped"
        )
        event = events.peer_group(
            group_id=group_id,
            call_id=call_id,
            theme=call.theme,
            members=group.members,
            reasons=group.reasons,
            now=now,
        )
        await proposals.insert_proposal(conn, event)
        await runtime.emit(conn, event)
    return await _group_out(runtime, row, principal.sub)


async def _departement(runtime: RuntimeDep, insee: str) -> str | None:
    return departement_of(book_for(runtime.settings).geography, insee)


async def _member_group(runtime: RuntimeDep, group_id: UUID, principal: Principal) -> GroupRow:
    async with runtime.pool.acquire() as conn:
        group = await peers.get_group(conn, group_id)
    if group is None:
        raise NotFound("Ce groupe n'existe pas.", code="unknown_group")
    if principal.sub not in group.answers and not principal.has_role("operator"):
        raise Forbidden("Vous n'êtes pas invité dans ce groupe.")
    return group


@router.get("/peer-groups/{group_id}")
async def get_group(group_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal) -> GroupOut:
    group = await _member_group(runtime, group_id, principal)
    return await _group_out(runtime, group, principal.sub)


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    accept: bool


@router.post("/peer-groups/{group_id}/answer")
async def answer(
    group_id: UUID, body: AnswerIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> GroupOut:
    """Accept or decline your place in the group (once)."""
    async with runtime.transaction() as conn:
        group = await peers.get_group(conn, group_id, lock=True)
        if group is None:
            raise NotFound("Ce groupe n'existe pas.", code="unknown_group")
        try:
            invitation = _invitation(group).respond(principal.sub, accept=body.accept)
        except InvitationError as exc:
            if principal.sub not in group.answers:
                raise Forbidden("Vous n'êtes pas invité dans ce groupe.") from exc
            raise Conflict("Vous avez déjà répondu.", code="already_answered") from exc
        await peers.set_answer(conn, group_id, principal.sub, invitation.answers[principal.sub])
        if invitation.status is InvitationStatus.TOO_FEW:
            # Too many declines: the calls open again to recruit anew.
            await peers.give_up(conn, group)
        updated = await peers.get_group(conn, group_id)
    assert updated is not None
    return await _group_out(runtime, updated, principal.sub)


class ScheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_session_at: AwareDatetime
    every_weeks: int = Field(default=4, ge=1, le=8, description="Rhythm chosen by the group.")
    follow_ups: int = Field(default=4, ge=4, le=5)
    duration_minutes: int = Field(default=90, ge=30, le=240)
    remote: bool = False
    place_label: Annotated[str, StringConstraints(min_length=3, max_length=200)] | None = None


@router.post("/peer-groups/{group_id}/sessions", status_code=status.HTTP_201_CREATED)
async def schedule(
    group_id: UUID, body: ScheduleIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> GroupOut:
    """The first session and 4–5 follow-ups at the group's rhythm (``session.scheduled.v1``)."""
    if not body.remote and body.place_label is None:
        raise Unprocessable("Une séance sur place a besoin d'un lieu.", code="place_required")
    now = datetime.now(UTC)
    if body.first_session_at <= now:
        raise Unprocessable("La première séance doit être dans le futur.", code="past_session")
    async with runtime.transaction() as conn:
        group = await peers.get_group(conn, group_id, lock=True)
        if group is None:
            raise NotFound("Ce groupe n'existe pas.", code="unknown_group")
        if group.answers.get(principal.sub) != Answer.ACCEPTED.value:
            raise Forbidden("Seul un membre qui a accepté peut fixer les séances.")
        invitation = _invitation(group)
        if invitation.status is not InvitationStatus.CONFIRMED:
            raise Conflict(
                "Le groupe n'est pas encore confirmé par tous ses membres.", code="not_confirmed"
            )
        if group.scheduled:
            raise Conflict("Les séances de ce groupe sont déjà fixées.", code="already_scheduled")
        members = list(invitation.visible_members(principal.sub))
        starts = session_times(
            body.first_session_at, every_weeks=body.every_weeks, follow_ups=body.follow_ups
        )
        for number, start in enumerate(starts, start=1):
            session_id = uuid4()
            end = start + timedelta(minutes=body.duration_minutes)
            await plans.insert_session(
                conn,
                session_id=session_id,
                kind=SessionKind.PEER_GROUP.value,
                related_id=group_id,
                starts_at=start,
                ends_at=end,
                participants=members,
            )
            await runtime.emit(
                conn,
                events.session(
                    session_id=session_id,
                    kind=SessionKind.PEER_GROUP,
                    related_id=group_id,
                    title=(
                        f"Groupe d'entraide — {label(group.theme)} (séance {number}/{len(starts)})"
                    ),
                    starts_at=start,
                    ends_at=end,
                    participants=members,
                    sirens=[],
                    theme=group.theme,
                    remote=body.remote,
                    place_label=body.place_label,
                    now=now,
                ),
            )
        await peers.mark_scheduled(conn, group_id)
        updated = await peers.get_group(conn, group_id)
    assert updated is not None
    return await _group_out(runtime, updated, principal.sub)
