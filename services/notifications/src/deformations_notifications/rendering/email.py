"""Build the e-mail: text and HTML, one-click unsubscribe (RFC 8058), calendar part.

RFC 8058 wants the ``List-Unsubscribe`` and ``List-Unsubscribe-Post`` headers covered by
a DKIM signature; signing is the relay's job (the MTA), not this module's.
"""

from __future__ import annotations

import email.policy
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import quote, urlencode

from deformations_notifications.domain.unsubscribe import UnsubscribeClaim, make_unsubscribe_token

from .renderer import RenderedMessage

# A List-Unsubscribe URL with its token is longer than 78 characters and has no space to
# fold at; under the default policy the header would become an RFC 2047 encoded-word that
# mail providers do not decode, and the one-click link would be lost. RFC 5322 allows
# lines up to 998 characters.
POLICY = email.policy.SMTP.clone(max_line_length=998)


@dataclass(frozen=True, slots=True)
class UnsubscribeLinks:
    """Where the one-click POST goes (``https_base?token=...``) and an optional mailto."""

    https_base: str
    secret: bytes
    mailto: str | None = None
    # Local runs and tests serve plain http; production keeps the RFC's https.
    allow_http: bool = False

    def __post_init__(self) -> None:
        if not self.https_base.startswith("https://") and not (
            self.allow_http and self.https_base.startswith("http://")
        ):
            raise ValueError("RFC 8058 requires an https unsubscribe URL")

    def url(self, claim: UnsubscribeClaim) -> str:
        token = make_unsubscribe_token(claim, self.secret)
        separator = "&" if "?" in self.https_base else "?"
        return f"{self.https_base}{separator}{urlencode({'token': token})}"

    def header(self, claim: UnsubscribeClaim) -> str:
        parts = [f"<{self.url(claim)}>"]
        if self.mailto:
            token = make_unsubscribe_token(claim, self.secret)
            parts.append(f"<mailto:{self.mailto}?subject={quote('unsubscribe ' + token)}>")
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class CalendarPart:
    ics: bytes
    method: str  # REQUEST or CANCEL, repeated in the Content-Type as iMIP (RFC 6047) asks


def build_email(
    rendered: RenderedMessage,
    *,
    sender: Address,
    to: str,
    now: datetime,
    message_id_domain: str,
    unsubscribe: tuple[UnsubscribeLinks, UnsubscribeClaim] | None = None,
    reply_to: str | None = None,
    calendar: CalendarPart | None = None,
    notification_id: str | None = None,
) -> EmailMessage:
    """Assemble one message. ``notification_id`` (the dedup key) helps tracing, not routing."""
    msg = EmailMessage(policy=POLICY)
    msg["Subject"] = rendered.subject
    msg["From"] = sender
    msg["To"] = to
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(domain=message_id_domain)
    if reply_to:
        msg["Reply-To"] = reply_to
    if unsubscribe is not None:
        links, claim = unsubscribe
        msg["List-Unsubscribe"] = links.header(claim)
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if notification_id:
        msg["X-Deformations-Notification"] = notification_id
    # Automated mail: keep out-of-office replies from bouncing back to the platform.
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(rendered.text, subtype="plain", charset="utf-8")
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8")
    if calendar is not None:
        # Inline text/calendar for clients that show Accept/Decline buttons, plus the
        # same file as an attachment for those that only offer to open a file.
        msg.add_alternative(
            calendar.ics.decode("utf-8"),
            subtype="calendar",
            charset="utf-8",
            params={"method": calendar.method},
        )
        msg.add_attachment(
            calendar.ics,
            maintype="application",
            subtype="ics",
            filename="invitation.ics",
        )
    return msg
