"""The non-conférence's open space: call for contributions, agenda, notes, demonstrators."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, status
from pydantic import AwareDatetime, BaseModel, Field

from deformations_common.auth import CurrentPrincipal
from deformations_training.api.common import RuntimeDep, actor
from deformations_training.api.schemas import In, PersonId, Siren
from deformations_training.domain.open_space import Contribution, Demonstrator, OpenSpace, Proposal
from deformations_training.service import open_space
from deformations_training.service.uow import TrainingUow

router = APIRouter(prefix="/v1/programmes/{programme_id}/open-space", tags=["non-conférence"])


class ContributionIn(In):
    title: str = Field(max_length=200)
    pitch: str = Field(default="", max_length=2000)


class SlotIn(In):
    starts_at: AwareDatetime
    ends_at: AwareDatetime


class FrameIn(In):
    rooms: list[str] = Field(min_length=1, max_length=12)
    slots: list[SlotIn] = Field(min_length=1, max_length=8)


class ProposalIn(In):
    title: str = Field(max_length=200)
    contribution_id: UUID | None = None


class VoteIn(In):
    wanted: bool = True


class PlaceIn(In):
    slot_id: UUID | None
    room: str | None = Field(max_length=80)


class NoteIn(In):
    text: str = Field(max_length=5000)


class DemonstratorIn(In):
    title: str = Field(max_length=200)
    carriers: list[PersonId] = Field(min_length=1, max_length=20)
    collectivite_sirens: list[Siren] = Field(default_factory=list, max_length=20)


class ContributionOut(BaseModel):
    id: UUID
    author_id: str
    title: str
    pitch: str
    submitted_at: datetime

    @classmethod
    def of(cls, c: Contribution) -> ContributionOut:
        return cls(
            id=c.id,
            author_id=c.author_id,
            title=c.title,
            pitch=c.pitch,
            submitted_at=c.submitted_at,
        )


class SlotOut(BaseModel):
    id: UUID
    starts_at: datetime
    ends_at: datetime


class ProposalOut(BaseModel):
    id: UUID
    author_id: str
    title: str
    contribution_id: UUID | None
    votes: int
    voters: list[str]
    slot_id: UUID | None
    room: str | None
    attendees: list[str]
    notes: list[str]

    @classmethod
    def of(cls, p: Proposal) -> ProposalOut:
        return cls(
            id=p.id,
            author_id=p.author_id,
            title=p.title,
            contribution_id=p.contribution_id,
            votes=len(p.voters),
            voters=p.voters,
            slot_id=p.slot_id,
            room=p.room,
            attendees=p.attendees,
            notes=p.notes,
        )


class DemonstratorOut(BaseModel):
    id: UUID
    proposal_id: UUID
    title: str
    carriers: list[str]
    collectivite_sirens: list[str]

    @classmethod
    def of(cls, d: Demonstrator) -> DemonstratorOut:
        return cls(
            id=d.id,
            proposal_id=d.proposal_id,
            title=d.title,
            carriers=d.carriers,
            collectivite_sirens=d.collectivite_sirens,
        )


class OpenSpaceOut(BaseModel):
    call_open: bool
    rooms: list[str]
    slots: list[SlotOut]
    contributions: list[ContributionOut]
    proposals: list[ProposalOut]
    # The agenda: one row per slot, one column per room; a proposal id or null.
    agenda: list[list[UUID | None]]
    demonstrators: list[DemonstratorOut]

    @classmethod
    def of(cls, s: OpenSpace) -> OpenSpaceOut:
        return cls(
            call_open=s.call_open,
            rooms=s.rooms,
            slots=[SlotOut(id=x.id, starts_at=x.starts_at, ends_at=x.ends_at) for x in s.slots],
            contributions=[ContributionOut.of(c) for c in s.contributions],
            proposals=[ProposalOut.of(p) for p in s.proposals],
            agenda=[[p.id if p else None for p in row] for row in s.grid()],
            demonstrators=[DemonstratorOut.of(d) for d in s.demonstrators],
        )


@router.get("")
async def view(
    programme_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> OpenSpaceOut:
    async with runtime.begin(TrainingUow) as uow:
        return OpenSpaceOut.of(await open_space.view(uow, actor(principal), programme_id))


@router.post("/contributions", status_code=status.HTTP_201_CREATED)
async def contribute(
    programme_id: UUID, body: ContributionIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> ContributionOut:
    """Répondre à l'appel à contributions."""
    async with runtime.begin(TrainingUow) as uow:
        found = await open_space.contribute(
            uow, actor(principal), programme_id, title=body.title, pitch=body.pitch
        )
        return ContributionOut.of(found)


