"""The non-conférence's open space: call, frame, votes, agenda, feet, notes."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from deformations_training.domain.errors import InvalidTrainingInput, InvalidTransition
from deformations_training.domain.open_space import (
    Contribution,
    Demonstrator,
    OpenSpace,
    Proposal,
    Slot,
)

DAY = datetime(2027, 1, 16, 8, 0, tzinfo=UTC)


def slots(n: int) -> list[Slot]:
    return [
        Slot(uuid4(), DAY + timedelta(hours=i), DAY + timedelta(hours=i, minutes=50))
        for i in range(n)
    ]


def space_with(votes: list[int], rooms: int = 2, n_slots: int = 2) -> OpenSpace:
    space = OpenSpace(uuid4())
    space.set_frame([f"Salle {i + 1}" for i in range(rooms)], slots(n_slots))
    for index, count in enumerate(votes):
        proposal = Proposal(uuid4(), f"elu-{index}", f"Atelier {index}", None)
        space.propose(proposal)
        for voter in range(count):
            space.vote(proposal.id, f"votant-{voter}")
    return space


def test_the_call_for_contributions_closes_and_feeds_proposals() -> None:
    space = OpenSpace(uuid4())
    contribution = Contribution(uuid4(), "elu-1", " Cantine bio ", "Comment passer à 50 %", DAY)
    space.contribute(contribution)
    assert space.contributions[0].title == "Cantine bio"
    space.close_call()
    with pytest.raises(InvalidTransition):
        space.contribute(Contribution(uuid4(), "elu-2", "Trop tard", "", DAY))
    space.propose(Proposal(uuid4(), "elu-1", "Cantine bio", contribution.id))
    assert space.proposals[0].contribution_id == contribution.id


def test_the_frame_refuses_overlapping_or_endless_slots_and_duplicate_rooms() -> None:
    space = OpenSpace(uuid4())
    with pytest.raises(InvalidTrainingInput):
        space.set_frame(["Salle A", "Salle A"], slots(1))
    overlapping = [Slot(uuid4(), DAY, DAY + timedelta(hours=1))] * 2
    with pytest.raises(InvalidTrainingInput):
        space.set_frame(["Salle A"], overlapping)
    with pytest.raises(InvalidTrainingInput):
        space.set_frame(["Salle A"], [Slot(uuid4(), DAY, DAY + timedelta(hours=5))])


def test_the_agenda_puts_the_most_wanted_first_and_leaves_the_rest_waiting() -> None:
    space = space_with([1, 5, 3, 0, 2])  # 5 proposals, 4 cells
    left = space.build_agenda()
    grid = space.grid()
    assert [p.title for p in grid[0] if p] == ["Atelier 1", "Atelier 2"]
    assert [p.title for p in grid[1] if p] == ["Atelier 4", "Atelier 0"]
    assert [p.title for p in left] == ["Atelier 3"]
    # Voting twice counts once; a vote can be taken back.
    proposal = space.proposals[3]
    space.vote(proposal.id, "x")
    space.vote(proposal.id, "x")
    assert len(proposal.voters) == 1
    space.vote(proposal.id, "x", wanted=False)
    assert proposal.voters == []


def test_a_workshop_moves_only_to_a_free_cell_and_people_vote_with_their_feet() -> None:
    space = space_with([3, 2, 1])
    space.build_agenda()
    first, second, third = space.proposals
    with pytest.raises(InvalidTransition):
        space.place(third.id, first.slot_id, first.room)
    with pytest.raises(InvalidTransition):
        space.set_frame(["Salle 1"], slots(1))  # the agenda exists
    space.join(first.id, "elu-9")
    space.join(second.id, "elu-9")  # same slot: leaves the first
    assert first.attendees == [] and second.attendees == ["elu-9"]
    space.join(third.id, "elu-9")  # another slot: stays in both
    assert second.attendees == ["elu-9"] and third.attendees == ["elu-9"]
    space.place(third.id, None, None)
    assert not third.placed and third.attendees == []
    with pytest.raises(InvalidTransition):
        space.join(third.id, "elu-9")


def test_notes_and_demonstrators_belong_to_workshops_on_the_agenda() -> None:
    space = space_with([2, 1, 0, 0, 0])
    space.build_agenda()
    placed, waiting = space.proposals[0], space.proposals[4]
    space.add_note(placed.id, "Trois communes partantes pour un groupement de commandes.")
    with pytest.raises(InvalidTransition):
        space.add_note(waiting.id, "Pas d'atelier, pas de notes.")
    with pytest.raises(InvalidTrainingInput):
        space.add_demonstrator(Demonstrator(uuid4(), placed.id, "Sans porteur", [], []))
    space.add_demonstrator(
        Demonstrator(uuid4(), placed.id, "Groupement de commandes bio", ["elu-0"], [])
    )
    assert space.demonstrators[0].title == "Groupement de commandes bio"
