"""A stored notification (or a recipient's due digest) as the e-mail to send."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from deformations_common.action_links import LoanAction, action_claim, make_action_token
from deformations_common.settings import Environment
from deformations_common.vocabulary.collectivites import collectivite_name
from deformations_contracts.events.sessions import (
    SessionCancelled,
    SessionRescheduled,
    SessionScheduled,
)
from deformations_notifications.domain.digest import DigestEntry, group_digest
from deformations_notifications.domain.marks import MARKS_DUE
from deformations_notifications.domain.preferences import RecipientPreferences
from deformations_notifications.domain.relay import reply_address
from deformations_notifications.domain.reminders import REMINDER, when_fr
from deformations_notifications.domain.sessions import SessionCalendar
from deformations_notifications.domain.unsubscribe import UnsubscribeClaim
from deformations_notifications.rendering.contexts import (
    Links,
    Namer,
    context_for,
    marks_url,
    parse_event,
)
from deformations_notifications.rendering.email import CalendarPart, UnsubscribeLinks, build_email
from deformations_notifications.rendering.invites import InviteDetails, build_cancel, build_request
from deformations_notifications.rendering.renderer import Renderer
from deformations_notifications.settings import NotificationsSettings

Row = Mapping[str, Any]
ACTION_REQUESTED = "loan.action_requested"


@dataclass
class Composer:
    settings: NotificationsSettings
    renderer: Renderer | None = None
    name: Namer = collectivite_name
    # Refreshed by the sender from the read model before each round.
    family_labels: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.renderer is None:
            self.renderer = Renderer(
                defaults={
                    "platform_name": self.settings.platform_name,
                    "platform_colour": self.settings.platform_colour,
                }
            )
        self._renderer: Renderer = self.renderer

    @property
    def links(self) -> Links:
        return Links(self.settings.app_url)

    @property
    def unsubscribe_links(self) -> UnsubscribeLinks:
        return UnsubscribeLinks(
            self.settings.unsubscribe_url,
            self.settings.secret(),
            allow_http=self.settings.environment is not Environment.PRODUCTION,
        )

    @property
    def sender(self) -> Address:
        return Address(self.settings.platform_name, addr_spec=self.settings.mail_from)

    def _footer(self, person_id: str, now: datetime) -> dict[str, Any]:
        claim = UnsubscribeClaim(person_id, issued_at=now)
        return {
            "unsubscribe_url": self.unsubscribe_links.url(claim),
            "preferences_url": self.links.to("preferences"),
        }

    def context(self, row: Row) -> dict[str, Any]:
        return context_for(
            row["event_type"], row["payload"], self.links, self.name, self.family_labels
        )

    def _email(
        self,
        rendered: Any,
        prefs: RecipientPreferences,
        now: datetime,
        *,
        reply_to: str | None = None,
        calendar: CalendarPart | None = None,
        notification_id: str | None = None,
    ) -> EmailMessage:
        return build_email(
            rendered,
            sender=self.sender,
            to=prefs.email,
            now=now,
            message_id_domain=self.settings.mail_domain,
            unsubscribe=(self.unsubscribe_links, UnsubscribeClaim(prefs.person_id, issued_at=now)),
            reply_to=reply_to,
            calendar=calendar,
            notification_id=notification_id,
        )

    def _action_url(self, payload: Mapping[str, Any], person_id: str, now: datetime) -> str:
        """The loan's page with the action ready, signed for this person only (the portal
        checks it is theirs, still valid, and still to do; nothing happens until they POST)."""
        loan_id = UUID(str(payload["loan_id"]))
        action = LoanAction(payload["action"])
        try:
            person = UUID(person_id)
        except ValueError:
            # Not a person the portal signs in (ids are UUIDs there): the plain page.
            return self.links.to("prets", loan_id)
        claim = action_claim(loan_id, action, person, now)
        query = urlencode(
            {"action": action.value, "jeton": make_action_token(claim, self.settings.link_key())}
        )
        return f"{self.links.to('prets', loan_id)}?{query}"

    def single(self, row: Row, prefs: RecipientPreferences, now: datetime) -> EmailMessage:
        ctx = self.context(row)
        if row["template"] == REMINDER:
            ctx["when"] = when_fr(datetime.fromisoformat(row["payload"]["starts_at"]), now)
        if row["template"] == MARKS_DUE:
            ctx["marks_url"] = marks_url(self.links, row["payload"])
        reply_to = None
        if row["template"] == ACTION_REQUESTED:
            ctx["action_url"] = self._action_url(row["payload"], prefs.person_id, now)
        if row["template"] == "relay.message":
            token = row["payload"]["reply_token"]
            reply_to = reply_address(token, self.settings.mail_domain)
            query = urlencode({"token": token})
            ctx["reply_url"] = f"{self.settings.relay_reply_url}?{query}"
            ctx["report_url"] = f"{self.settings.relay_report_url}?{query}"
        rendered = self._renderer.render(
            row["template"], {**ctx, **self._footer(prefs.person_id, now)}
        )
        return self._email(
            rendered,
            prefs,
            now,
            reply_to=reply_to,
            calendar=self._calendar(row, ctx, prefs, now),
            notification_id=str(row["id"]),
        )

    def _calendar(
        self, row: Row, ctx: Mapping[str, Any], prefs: RecipientPreferences, now: datetime
    ) -> CalendarPart | None:
        if row["template"] in (REMINDER, MARKS_DUE):
            return None  # the invitation put it in the calendar already
        event = parse_event(row["event_type"], row["payload"])
        if not isinstance(event, SessionScheduled | SessionRescheduled | SessionCancelled):
            return None
        cancelled = isinstance(event, SessionCancelled)
        session = SessionCalendar(
            str(event.session_id), event.starts_at, event.ends_at, event.sequence, cancelled
        )
        details = InviteDetails(
            title=ctx["title"],
            organizer_email=self.settings.mail_from,
            organizer_name=self.settings.platform_name,
            # Only this recipient: one mail per person, nobody sees the others' addresses.
            attendee_emails=[prefs.email],
            uid_domain=self.settings.mail_domain,
            location=ctx.get("location") or "",
            url=ctx["session_url"],
        )
        if cancelled:
            return CalendarPart(build_cancel(session, details, now), "CANCEL")
        return CalendarPart(build_request(session, details, now), "REQUEST")

    def digest(
        self, rows: Sequence[Row], prefs: RecipientPreferences, now: datetime
    ) -> EmailMessage:
        entries = []
        for row in rows:
            ctx = self.context(row)
            title = self._renderer.render(row["template"], ctx).subject
            entries.append(
                DigestEntry(row["item_key"], title, row["template"], row["occurred_at"], ctx)
            )
        rendered = self._renderer.render_digest(
            group_digest(entries),
            prefs.digest.frequency.value,
            {"platform_url": self.settings.app_url, **self._footer(prefs.person_id, now)},
        )
        return self._email(rendered, prefs, now)
