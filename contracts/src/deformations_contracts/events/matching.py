"""Events published by the matching service (proposals of matches, groups, pairs, rotations)."""

from enum import StrEnum
from typing import ClassVar, Self
from uuid import UUID

from pydantic import Field, model_validator

from deformations_contracts.base import EventData
from deformations_contracts.themes import ThemeCode
from deformations_contracts.types import Instant, Modality, PersonId, Siren
from deformations_contracts.values import ShortText, TimeZoneName, ValueModel

PEER_GROUP_MIN = 3
PEER_GROUP_MAX = 8


class ProposalKind(StrEnum):
    NEED_OFFER = "need_offer"
    GROUPED_OFFER = "grouped_offer"
    PEER_GROUP = "peer_group"
    ELU_TECHNICIEN_PAIR = "elu_technicien_pair"
    SPEED_DATING_ROTATION = "speed_dating_rotation"


class Recurrence(StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"


class RequestParty(ValueModel):
    request_id: UUID
    collectivite_siren: Siren


class OfferParty(ValueModel):
    offer_id: UUID
    collectivite_siren: Siren


class ProposedSlot(ValueModel):
    """The first slot proposed to a group or a pair, and how it recurs."""

    starts_at: Instant
    ends_at: Instant
    timezone: TimeZoneName = "Europe/Paris"
    modality: Modality
    recurrence: Recurrence | None = None
    occurrences: int = Field(default=1, ge=1, le=24)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.ends_at <= self.starts_at:
            raise ValueError("a slot ends after it starts")
        return self


class Pairing(ValueModel):
    first: PersonId
    second: PersonId

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        if self.first == self.second:
            raise ValueError("a person cannot meet themselves")
        return self


class RotationRound(ValueModel):
    """One timed round of a speed-dating: who meets whom."""

    number: int = Field(ge=1, le=100)
    pairings: list[Pairing] = Field(min_length=1)


class MatchProposed(EventData):
    """A proposal: a need↔offer match, a grouped offer, a peer group, a pair or a rotation.

    Which parties are set depends on ``kind``: requests and an offer for need_offer (one
    request) and grouped_offer (several); members for peer_group (3–8) and
    elu_technicien_pair (2); members and rounds for speed_dating_rotation. ``accepted``
    names the members with nothing left to answer (a peer group's author, who formed it):
    consumers must not ask them to accept. Absent from older events: nobody had accepted.
    """

    routing_key: ClassVar[str] = "match.proposed.v1"
    producer: ClassVar[str] = "matching"

    proposal_id: UUID
    kind: ProposalKind
    score: float = Field(ge=0, le=1)
    reasons: list[ShortText] = Field(min_length=1, max_length=10)
    theme: ThemeCode | None = None
    requests: list[RequestParty] = Field(default_factory=list, max_length=50)
    offer: OfferParty | None = None
    members: list[PersonId] = Field(default_factory=list, max_length=500)
    accepted: list[PersonId] = Field(
        default_factory=list,
        max_length=500,
        description="Members who already accepted their place (a peer group's author).",
    )
    collectivite_siren: Siren | None = Field(
        default=None, description="The collectivité of a pair, the EPCI of a speed-dating."
    )
    peer_call_id: UUID | None = Field(default=None, description="The appel à pairs answered.")
    rounds: list[RotationRound] = Field(default_factory=list, max_length=100)
    seed: int | None = Field(default=None, ge=0, description="Seed that reproduces a rotation.")
    slot: ProposedSlot | None = None
    proposed_at: Instant
    expires_at: Instant | None = None

    @model_validator(mode="after")
    def _parties_fit_kind(self) -> Self:
        if len(set(self.members)) != len(self.members):
            raise ValueError("members are listed once")
        if len(set(self.accepted)) != len(self.accepted):
            raise ValueError("accepted members are listed once")
        if not set(self.accepted) <= set(self.members):
            raise ValueError("only members can have accepted")
        kind = self.kind
        if kind is ProposalKind.NEED_OFFER:
            if len(self.requests) != 1 or self.offer is None:
                raise ValueError("a need_offer proposal has exactly one request and one offer")
        elif kind is ProposalKind.GROUPED_OFFER:
            if len(self.requests) < 2 or self.offer is None:
                raise ValueError("a grouped_offer proposal has 2+ requests and one offer")
        elif kind is ProposalKind.PEER_GROUP:
            if not PEER_GROUP_MIN <= len(self.members) <= PEER_GROUP_MAX:
                raise ValueError(f"a peer group has {PEER_GROUP_MIN}–{PEER_GROUP_MAX} members")
        elif kind is ProposalKind.ELU_TECHNICIEN_PAIR:
            if len(self.members) != 2:
                raise ValueError("a pair has two members")
        elif kind is ProposalKind.SPEED_DATING_ROTATION:
            self._check_rotation()
        return self

    def _check_rotation(self) -> None:
        if not self.rounds:
            raise ValueError("a speed-dating rotation has rounds")
        members = set(self.members)
        met: set[frozenset[str]] = set()
        for round_ in self.rounds:
            busy: set[str] = set()
            for pairing in round_.pairings:
                pair = frozenset((pairing.first, pairing.second))
                if not pair <= members:
                    raise ValueError("a rotation pairs only its members")
                if pair & busy:
                    raise ValueError(f"someone meets two people in round {round_.number}")
                if pair in met:
                    raise ValueError("no pair meets twice in a rotation")
                busy |= pair
                met.add(pair)

    def subject(self) -> str:
        return str(self.proposal_id)


class SpeedDatingMutualMark(EventData):
    """Two people of a speed-dating evening marked each other (« atomes crochus »).

    Published when a mark becomes mutual, so that the contact relay lets the two write to
    each other; the evening itself puts nobody in touch (everyone met everyone). A mark
    withdrawn and given again publishes it again: consumers treat it as idempotent.
    """

    routing_key: ClassVar[str] = "speed_dating.mutual_mark.v1"
    producer: ClassVar[str] = "matching"

    gathering_id: UUID = Field(description="The speed-dating evening (its gathering).")
    people: list[PersonId] = Field(min_length=2, max_length=2, description="Sorted.")
    marked_at: Instant

    @model_validator(mode="after")
    def _two_different_people(self) -> Self:
        if self.people[0] == self.people[1]:
            raise ValueError("a mutual mark is between two different people")
        return self

    def subject(self) -> str:
        return str(self.gathering_id)