@router.post("/call/close")
async def close_call(
    programme_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> OpenSpaceOut:
    async with runtime.begin(TrainingUow) as uow:
        return OpenSpaceOut.of(await open_space.close_call(uow, actor(principal), programme_id))


@router.put("/frame")
async def set_frame(
    programme_id: UUID, body: FrameIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> OpenSpaceOut:
    """Les salles et les créneaux de la demi-journée."""
    async with runtime.begin(TrainingUow) as uow:
        space = await open_space.set_frame(
            uow,
            actor(principal),
            programme_id,
            rooms=body.rooms,
            slots=[(s.starts_at, s.ends_at) for s in body.slots],
        )
        return OpenSpaceOut.of(space)


@router.post("/proposals", status_code=status.HTTP_201_CREATED)
async def propose(
    programme_id: UUID, body: ProposalIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> ProposalOut:
    async with runtime.begin(TrainingUow) as uow:
        found = await open_space.propose(
            uow,
            actor(principal),
            programme_id,
            title=body.title,
            contribution_id=body.contribution_id,
        )
        return ProposalOut.of(found)


@router.post("/proposals/{proposal_id}/vote")
async def vote(
    programme_id: UUID,
    proposal_id: UUID,
    body: VoteIn,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
) -> ProposalOut:
    async with runtime.begin(TrainingUow) as uow:
        found = await open_space.vote(
            uow, actor(principal), programme_id, proposal_id, wanted=body.wanted
        )
        return ProposalOut.of(found)


@router.post("/agenda")
async def build_agenda(
    programme_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> OpenSpaceOut:
    """Construire l'agenda du jour à partir des votes."""
    async with runtime.begin(TrainingUow) as uow:
        return OpenSpaceOut.of(await open_space.build_agenda(uow, actor(principal), programme_id))


@router.post("/proposals/{proposal_id}/place")
async def place(
    programme_id: UUID,
    proposal_id: UUID,
    body: PlaceIn,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
) -> OpenSpaceOut:
    async with runtime.begin(TrainingUow) as uow:
        space = await open_space.place(
            uow, actor(principal), programme_id, proposal_id, slot_id=body.slot_id, room=body.room
        )
        return OpenSpaceOut.of(space)


@router.post("/proposals/{proposal_id}/join")
async def join(
    programme_id: UUID, proposal_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> ProposalOut:
    """Voter avec ses pieds : rejoindre un atelier (et quitter l'autre du même créneau)."""
    async with runtime.begin(TrainingUow) as uow:
        found = await open_space.join(uow, actor(principal), programme_id, proposal_id)
        return ProposalOut.of(found)


@router.post("/proposals/{proposal_id}/notes", status_code=status.HTTP_201_CREATED)
async def add_note(
    programme_id: UUID,
    proposal_id: UUID,
    body: NoteIn,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
) -> ProposalOut:
    async with runtime.begin(TrainingUow) as uow:
        found = await open_space.add_note(
            uow, actor(principal), programme_id, proposal_id, body.text
        )
        return ProposalOut.of(found)


@router.post("/proposals/{proposal_id}/demonstrators", status_code=status.HTTP_201_CREATED)
async def add_demonstrator(
    programme_id: UUID,
    proposal_id: UUID,
    body: DemonstratorIn,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
) -> DemonstratorOut:
    """Un projet démonstrateur identifié dans un atelier."""
    async with runtime.begin(TrainingUow) as uow:
        found = await open_space.add_demonstrator(
            uow,
            actor(principal),
            programme_id,
            proposal_id,
            title=body.title,
            carriers=body.carriers,
            collectivite_sirens=body.collectivite_sirens,
        )
        return DemonstratorOut.of(found)
