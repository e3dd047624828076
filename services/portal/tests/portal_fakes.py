"""An in-memory unit of work: the portal's use cases run without servers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from deformations_common.settings import Environment
from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.base import EventData
from deformations_devtools.erasure import InMemoryErasedPeople
from deformations_portal.domain.addresses import StoredCheck
from deformations_portal.domain.errors import MembershipAlreadyExists
from deformations_portal.domain.links import StoredLink
from deformations_portal.domain.memberships import Membership
from deformations_portal.domain.names import ChosenName
from deformations_portal.domain.operator import JOURNAL_PAGE_SIZE, JournalEntry, JournalFilter
from deformations_portal.repositories.people import Identity
from deformations_portal.repositories.signin import OidcAttempt, WebSession
from deformations_portal.service.uow import PortalUow
from deformations_portal.settings import PortalSettings

START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@dataclass
class Store:
    persons: dict[uuid.UUID, datetime | None] = field(default_factory=dict)
    erased_people: InMemoryErasedPeople = field(default_factory=InMemoryErasedPeople)
    identities: dict[tuple[str, str], Identity] = field(default_factory=dict)
    names: dict[uuid.UUID, ChosenName] = field(default_factory=dict)
    memberships: dict[uuid.UUID, Membership] = field(default_factory=dict)
    audit: list[tuple[uuid.UUID, str, uuid.UUID | None]] = field(default_factory=list)
    links: dict[str, dict[str, Any]] = field(default_factory=dict)
    attempts: dict[str, OidcAttempt] = field(default_factory=dict)
    sessions: dict[str, WebSession] = field(default_factory=dict)
    checks: dict[str, StoredCheck] = field(default_factory=dict)
    check_times: list[tuple[uuid.UUID, datetime]] = field(default_factory=list)
    keys: list[tuple[str, str]] = field(default_factory=list)
    events: list[EventData] = field(default_factory=list)
    journal: list[JournalEntry] = field(default_factory=list)


class FakePersons:
    def __init__(self, store: Store) -> None:
        self.s = store

    async def add(self, person_id: uuid.UUID, at: datetime) -> None:
        self.s.persons[person_id] = None

    async def is_active(self, person_id: uuid.UUID) -> bool:
        return person_id in self.s.persons and self.s.persons[person_id] is None

    async def identity(self, issuer: str, subject: str) -> Identity | None:
        found = self.s.identities.get((issuer, subject))
        if found is None or self.s.persons.get(found.person_id) is not None:
            return None
        return found

    async def identities_of(self, person_id: uuid.UUID) -> list[Identity]:
        return [i for i in self.s.identities.values() if i.person_id == person_id]

    async def save_identity(self, identity: Identity, at: datetime) -> None:
        self.s.identities[(identity.issuer, identity.subject)] = identity

    async def chosen_name(self, person_id: uuid.UUID) -> ChosenName | None:
        return self.s.names.get(person_id)

    async def choose_name(
        self, person_id: uuid.UUID, name: ChosenName | None, at: datetime
    ) -> None:
        if name is None:
            self.s.names.pop(person_id, None)
        else:
            self.s.names[person_id] = name

    async def search(self, text: str, limit: int = 20) -> list[uuid.UUID]:
        found: list[uuid.UUID] = [
            p for p, n in self.s.names.items() if text.lower() in n.full.lower()
        ]
        for i in self.s.identities.values():
            names = " ".join(n for n in (i.given_name, i.usual_name) if n)
            matches = text.lower() in (i.email or "").lower() or text.lower() in names.lower()
            if matches and self.s.persons.get(i.person_id) is None and i.person_id not in found:
                found.append(i.person_id)
        return found[:limit]

    async def email_identities(self) -> list[tuple[str, list[Membership]]]:
        return [
            (i.subject, [m for m in self.s.memberships.values() if m.person_id == i.person_id])
            for i in self.s.identities.values()
            if i.issuer == "email"
        ]

    async def anonymise(self, person_id: uuid.UUID, at: datetime) -> None:
        self.s.identities = {k: v for k, v in self.s.identities.items() if v.person_id != person_id}
        self.s.names.pop(person_id, None)
        self.s.sessions = {k: v for k, v in self.s.sessions.items() if v.person_id != person_id}
        self.s.checks = {k: v for k, v in self.s.checks.items() if v.person_id != person_id}
        self.s.persons[person_id] = at


class FakeMemberships:
    def __init__(self, store: Store) -> None:
        self.s = store

    async def add(self, membership: Membership, *, invited_email: str | None = None) -> None:
        for held in self.s.memberships.values():
            if (held.person_id, held.siren, held.role) == (
                membership.person_id,
                membership.siren,
                membership.role,
            ) and held.status.live:
                raise MembershipAlreadyExists("déjà")
        self.s.memberships[membership.membership_id] = membership
        self.s.audit.append((membership.membership_id, membership.status.value, None))

    async def update(self, membership: Membership, actor: uuid.UUID | None, at: datetime) -> None:
        self.s.memberships[membership.membership_id] = membership
        self.s.audit.append((membership.membership_id, membership.status.value, actor))

    async def get(self, membership_id: uuid.UUID) -> Membership | None:
        return self.s.memberships.get(membership_id)

    async def of_person(self, person_id: uuid.UUID) -> list[Membership]:
        return [m for m in self.s.memberships.values() if m.person_id == person_id]

    async def pending_for(self, sirens: list[str] | None) -> list[Membership]:
        return [
            m
            for m in self.s.memberships.values()
            if m.status.value == "requested" and (sirens is None or m.siren in sirens)
        ]

    async def counts(self, sirens: list[str] | None) -> dict[str, tuple[int, int]]:
        counts: dict[str, tuple[int, int]] = {}
        for m in self.s.memberships.values():
            if sirens is not None and m.siren not in sirens:
                continue
            members, waiting = counts.get(m.siren, (0, 0))
            if m.status.value == "validated":
                counts[m.siren] = (members + 1, waiting)
            elif m.status.value == "requested":
                counts[m.siren] = (members, waiting + 1)
        return counts

    async def validated_in(
        self, sirens: list[str], roles: list[Any] | None = None
    ) -> list[Membership]:
        return [
            m
            for m in self.s.memberships.values()
            if m.validated and m.siren in sirens and (roles is None or m.role in roles)
        ]

    async def validated_for(self, sirens: list[str] | None) -> list[Membership]:
        return [
            m
            for m in self.s.memberships.values()
            if m.status.value == "validated" and (sirens is None or m.siren in sirens)
        ]


class FakeJournal:
    def __init__(self, store: Store) -> None:
        self.s = store

    async def add(self, entry: JournalEntry) -> None:
        self.s.journal.append(entry)

    async def page(self, chosen: JournalFilter) -> tuple[list[JournalEntry], int]:
        matching = [
            e
            for e in reversed(self.s.journal)
            if (chosen.action is None or e.action is chosen.action)
            and (chosen.siren is None or e.siren == chosen.siren)
        ]
        return matching[chosen.offset : chosen.offset + JOURNAL_PAGE_SIZE], len(matching)


class FakeSignIn:
    def __init__(self, store: Store) -> None:
        self.s = store

    async def recent_links(self, *, email: str | None, ip: str | None, since: datetime) -> int:
        return sum(
            1
            for link in self.s.links.values()
            if link["created_at"] >= since and (link["email"] == email or link["ip"] == ip)
        )

    async def add_link(
        self,
        token_hash: str,
        email: str,
        ip: str,
        at: datetime,
        expires_at: datetime,
        membership_id: uuid.UUID | None = None,
    ) -> None:
        self.s.links[token_hash] = {
            "email": email,
            "ip": ip,
            "created_at": at,
            "expires_at": expires_at,
            "used_at": None,
        }

    async def link(self, token_hash: str) -> StoredLink | None:
        link = self.s.links.get(token_hash)
        if link is None:
            return None
        return StoredLink(link["email"], link["expires_at"], link["used_at"])

    async def use_link(self, token_hash: str, at: datetime) -> None:
        self.s.links[token_hash]["used_at"] = at

    async def add_attempt(self, state: str, nonce: str, verifier: str, at: datetime) -> None:
        self.s.attempts[state] = OidcAttempt(nonce, verifier, at)

    async def take_attempt(self, state: str) -> OidcAttempt | None:
        return self.s.attempts.pop(state, None)

    async def add_session(
        self,
        session_hash: str,
        person_id: uuid.UUID,
        csrf: str,
        id_token: str | None,
        at: datetime,
        expires_at: datetime,
    ) -> None:
        self.s.sessions[session_hash] = WebSession(person_id, None, csrf, id_token, expires_at)

    async def session(self, session_hash: str, now: datetime) -> WebSession | None:
        found = self.s.sessions.get(session_hash)
        return found if found is not None and found.expires_at > now else None

    async def choose_membership(self, session_hash: str, membership_id: uuid.UUID) -> None:
        self.s.sessions[session_hash] = replace(
            self.s.sessions[session_hash], membership_id=membership_id
        )

    async def end_session(self, session_hash: str) -> None:
        self.s.sessions.pop(session_hash, None)

    async def end_sessions_of(self, person_id: uuid.UUID) -> int:
        mine = [k for k, v in self.s.sessions.items() if v.person_id == person_id]
        for key in mine:
            del self.s.sessions[key]
        return len(mine)

    async def add_address_check(
        self,
        token_hash: str,
        person_id: uuid.UUID,
        email: str,
        preferences: dict[str, Any],
        at: datetime,
        expires_at: datetime,
    ) -> None:
        self.s.checks[token_hash] = StoredCheck(person_id, email, preferences, expires_at, None)
        self.s.check_times.append((person_id, at))

    async def recent_address_checks(self, person_id: uuid.UUID, since: datetime) -> int:
        return sum(1 for p, at in self.s.check_times if p == person_id and at >= since)

    async def address_check(self, token_hash: str) -> StoredCheck | None:
        return self.s.checks.get(token_hash)

    async def use_address_check(self, token_hash: str, at: datetime) -> None:
        self.s.checks[token_hash] = replace(self.s.checks[token_hash], used_at=at)

    async def signing_key(self) -> tuple[str, str] | None:
        return self.s.keys[0] if self.s.keys else None

    async def add_signing_key(self, kid: str, pem: str, at: datetime) -> None:
        self.s.keys.append((kid, pem))


class FakeUow(PortalUow):
    def __init__(self, store: Store | None = None, clock: ManualClock | None = None) -> None:
        self.store = store or Store()
        self.manual = clock or ManualClock(START)

        async def record(conn: Any, events: Sequence[EventData]) -> list[uuid.UUID]:
            self.store.events.extend(events)
            return [uuid.uuid4() for _ in events]

        settings = PortalSettings(
            environment=Environment.TEST, links_per_address_per_hour=3, links_per_ip_per_hour=5
        )
        super().__init__(None, settings, self.manual, record)

    @property
    def erased_people(self) -> Any:
        return self.store.erased_people

    @property
    def persons(self) -> FakePersons:  # type: ignore[override]
        return FakePersons(self.store)

    @property
    def memberships(self) -> FakeMemberships:  # type: ignore[override]
        return FakeMemberships(self.store)

    @property
    def signin(self) -> FakeSignIn:  # type: ignore[override]
        return FakeSignIn(self.store)

    @property
    def journal(self) -> FakeJournal:  # type: ignore[override]
        return FakeJournal(self.store)
