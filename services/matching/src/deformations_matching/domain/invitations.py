"""Members of a proposed peer group accept or decline before names are revealed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType


class Answer(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    LEFT = "left"  # accepted, then left the group


def _gone(answer: Answer) -> bool:
    return answer in (Answer.DECLINED, Answer.LEFT)


class InvitationStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"  # everyone still in the group accepted, enough of them
    TOO_FEW = "too_few"  # declines left fewer than the minimum: recruit again


class InvitationError(ValueError):
    """A response that the invitation cannot take (unknown person, second answer)."""


@dataclass(frozen=True, slots=True)
class PeerInvitation:
    group_id: str
    answers: Mapping[str, Answer]
    anonymous: bool = True
    min_size: int = 4
    # The author of an open (non-anonymous) call: named in the call already.
    named: str | None = None

    @classmethod
    def open(
        cls, group_id: str, members: tuple[str, ...], *, anonymous: bool = True, min_size: int = 4
    ) -> PeerInvitation:
        answers = MappingProxyType(dict.fromkeys(sorted(members), Answer.PENDING))
        return cls(group_id, answers, anonymous, min_size)

    def respond(self, person_id: str, *, accept: bool) -> PeerInvitation:
        current = self.answers.get(person_id)
        if current is None:
            raise InvitationError(f"{person_id} is not invited to {self.group_id}")
        if current is not Answer.PENDING:
            raise InvitationError(f"{person_id} already answered")
        answers = dict(self.answers)
        answers[person_id] = Answer.ACCEPTED if accept else Answer.DECLINED
        return replace(self, answers=MappingProxyType(answers))

    @property
    def status(self) -> InvitationStatus:
        still_in = [a for a in self.answers.values() if not _gone(a)]
        if len(still_in) < self.min_size:
            return InvitationStatus.TOO_FEW
        if all(a is Answer.ACCEPTED for a in still_in):
            return InvitationStatus.CONFIRMED
        return InvitationStatus.PENDING

    def visible_members(self, viewer: str) -> tuple[str, ...]:
        """Who ``viewer`` may see: everyone still in once all of them accepted; before, only
        oneself and the author of an open call (who chose to be named). Someone who declined
        or left sees nobody."""
        answer = self.answers.get(viewer)
        if answer is None or _gone(answer):
            return ()
        if self.status is InvitationStatus.CONFIRMED:
            return tuple(p for p, a in self.answers.items() if a is Answer.ACCEPTED)
        shown = {viewer} | ({self.named} if self.named in self.answers else set())
        return tuple(p for p in self.answers if p in shown)

    def leave(self, person_id: str) -> PeerInvitation:
        """An accepted member leaves the group."""
        if self.answers.get(person_id) is not Answer.ACCEPTED:
            raise InvitationError(f"{person_id} is not an accepted member of {self.group_id}")
        answers = dict(self.answers)
        answers[person_id] = Answer.LEFT
        return replace(self, answers=MappingProxyType(answers))

    @property
    def still_in(self) -> tuple[str, ...]:
        return tuple(p for p, a in self.answers.items() if not _gone(a))


def session_times(first: datetime, *, every_weeks: int, follow_ups: int) -> tuple[datetime, ...]:
    """A first session then ``follow_ups`` (4–5 in the booklet) at the rhythm the group chose."""
    if every_weeks < 1:
        raise ValueError("the rhythm must be at least one week")
    if not 1 <= follow_ups <= 12:
        raise ValueError("follow-ups must be between 1 and 12")
    return tuple(first + timedelta(weeks=every_weeks * n) for n in range(follow_ups + 1))
