"""A unit of work of matching over in-memory repositories, for use-case tests without servers.

Each fake keeps the behaviour the use cases rely on (what a query returns, in which
order), not the SQL. Emitted events are kept in ``store.emitted``, in order.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from deformations_common.geography import Geography, load_geography
from deformations_common.scope import PlatformScope
from deformations_common.vocabulary.clock import Clock, ManualClock
from deformations_contracts.base import EventData
from deformations_contracts.events.matching import MatchProposed
from deformations_contracts.events.sessions import (
    SessionCancelled,
    SessionRescheduled,
    SessionScheduled,
)
from deformations_devtools.erasure import InMemoryErasedPeople
from deformations_matching.repositories.diagnoses import DiagnosisRepository, DiagnosisRow
from deformations_matching.repositories.erasure import ErasureRepository
from deformations_matching.repositories.memberships import MembershipRepository, MembershipRow
from deformations_matching.repositories.offers import Changes, OfferRepository, OfferRow
from deformations_matching.repositories.peers import CallRow, GroupRow, PeerRepository
from deformations_matching.repositories.plans import PlanRepository, SessionRow
from deformations_matching.repositories.proposals import ProposalRepository
from deformations_matching.repositories.requests import RequestRepository, RequestRow
from deformations_matching.service.book import OfferBook
from deformations_matching.service.uow import MatchingUow
from deformations_matching.settings import MatchingSettings

NO_CONNECTION: Any = None


@dataclass
class Store:
    """What the matching schema would hold."""

    geography: Geography = field(default_factory=load_geography)
    erased_people: InMemoryErasedPeople = field(default_factory=InMemoryErasedPeople)
    calls: dict[UUID, CallRow] = field(default_factory=dict)
    groups: dict[UUID, GroupRow] = field(default_factory=dict)
    closed_groups: set[UUID] = field(default_factory=set)
    diagnoses: list[tuple[datetime, DiagnosisRow]] = field(default_factory=list)
    memberships: dict[UUID, MembershipRow] = field(default_factory=dict)
    sessions: list[dict[str, Any]] = field(default_factory=list)
    cafe_cycles: list[dict[str, Any]] = field(default_factory=list)
    cafe_topics: list[dict[str, Any]] = field(default_factory=list)
    cafe_reviews: dict[tuple[UUID, str], dict[str, Any]] = field(default_factory=dict)
    speed_datings: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    marks: dict[UUID, dict[str, list[str]]] = field(default_factory=dict)
    proposals: dict[UUID, MatchProposed] = field(default_factory=dict)
    rounds: list[dict[str, Any]] = field(default_factory=list)
    offers: dict[UUID, tuple[int, OfferRow]] = field(default_factory=dict)
    requests: dict[UUID, tuple[RequestRow, date]] = field(default_factory=dict)
    emitted: list[EventData] = field(default_factory=list)
    versions: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    book: OfferBook | None = None

    def offer_book(self, scope: PlatformScope) -> OfferBook:
        if self.book is None or self.book.scope != scope:
            self.book = OfferBook(self.geography, scope)
        return self.book

    def emitted_of(self, kind: type[EventData]) -> list[Any]:
        return [e for e in self.emitted if isinstance(e, kind)]


class FakePeers(PeerRepository):
    def __init__(self, store: Store) -> None:
        super().__init__(NO_CONNECTION)
        self.store = store

    async def insert_call(self, call: CallRow) -> None:
        self.store.calls[call.call_id] = call

    async def get_call(self, call_id: UUID, *, lock: bool = False) -> CallRow | None:
        return self.store.calls.get(call_id)

    async def open_calls(
        self, theme: str | None, limit: int, *, shown_to: str | None = None
    ) -> list[CallRow]:
        found = [c for c in self.store.calls.values() if c.status == "open"]
        found = [c for c in found if not c.hidden or c.person_id == shown_to]
        found = [c for c in found if theme is None or c.theme == theme]
        return sorted(found, key=lambda c: (c.created_at, c.call_id))[:limit]

    async def recent_calls(self, limit: int) -> list[CallRow]:
        found = [c for c in self.store.calls.values() if c.status != "withdrawn"]
        return sorted(found, key=lambda c: (c.created_at, c.call_id), reverse=True)[:limit]

    async def set_hidden(self, call_id: UUID, reason: str | None, at: datetime | None) -> None:
        call = self.store.calls[call_id]
        self.store.calls[call_id] = replace(call, hidden_reason=reason, hidden_at=at)

    async def join_of(self, call_id: UUID, person_id: str) -> CallRow | None:
        found = [
            c for c in self.store.calls.values() if c.joins == call_id and c.person_id == person_id
        ]
        return found[0] if found else None

    async def open_joins(self, call_id: UUID) -> list[CallRow]:
        found = [c for c in self.store.calls.values() if c.joins == call_id and c.status == "open"]
        return sorted(found, key=lambda c: (c.created_at, c.call_id))

    async def busy_people(self, theme: str) -> list[str]:
        return sorted(
            {
                person
                for g in self.store.groups.values()
                if g.theme == theme and g.group_id not in self.store.closed_groups
                for person, answer in g.answers.items()
                if answer in ("pending", "accepted")
            }
        )

    async def set_call_status(self, call_ids: list[UUID], status: str) -> None:
        for call_id in call_ids:
            self.store.calls[call_id] = replace(self.store.calls[call_id], status=status)

    async def calls_of(self, theme: str, people: list[str]) -> list[UUID]:
        return [
            c.call_id
            for c in self.store.calls.values()
            if c.theme == theme and c.person_id in people and c.status == "open"
        ]

    async def insert_group(self, group: GroupRow, created_at: datetime) -> None:
        self.store.groups[group.group_id] = group

    async def get_group(self, group_id: UUID, *, lock: bool = False) -> GroupRow | None:
        return self.store.groups.get(group_id)

    async def groups_of_calls(self, call_ids: list[UUID]) -> dict[UUID, UUID]:
        return {g.call_id: g.group_id for g in self.store.groups.values() if g.call_id in call_ids}

    async def set_answer(self, group_id: UUID, person_id: str, answer: str) -> None:
        group = self.store.groups[group_id]
        answers = {**group.answers, person_id: answer}
        self.store.groups[group_id] = replace(group, answers=answers)

    async def give_up(self, group: GroupRow) -> None:
        self.store.closed_groups.add(group.group_id)
        for call in list(self.store.calls.values()):
            still = [p for p, a in group.answers.items() if a != "left"]
            reopened = call.call_id == group.call_id or call.person_id in still
            if call.status == "grouped" and call.theme == group.theme and reopened:
                self.store.calls[call.call_id] = replace(call, status="open")

    async def co_members(self, person_id: str) -> set[str]:
        live = ("pending", "accepted")
        return {
            other
            for g in self.store.groups.values()
            if g.group_id not in self.store.closed_groups and g.answers.get(person_id) in live
            for other, answer in g.answers.items()
            if answer in live
        }

    async def add_members(self, group_id: UUID, people: list[str], slots: list[str]) -> None:
        group = self.store.groups[group_id]
        answers = {**group.answers, **dict.fromkeys(people, "pending")}
        self.store.groups[group_id] = replace(group, answers=answers, slots=slots)

    async def mark_scheduled(self, group_id: UUID) -> None:
        self.store.groups[group_id] = replace(self.store.groups[group_id], scheduled=True)


class FakePlans(PlanRepository):
    def __init__(self, store: Store) -> None:
        super().__init__(NO_CONNECTION)
        self.store = store

    async def insert_session(self, session: SessionScheduled, *, organiser: str) -> None:
        self.store.sessions.append(
            {
                "session_id": session.session_id,
                "kind": session.kind.value,
                "related_id": session.related_id,
                "starts_at": session.starts_at,
                "ends_at": session.ends_at,
                "participants": list(session.participants),
                "organiser": organiser,
                "state": session.model_dump(mode="json"),
                "sequence": session.sequence,
                "cancelled_at": None,
            }
        )

    def _row(self, s: dict[str, Any]) -> SessionRow:
        return SessionRow(
            session_id=s["session_id"],
            kind=s["kind"],
            related_id=s["related_id"],
            organiser=s["organiser"],
            state=s["state"],
            sequence=s["sequence"],
            cancelled_at=s["cancelled_at"],
        )

    async def get_session(self, session_id: UUID, *, lock: bool = False) -> SessionRow | None:
        found = [s for s in self.store.sessions if s["session_id"] == session_id]
        return self._row(found[0]) if found else None

    async def update_session(
        self, state: SessionRescheduled | SessionCancelled, *, cancelled_at: datetime | None
    ) -> None:
        for s in self.store.sessions:
            if s["session_id"] == state.session_id:
                s.update(
                    starts_at=state.starts_at,
                    ends_at=state.ends_at,
                    participants=list(state.participants),
                    state=state.model_dump(mode="json"),
                    sequence=state.sequence,
                    cancelled_at=cancelled_at,
                )

    async def sessions_related(self, related_ids: list[UUID]) -> list[SessionRow]:
        found = [s for s in self.store.sessions if s["related_id"] in related_ids]
        return [self._row(s) for s in sorted(found, key=lambda s: s["starts_at"])]

    async def set_marks(
        self, gathering_id: UUID, person_id: str, see_again: list[str], at: datetime
    ) -> None:
        self.store.marks.setdefault(gathering_id, {})[person_id] = list(see_again)

    async def marks_of(self, gathering_id: UUID) -> dict[str, list[str]]:
        return dict(self.store.marks.get(gathering_id, {}))

    async def coming_sessions_of(self, person_id: str, now: datetime) -> list[SessionRow]:
        found = [
            s
            for s in self.store.sessions
            if s["cancelled_at"] is None
            and s["ends_at"] > now
            and (s["organiser"] == person_id or person_id in s["participants"])
        ]
        return [self._row(s) for s in sorted(found, key=lambda s: s["starts_at"])]

    async def people_with(self, person_id: str) -> set[str]:
        return {
            p
            for s in self.store.sessions
            if s["cancelled_at"] is None
            and (s["organiser"] == person_id or person_id in s["participants"])
            for p in s["participants"]
        }

    async def sessions_of(self, related_id: UUID) -> list[dict[str, Any]]:
        found = [s for s in self.store.sessions if s["related_id"] == related_id]
        return sorted(found, key=lambda s: s["starts_at"])

    async def last_cafe_pairs(self, siren: str) -> set[frozenset[str]]:
        cycles = [c for c in self.store.cafe_cycles if c["siren"] == siren]
        if not cycles:
            return set()
        return {frozenset(pair) for pair in cycles[-1]["pairs"]}

    async def cafe_cycles_of(self, siren: str, limit: int) -> list[dict[str, Any]]:
        cycles = [c for c in self.store.cafe_cycles if c["siren"] == siren]
        cycles.sort(key=lambda c: c["first_day"], reverse=True)
        return [
            {"cycle_id": c["cycle_id"], "first_day": c["first_day"], "plan": c["plan"]}
            for c in cycles[:limit]
        ]

    async def insert_cafe_cycle(self, **cycle: Any) -> None:
        self.store.cafe_cycles.append(cycle)

    async def get_cafe_cycle(self, cycle_id: UUID) -> dict[str, Any] | None:
        for cycle in self.store.cafe_cycles:
            if cycle["cycle_id"] == cycle_id:
                return {
                    "collectivite_siren": cycle["siren"],
                    "first_day": cycle["first_day"],
                    "plan": cycle["plan"],
                }
        return None

    async def add_cafe_topic(self, topic: dict[str, Any]) -> None:
        self.store.cafe_topics.append(topic)

    async def cafe_topics(self, cycle_id: UUID) -> list[dict[str, Any]]:
        found = [t for t in self.store.cafe_topics if t["cycle_id"] == cycle_id]
        return sorted(found, key=lambda t: (t["discussed_on"], t["created_at"]))

    async def save_cafe_review(self, cycle_id: UUID, review: dict[str, Any]) -> None:
        self.store.cafe_reviews[cycle_id, review["person_id"]] = dict(review)

    async def cafe_reviews(self, cycle_id: UUID) -> list[dict[str, Any]]:
        found = [r for (c, _), r in self.store.cafe_reviews.items() if c == cycle_id]
        return sorted(found, key=lambda r: r["person_id"])

    async def met_in_epci(self, epci_siren: str) -> set[frozenset[str]]:
        return {
            frozenset(pair)
            for s in self.store.speed_datings.values()
            if s["epci_siren"] == epci_siren
            for r in s["plan"]["rounds"]
            for pair in r["pairs"]
        }

    async def insert_speed_dating(self, **gathering: Any) -> None:
        self.store.speed_datings[gathering["gathering_id"]] = gathering

    async def get_speed_dating(self, gathering_id: UUID) -> dict[str, Any] | None:
        return self.store.speed_datings.get(gathering_id)


class FakeProposals(ProposalRepository):
    def __init__(self, store: Store) -> None:
        super().__init__(NO_CONNECTION)
        self.store = store

    async def insert_proposals(
        self, events: Sequence[MatchProposed], *, round_id: UUID | None = None
    ) -> set[UUID]:
        new = set()
        for event in events:
            if event.proposal_id not in self.store.proposals:
                self.store.proposals[event.proposal_id] = event
                new.add(event.proposal_id)
        return new

    async def list_proposals(self, **query: Any) -> list[dict[str, Any]]:
        found = [p.model_dump(mode="json") for p in self.store.proposals.values()]
        if query["kind"] is not None:
            found = [p for p in found if p["kind"] == query["kind"]]
        return found[: query["limit"]]

    async def try_lock(self, key: int) -> bool:
        return True

    async def last_unserved(self) -> set[str]:
        return set(self.store.rounds[-1]["unserved_ids"]) if self.store.rounds else set()

    async def record_round(self, **round_: Any) -> None:
        self.store.rounds.append(round_)

    async def proposal_ids(self, kind: str) -> set[UUID]:
        return {i for i, p in self.store.proposals.items() if p.kind.value == kind}

    async def last_round_at(self) -> datetime | None:
        return self.store.rounds[-1]["ran_at"] if self.store.rounds else None


class FakeDiagnoses(DiagnosisRepository):
    def __init__(self, store: Store) -> None:
        super().__init__(NO_CONNECTION)
        self.store = store

    async def upsert_diagnosis(self, **diagnosis: Any) -> None:
        completed_at = diagnosis.pop("completed_at")
        for key in ("response_id", "collectivite_siren"):
            diagnosis.pop(key)
        self.store.diagnoses.append((completed_at, DiagnosisRow(**diagnosis)))

    def _latest(self) -> dict[str, tuple[datetime, DiagnosisRow]]:
        latest: dict[str, tuple[datetime, DiagnosisRow]] = {}
        for at, row in sorted(self.store.diagnoses, key=lambda d: d[0]):
            if row.person_id is not None:
                latest[row.person_id] = (at, row)
        return latest

    async def latest_diagnoses(self, person_ids: list[str]) -> dict[str, DiagnosisRow]:
        return {p: row for p, (_, row) in self._latest().items() if p in person_ids}

    async def diagnosed_on_theme(
        self,
        theme: str,
        departement: str | None,
        *,
        exclude: list[str],
        limit: int,
        within: list[str] | None = None,
    ) -> list[DiagnosisRow]:
        found = [
            (at, row)
            for person, (at, row) in self._latest().items()
            if person not in exclude
            and theme in row.priority_themes
            and (within is None or row.departement is None or row.departement in within)
        ]
        found.sort(key=lambda d: d[1].person_id)
        found.sort(key=lambda d: (d[1].departement == departement, d[0]), reverse=True)
        return [row for _, row in found[:limit]]

    async def theme_statistics(
        self, departement: str | None, within: list[str] | None = None
    ) -> list[dict[str, Any]]:
        counts: dict[str, int] = {}
        for _, row in self.store.diagnoses:
            if departement is not None and row.departement != departement:
                continue
            if within is not None and row.departement not in within:
                continue
            for theme in row.priority_themes:
                counts[theme] = counts.get(theme, 0) + 1
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        return [{"theme": theme, "diagnoses": n} for theme, n in ranked]


class FakeMemberships(MembershipRepository):
    def __init__(self, store: Store) -> None:
        super().__init__(NO_CONNECTION)
        self.store = store

    async def upsert(self, row: MembershipRow) -> None:
        known = self.store.memberships.get(row.membership_id)
        if known is None or known.changed_at < row.changed_at:
            self.store.memberships[row.membership_id] = row

    async def validated_members(self, sirens: Collection[str], people: Collection[str]) -> set[str]:
        return {
            m.person_id
            for m in self.store.memberships.values()
            if m.status == "validated" and m.siren in sirens and m.person_id in people
        }


class FakeOffers(OfferRepository):
    """Offers only: no loans, so every standing is neutral."""

    def __init__(self, store: Store) -> None:
        super().__init__(NO_CONNECTION)
        self.store = store

    async def upsert_offer(self, **offer: Any) -> str:
        offer.pop("offered_at")
        row = OfferRow(status="open", **offer)
        self.store.offers[row.offer_id] = (next(self.store.versions), row)
        return "open"

    async def standing_row(self, siren: str) -> dict[str, Any] | None:
        return None

    async def all_standings(self) -> list[dict[str, Any]]:
        return []

    async def changes_since(self, horizon: int) -> Changes:
        changed = [row for version, row in self.store.offers.values() if version >= horizon]
        return Changes(next(self.store.versions), changed, [], [])


class FakeRequests(RequestRepository):
    def __init__(self, store: Store) -> None:
        super().__init__(NO_CONNECTION)
        self.store = store

    async def upsert_request(self, **request: Any) -> str:
        period_end = request.pop("period_end")
        request.pop("requested_at")
        row = RequestRow(status="open", **request)
        self.store.requests[row.request_id] = (row, period_end)
        return "open"

    async def get_request(self, request_id: UUID) -> RequestRow | None:
        found = self.store.requests.get(request_id)
        return found[0] if found else None

    async def open_requests(self, today: date) -> list[RequestRow]:
        rows = [r for r, end in self.store.requests.values() if r.status == "open" and end >= today]
        return sorted(rows, key=lambda r: r.request_id)


class FakeUow(MatchingUow):
    """A ``MatchingUow`` whose repositories live in a ``Store``; ``emit`` appends to it."""

    def __init__(
        self, store: Store, clock: Clock, settings: MatchingSettings | None = None
    ) -> None:
        async def record(conn: Any, events: Sequence[EventData]) -> list[UUID]:
            store.emitted.extend(events)
            return [uuid4() for _ in events]

        super().__init__(NO_CONNECTION, settings or MatchingSettings(), clock, record)
        self.store = store

    @property
    def erased_people(self) -> Any:
        return self.store.erased_people

    @property
    def peers(self) -> PeerRepository:
        return FakePeers(self.store)

    @property
    def plans(self) -> PlanRepository:
        return FakePlans(self.store)

    @property
    def proposals(self) -> ProposalRepository:
        return FakeProposals(self.store)

    @property
    def diagnoses(self) -> DiagnosisRepository:
        return FakeDiagnoses(self.store)

    @property
    def memberships(self) -> MembershipRepository:
        return FakeMemberships(self.store)

    @property
    def offers(self) -> OfferRepository:
        return FakeOffers(self.store)

    @property
    def requests(self) -> RequestRepository:
        return FakeRequests(self.store)

    @property
    def erasure(self) -> ErasureRepository:
        raise NotImplementedError("erasure is tested on the real database")

    @property
    def book(self) -> OfferBook:
        return self.store.offer_book(self.scope)


__all__ = ["FakeUow", "ManualClock", "Store"]
