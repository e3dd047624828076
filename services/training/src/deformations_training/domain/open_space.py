"""The non-conférence (booklet, thématique 10): a half-day where everyone contributes.

Before the day, a call for contributions gathers subjects. On the day, the facilitator
sets the rooms and the time slots; anyone proposes a workshop (from a contribution or
new) and votes for the proposals they want; the agenda (slots × rooms) is built from the
votes, most wanted first, and the facilitator can still move a workshop to a free cell.
People then « vote with their feet »: each joins one workshop per slot and may move to
another. Each workshop keeps its notes; the demonstrator projects identified are listed
with who carries them. The satisfaction survey is the programme's closing review.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from deformations_training.domain.errors import (
    InvalidTrainingInput,
    InvalidTransition,
    NotFound,
)

NON_CONFERENCE = "t10_non_conference"
MAX_ROOMS = 12
MAX_SLOTS = 8
MAX_PROPOSALS = 120


def _text(value: str, low: int, high: int, what: str) -> str:
    cleaned = value.strip()
    if not low <= len(cleaned) <= high:
        raise InvalidTrainingInput(f"{what} compte de {low} à {high} caractères.")
    return cleaned


@dataclass(slots=True)
class Contribution:
    id: UUID
    author_id: str
    title: str
    pitch: str
    submitted_at: datetime


@dataclass(slots=True)
class Slot:
    id: UUID
    starts_at: datetime
    ends_at: datetime


@dataclass(slots=True)
class Proposal:
    id: UUID
    author_id: str
    title: str
    contribution_id: UUID | None
    voters: list[str] = field(default_factory=list)
    # Where the agenda put it: (slot, room), or nowhere yet.
    slot_id: UUID | None = None
    room: str | None = None
    attendees: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def placed(self) -> bool:
        return self.slot_id is not None


@dataclass(slots=True)
class Demonstrator:
    id: UUID
    proposal_id: UUID
    title: str
    carriers: list[str]
    collectivite_sirens: list[str]


@dataclass(slots=True)
class OpenSpace:
    programme_id: UUID
    call_open: bool = True
    rooms: list[str] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)
    contributions: list[Contribution] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    demonstrators: list[Demonstrator] = field(default_factory=list)

    # -- before the day -------------------------------------------------------------------

    def contribute(self, contribution: Contribution) -> None:
        if not self.call_open:
            raise InvalidTransition("L'appel à contributions est clos.")
        contribution.title = _text(contribution.title, 3, 200, "Le titre")
        contribution.pitch = _text(contribution.pitch, 0, 2000, "La présentation")
        self.contributions.append(contribution)

    def close_call(self) -> None:
        self.call_open = False

    # -- the frame of the day -------------------------------------------------------------

    def set_frame(self, rooms: list[str], slots: list[Slot]) -> None:
        if any(p.placed for p in self.proposals):
            raise InvalidTransition("L'agenda est déjà construit : retirez-le avant.")
        names = [_text(r, 2, 80, "Le nom d'une salle") for r in rooms]
        if not 1 <= len(names) <= MAX_ROOMS or len(set(names)) != len(names):
            raise InvalidTrainingInput(f"De 1 à {MAX_ROOMS} salles, chacune nommée une fois.")
        if not 1 <= len(slots) <= MAX_SLOTS:
            raise InvalidTrainingInput(f"De 1 à {MAX_SLOTS} créneaux.")
        ordered = sorted(slots, key=lambda s: s.starts_at)
        for slot in ordered:
            if slot.ends_at <= slot.starts_at or slot.ends_at - slot.starts_at > timedelta(hours=3):
                raise InvalidTrainingInput("Un créneau dure moins de trois heures.")
        for before, after in itertools.pairwise(ordered):
            if after.starts_at < before.ends_at:
                raise InvalidTrainingInput("Les créneaux ne se chevauchent pas.")
        self.rooms, self.slots = names, ordered

    # -- on the day -----------------------------------------------------------------------

    def propose(self, proposal: Proposal) -> None:
        if len(self.proposals) >= MAX_PROPOSALS:
            raise InvalidTransition("Le tableau des propositions est plein.")
        if proposal.contribution_id is not None:
            self.contribution(proposal.contribution_id)
        proposal.title = _text(proposal.title, 3, 200, "Le titre")
        self.proposals.append(proposal)

    def vote(self, proposal_id: UUID, person_id: str, *, wanted: bool = True) -> None:
        proposal = self.proposal(proposal_id)
        if wanted and person_id not in proposal.voters:
            proposal.voters.append(person_id)
        if not wanted and person_id in proposal.voters:
            proposal.voters.remove(person_id)

    def build_agenda(self) -> list[Proposal]:
        """Fill the free cells, slot by slot, with the most wanted proposals not placed yet
        (ties: the earlier proposal first); returns what is left without a cell."""
        if not self.rooms or not self.slots:
            raise InvalidTransition("Définissez d'abord les salles et les créneaux.")
        taken = {(p.slot_id, p.room) for p in self.proposals if p.placed}
        free = [(s.id, r) for s in self.slots for r in self.rooms if (s.id, r) not in taken]
        waiting = sorted(
            (p for p in self.proposals if not p.placed),
            key=lambda p: -len(p.voters),
        )
        for proposal, (slot_id, room) in zip(waiting, free, strict=False):
            proposal.slot_id, proposal.room = slot_id, room
        return [p for p in waiting if not p.placed]

    def place(self, proposal_id: UUID, slot_id: UUID | None, room: str | None) -> None:
        """Move a workshop to a free cell, or take it off the agenda (both None)."""
        proposal = self.proposal(proposal_id)
        if slot_id is None or room is None:
            proposal.slot_id, proposal.room, proposal.attendees = None, None, []
            return
        self.slot(slot_id)
        if room not in self.rooms:
            raise NotFound("Cette salle n'existe pas.")
        occupant = self.at(slot_id, room)
        if occupant is not None and occupant.id != proposal_id:
            raise InvalidTransition(f"La salle « {room} » est déjà prise à ce créneau.")
        if proposal.slot_id != slot_id:
            proposal.attendees = []
        proposal.slot_id, proposal.room = slot_id, room

    def join(self, proposal_id: UUID, person_id: str) -> None:
        """Vote with one's feet: one workshop per slot; joining another leaves the first."""
        proposal = self.proposal(proposal_id)
        if not proposal.placed:
            raise InvalidTransition("Cet atelier n'est pas encore à l'agenda.")
        for other in self.proposals:
            if other.slot_id == proposal.slot_id and person_id in other.attendees:
                other.attendees.remove(person_id)
        proposal.attendees.append(person_id)

    def add_note(self, proposal_id: UUID, text: str) -> None:
        proposal = self.proposal(proposal_id)
        if not proposal.placed:
            raise InvalidTransition("On prend des notes dans un atelier de l'agenda.")
        proposal.notes.append(_text(text, 3, 5000, "Une note"))

    def add_demonstrator(self, demonstrator: Demonstrator) -> None:
        self.proposal(demonstrator.proposal_id)
        demonstrator.title = _text(demonstrator.title, 3, 200, "Le titre")
        if not demonstrator.carriers:
            raise InvalidTrainingInput("Un projet démonstrateur a au moins un porteur.")
        self.demonstrators.append(demonstrator)

    # -- reading --------------------------------------------------------------------------

    def contribution(self, contribution_id: UUID) -> Contribution:
        for found in self.contributions:
            if found.id == contribution_id:
                return found
        raise NotFound("Contribution introuvable.")

    def proposal(self, proposal_id: UUID) -> Proposal:
        for found in self.proposals:
            if found.id == proposal_id:
                return found
        raise NotFound("Proposition introuvable.")

    def slot(self, slot_id: UUID) -> Slot:
        for found in self.slots:
            if found.id == slot_id:
                return found
        raise NotFound("Créneau introuvable.")

    def at(self, slot_id: UUID, room: str) -> Proposal | None:
        return next((p for p in self.proposals if p.slot_id == slot_id and p.room == room), None)

    def grid(self) -> list[list[Proposal | None]]:
        """The agenda: one row per slot, one column per room."""
        return [[self.at(s.id, r) for r in self.rooms] for s in self.slots]
