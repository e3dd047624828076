"""In-memory repositories and a unit of work over them: the use cases without servers.

Each fake keeps what its repository would keep in PostgreSQL, with the same answers
(dedup keys are unique, a retry only takes a failed row…), so a use case cannot tell.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from deformations_common.vocabulary.clock import Clock
from deformations_contracts.base import EventData
from deformations_devtools.erasure import InMemoryErasedPeople
from deformations_notifications.domain.contexts import SharedContext
from deformations_notifications.domain.dedup import DedupKey
from deformations_notifications.domain.preferences import RecipientPreferences
from deformations_notifications.domain.relay import RelayMessage, RelayThread
from deformations_notifications.domain.webhooks import WebhookSubscription
from deformations_notifications.repositories.memberships import (
    MembershipRepository,
    MembershipRow,
)
from deformations_notifications.repositories.notifications import (
    NewNotification,
    NotificationRepository,
)
from deformations_notifications.repositories.read_models import ReadModelRepository
from deformations_notifications.repositories.recipients import RecipientRepository
from deformations_notifications.repositories.relay import RelayRepository
from deformations_notifications.repositories.webhooks import WebhookRepository
from deformations_notifications.service.uow import NotificationsUow
from deformations_notifications.settings import NotificationsSettings


class FakeRecipients(RecipientRepository):
    def __init__(self) -> None:
        super().__init__(None)
        self.people: dict[str, RecipientPreferences] = {}
        self.collectivites: set[tuple[str, str]] = set()  # (siren, person)
        self.members: set[tuple[str, str]] = set()  # (campaign, person)
        self.links_from: dict[str, datetime] = {}

    async def preferences_of(self, person_ids: Iterable[str]) -> dict[str, RecipientPreferences]:
        return {p: self.people[p] for p in person_ids if p in self.people}

    async def get(self, person_id: str) -> RecipientPreferences | None:
        return self.people.get(person_id)

    async def get_for_update(self, person_id: str) -> RecipientPreferences | None:
        return self.people.get(person_id)

    async def save(self, prefs: RecipientPreferences, now: datetime) -> None:
        self.links_from.setdefault(prefs.person_id, now)
        self.people[prefs.person_id] = prefs

    async def unsubscribe_links_from(self, person_id: str) -> datetime | None:
        return self.links_from.get(person_id)

    async def renew_unsubscribe_links(self, person_id: str, now: datetime) -> bool:
        if person_id not in self.people:
            return False
        self.links_from[person_id] = now
        return True

    async def add_collectivite(self, person_id: str, siren: str) -> None:
        self.collectivites.add((siren, person_id))

    async def collectivites_of(self, person_id: str) -> list[str]:
        return sorted(s for s, p in self.collectivites if p == person_id)

    async def people_of(self, sirens: Iterable[str]) -> set[str]:
        wanted = set(sirens)
        return {p for s, p in self.collectivites if s in wanted}

    async def add_campaign_member(self, campaign_id: str, person_id: str) -> None:
        self.members.add((campaign_id, person_id))

    async def members_of(self, campaigns: Iterable[str]) -> set[str]:
        wanted = set(campaigns)
        return {p for c, p in self.members if c in wanted}

    async def erase(self, person_id: str) -> None:
        self.people.pop(person_id, None)
        self.links_from.pop(person_id, None)
        self.members = {(c, p) for c, p in self.members if p != person_id}


class FakeNotifications(NotificationRepository):
    def __init__(self) -> None:
        super().__init__(None)
        self.rows: dict[str, dict[str, Any]] = {}  # by dedup key

    def of(self, person: str) -> list[dict[str, Any]]:
        return [r for r in self.rows.values() if r["recipient_id"] == person]

    async def record(self, n: NewNotification) -> bool:
        if n.key.value in self.rows:
            return False
        self.rows[n.key.value] = {
            "id": uuid4(),
            "recipient_id": n.key.recipient,
            "event_type": n.event_type,
            "template": n.template,
            "item_key": n.item_key,
            "occurred_at": n.occurred_at,
            "payload": n.payload,
            "send_at": n.send_at,
            "batched": n.batched,
            "status": n.status,
            "skip_reason": n.skip_reason,
            "attempts": 0,
            "next_attempt_at": None,
        }
        return True

    async def list_for_recipient(self, recipient_id: str) -> list[dict[str, Any]]:
        return self.of(recipient_id)

    async def told_of_peer_call(
        self, people: Iterable[str], call_id: str, templates: Sequence[str]
    ) -> set[str]:
        wanted = set(people)
        return {
            r["recipient_id"]
            for r in self.rows.values()
            if r["recipient_id"] in wanted
            and r["template"] in templates
            and r["payload"].get("peer_call_id") == call_id
        }

    async def list_by_status(self, status: str, limit: int) -> list[dict[str, Any]]:
        return [r for r in self.rows.values() if r["status"] == status][:limit]

    async def unsent_for(self, recipient_id: str) -> list[dict[str, Any]]:
        rows = self.of(recipient_id)
        return [r for r in rows if r["status"] == "pending" and r["attempts"] == 0]

    async def schedule(self, ids: Sequence[UUID], send_at: datetime, batched: bool) -> None:
        for row in self.rows.values():
            if row["id"] in ids:
                row.update(send_at=send_at, batched=batched, skip_reason=None)

    async def retry_failed(self, notification_id: UUID, now: datetime) -> bool:
        for row in self.rows.values():
            if row["id"] == notification_id and row["status"] == "failed":
                send_at = min(row["send_at"] or now, now)
                row.update(status="pending", attempts=0, next_attempt_at=None, send_at=send_at)
                return True
        return False

    def _due(self, row: dict[str, Any], now: datetime) -> bool:
        retry_at = row["next_attempt_at"]
        lease = row.get("claimed_until")
        return (
            (lease is None or lease <= now)
            and row["status"] == "pending"
            and row["send_at"] is not None
            and row["send_at"] <= now
            and (retry_at is None or retry_at <= now)
        )

    async def claim_due(
        self, now: datetime, limit: int, lease_until: datetime | None = None
    ) -> list[dict[str, Any]]:
        due = [r for r in self.rows.values() if self._due(r, now) and not r["batched"]]
        claimed = sorted(due, key=lambda r: r["send_at"])[:limit]
        for row in claimed:
            row["claimed_until"] = lease_until or row.get("claimed_until")
        return claimed

    async def digest_recipients(self, now: datetime, limit: int) -> list[str]:
        due = {r["recipient_id"] for r in self.rows.values() if self._due(r, now) and r["batched"]}
        return sorted(due)[:limit]

    async def claim_digest(
        self, recipient_id: str, now: datetime, lease_until: datetime | None = None
    ) -> list[dict[str, Any]]:
        due = [r for r in self.of(recipient_id) if self._due(r, now) and r["batched"]]
        for row in due:
            row["claimed_until"] = lease_until or row.get("claimed_until")
        return sorted(due, key=lambda r: r["occurred_at"], reverse=True)

    async def last_sent(self, template: str, item_key: str, recipient_id: str) -> datetime | None:
        times = [
            r.get("sent_at") or r.get("handed_over_at")
            for r in self.of(recipient_id)
            if (r["template"], r["item_key"]) == (template, item_key)
            and r["status"] in ("sent", "sending")
        ]
        return max((t for t in times if t is not None), default=None)

    async def hand_over(self, ids: Sequence[UUID], now: datetime, message_id: str) -> int:
        rows = [r for r in self._by_ids(ids) if r["status"] in ("pending", "sending")]
        for row in rows:
            row.update(status="sending", handed_over_at=now, message_id=message_id)
            row["handovers"] = row.get("handovers", 0) + 1
        return len(rows)

    async def in_doubt(self, before: datetime, limit: int) -> list[dict[str, Any]]:
        rows = [
            r
            for r in self.rows.values()
            if r["status"] == "sending" and r["handed_over_at"] <= before
        ]
        return sorted(rows, key=lambda r: r["handed_over_at"])[:limit]

    def _by_ids(self, ids: Sequence[UUID]) -> list[dict[str, Any]]:
        return [r for r in self.rows.values() if r["id"] in ids]

    async def mark_sent(
        self, ids: Sequence[UUID], now: datetime, digest_id: UUID | None = None
    ) -> None:
        for row in self._by_ids(ids):
            row.update(status="sent", sent_at=now, attempts=row["attempts"] + 1)
            row["claimed_until"] = None
            row.update(next_attempt_at=None, digest_id=digest_id)

    async def mark_attempt(
        self,
        ids: Sequence[UUID],
        *,
        status: str,
        attempts: int,
        next_attempt_at: datetime | None,
        error: str,
    ) -> None:
        for row in self._by_ids(ids):
            row.update(status=status, attempts=attempts, next_attempt_at=next_attempt_at)
            row["claimed_until"] = None
            row["last_error"] = error

    async def mark_skipped(self, ids: Sequence[UUID], reason: str) -> None:
        for row in self._by_ids(ids):
            row.update(status="skipped", skip_reason=reason)

    async def skip_unsent(self, ids: Sequence[UUID], reason: str) -> int:
        rows = [r for r in self._by_ids(ids) if r["status"] in ("pending", "sending")]
        for row in rows:
            row.update(status="skipped", skip_reason=reason)
        return len(rows)

    async def erase_recipient(self, recipient_id: str) -> None:
        self.rows = {k: r for k, r in self.rows.items() if r["recipient_id"] != recipient_id}

    def _unsent(self) -> list[dict[str, Any]]:
        return [r for r in self.rows.values() if r["status"] == "pending" and not r["attempts"]]

    async def supersede_older_invitations(self, session_id: str, sequence: int) -> int:
        older = [
            r
            for r in self._unsent()
            if r["event_type"].startswith("session.")
            and r["payload"].get("session_id") == session_id
            and r["payload"].get("sequence", 0) < sequence
        ]
        for row in older:
            row.update(status="skipped", skip_reason="superseded")
        return len(older)

    async def supersede_older_states(
        self, template: str, item_key: str, occurred_at: datetime
    ) -> bool:
        same = [
            r for r in self.rows.values() if r["template"] == template and r["item_key"] == item_key
        ]
        for row in same:
            if row in self._unsent() and row["occurred_at"] < occurred_at:
                row.update(status="skipped", skip_reason="superseded")
        return any(r["occurred_at"] > occurred_at for r in same)


class FakeReadModels(ReadModelRepository):
    def __init__(self) -> None:
        super().__init__(None)
        self.session_versions: dict[str, int] = {}
        self.labels: dict[str, str] = {}

    async def raise_session_version(self, session_id: str, sequence: int) -> int:
        highest = max(self.session_versions.get(session_id, sequence), sequence)
        self.session_versions[session_id] = highest
        return highest

    async def remember_family_label(self, code: str, label: str) -> None:
        self.labels[code] = label

    async def family_labels(self) -> dict[str, str]:
        return dict(self.labels)


class FakeMemberships(MembershipRepository):
    def __init__(self) -> None:
        super().__init__(None)
        self.rows: dict[UUID, MembershipRow] = {}

    async def upsert(self, row: MembershipRow) -> None:
        known = self.rows.get(row.membership_id)
        if known is None or known.changed_at < row.changed_at:
            self.rows[row.membership_id] = row

    async def validated_of(self, siren: str) -> set[tuple[str, str]]:
        return {
            (r.person_id, r.role)
            for r in self.rows.values()
            if r.siren == siren and r.status == "validated"
        }

    async def erase_person(self, person_id: str) -> None:
        self.rows = {k: r for k, r in self.rows.items() if r.person_id != person_id}


class FakeWebhooks(WebhookRepository):
    def __init__(self) -> None:
        super().__init__(None)
        self.subscriptions: dict[str, WebhookSubscription] = {}
        self.deliveries_by_key: dict[str, tuple[str, str, bytes]] = {}

    async def create(
        self, s: WebhookSubscription, *, description: str, created_by: str
    ) -> dict[str, Any]:
        self.subscriptions[s.id] = s
        return self._public(s)

    def _public(self, s: WebhookSubscription) -> dict[str, Any]:
        return {"id": UUID(s.id), "url": s.url, "paused_at": s.paused_at}

    async def all_subscriptions(self) -> list[WebhookSubscription]:
        return list(self.subscriptions.values())

    async def list_public(self) -> list[dict[str, Any]]:
        return [self._public(s) for s in self.subscriptions.values()]

    async def get_public(self, subscription_id: UUID) -> dict[str, Any] | None:
        found = self.subscriptions.get(str(subscription_id))
        return None if found is None else self._public(found)

    async def resume(self, subscription_id: UUID) -> bool:
        found = self.subscriptions.get(str(subscription_id))
        if found is not None:
            self.subscriptions[found.id] = found.resume()
        return found is not None

    async def delete(self, subscription_id: UUID) -> bool:
        return self.subscriptions.pop(str(subscription_id), None) is not None

    async def record_delivery(
        self, key: DedupKey, subscription_id: str, event_type: str, body: bytes
    ) -> bool:
        if key.value in self.deliveries_by_key:
            return False
        self.deliveries_by_key[key.value] = (subscription_id, event_type, body)
        return True

    async def deliveries(self, subscription_id: UUID, limit: int) -> list[dict[str, Any]]:
        return [
            {"webhook_id": key, "event_type": event_type}
            for key, (s, event_type, _) in self.deliveries_by_key.items()
            if s == str(subscription_id)
        ][:limit]


class FakeRelay(RelayRepository):
    def __init__(self) -> None:
        super().__init__(None)
        self.threads: dict[str, tuple[RelayThread, datetime]] = {}
        self.messages: dict[UUID, RelayMessage] = {}
        self.blocked: set[str] = set()
        self.contexts: set[tuple[str, str, str]] = set()  # (context, "person"|"siren", id)

    async def add_to_context(self, context: SharedContext) -> None:
        self.contexts |= {(context.key, "person", p) for p in context.people}
        self.contexts |= {(context.key, "siren", s) for s in context.sirens}

    async def share_a_context(
        self,
        sender: str,
        sender_sirens: Iterable[str],
        recipient: str,
        recipient_sirens: Iterable[str],
    ) -> bool:
        def contexts_of(person: str, sirens: Iterable[str]) -> set[str]:
            members = {("person", person)} | {("siren", s) for s in sirens}
            return {c for c, kind, m in self.contexts if (kind, m) in members}

        return bool(contexts_of(sender, sender_sirens) & contexts_of(recipient, recipient_sirens))

    async def is_blocked(self, person_id: str) -> bool:
        return person_id in self.blocked

    async def open_thread(self, thread: RelayThread, now: datetime) -> None:
        self.threads[thread.id] = (thread, now)

    async def thread(self, thread_id: str) -> RelayThread | None:
        found = self.threads.get(thread_id)
        return None if found is None else found[0]

    async def last_message_at(self, thread_id: str) -> datetime | None:
        if thread_id not in self.threads:
            return None
        sent = [m.sent_at for m in self.messages.values() if m.thread_id == thread_id]
        return max(sent, default=self.threads[thread_id][1])

    async def recent_activity(self, sender: str, now: datetime) -> tuple[int, int]:
        sent = [m for m in self.messages.values() if m.sender == sender]
        opened = [at for t, at in self.threads.values() if t.initiator == sender]
        return (
            sum(m.sent_at > now - timedelta(hours=1) for m in sent),
            sum(at > now - timedelta(days=1) for at in opened),
        )

    async def add_message(self, message: RelayMessage) -> UUID:
        message_id = uuid4()
        self.messages[message_id] = message
        return message_id

    async def erase_person(self, person_id: str) -> None:
        gone = {t.id for t, _ in self.threads.values() if person_id in (t.initiator, t.counterpart)}
        self.threads = {k: v for k, v in self.threads.items() if k not in gone}
        self.messages = {k: m for k, m in self.messages.items() if m.thread_id not in gone}
        self.contexts = {c for c in self.contexts if c[1:] != ("person", person_id)}


class FakeUow(NotificationsUow):
    """The service's unit of work over the fakes; ``emitted`` lists the events it emits."""

    def __init__(self, settings: NotificationsSettings, clock: Clock) -> None:
        super().__init__(None, settings, clock, self._record)
        self.emitted: list[EventData] = []
        self.fake_recipients = FakeRecipients()
        self.fake_notifications = FakeNotifications()
        self.fake_read_models = FakeReadModels()
        self.fake_memberships = FakeMemberships()
        self.fake_webhooks = FakeWebhooks()
        self.fake_relay = FakeRelay()
        self._erased_people = InMemoryErasedPeople()

    @asynccontextmanager
    async def _same(self) -> AsyncIterator[FakeUow]:
        yield self

    def begin(self) -> AbstractAsyncContextManager[FakeUow]:
        """A "new" unit of work for use cases spanning several: this one again."""
        return self._same()

    async def _record(self, conn: Any, events: Sequence[EventData]) -> list[UUID]:
        self.emitted.extend(events)
        return [uuid4() for _ in events]

    @property
    def erased_people(self) -> Any:
        return self._erased_people

    @property
    def recipients(self) -> FakeRecipients:
        return self.fake_recipients

    @property
    def notifications(self) -> FakeNotifications:
        return self.fake_notifications

    @property
    def read_models(self) -> FakeReadModels:
        return self.fake_read_models

    @property
    def memberships(self) -> FakeMemberships:
        return self.fake_memberships

    @property
    def webhooks(self) -> FakeWebhooks:
        return self.fake_webhooks

    @property
    def relay(self) -> FakeRelay:
        return self.fake_relay

    def savepoint(self) -> AbstractAsyncContextManager[Any]:
        return nullcontext()
