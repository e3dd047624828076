"""Contact relay: a person writes to another through the platform, never seeing their address.

Messages are addressed by person id. Each message carries a reply token that lets its
recipient answer through the platform (as a Reply-To address or a link); the token names
the thread and the side that replies, so a reply always reaches the other participant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from deformations_common.vocabulary.errors import InvalidInput

from . import tokens

PURPOSE = "relay-reply/v1"
# An e-mail local part is at most 64 characters: "relais+" plus a compact token.
_MAC_BYTES = 10
MAX_THREAD_ID = 24
MAX_BODY = 10_000
MAX_SUBJECT = 200
LOCAL_PREFIX = "relais+"


class RelayError(InvalidInput, ValueError):
    """A relayed message or thread the rules refuse (422)."""

    code = "invalid_relay_message"


@dataclass(frozen=True, slots=True)
class RelayThread:
    id: str
    initiator: str
    counterpart: str

    def __post_init__(self) -> None:
        if not self.id or len(self.id) > MAX_THREAD_ID or ":" in self.id:
            raise RelayError(
                "Identifiant de conversation invalide (1 à 24 caractères, sans « : »)."
            )
        if self.initiator == self.counterpart:
            raise RelayError("On ne peut pas s'écrire à soi-même par le relais.")

    def _side(self, person_id: str) -> str:
        if person_id == self.initiator:
            return "a"
        if person_id == self.counterpart:
            return "b"
        raise RelayError("Cette personne ne participe pas à la conversation.")

    def other(self, person_id: str) -> str:
        return self.counterpart if self._side(person_id) == "a" else self.initiator

    def reply_token(self, person_id: str, secret: bytes) -> str:
        """The token with which ``person_id`` answers in this thread."""
        payload = f"{self.id}:{self._side(person_id)}"
        return tokens.sign(PURPOSE, payload, secret, mac_bytes=_MAC_BYTES)

    def replier(self, side: str) -> str:
        return self.initiator if side == "a" else self.counterpart


@dataclass(frozen=True, slots=True)
class ReplyRoute:
    thread_id: str
    side: str


@dataclass(frozen=True, slots=True)
class RelayMessage:
    thread_id: str
    sender: str
    recipient: str
    subject: str
    body: str
    sent_at: datetime
    reply_token: str


def compose(
    thread: RelayThread, sender: str, subject: str, body: str, now: datetime, secret: bytes
) -> RelayMessage:
    subject, body = subject.strip(), body.strip()
    if not body:
        raise RelayError("Le message est vide.")
    if len(body) > MAX_BODY or len(subject) > MAX_SUBJECT:
        raise RelayError("Le message est trop long.")
    if "\n" in subject or "\r" in subject:
        raise RelayError("L'objet tient sur une ligne.")
    recipient = thread.other(sender)
    return RelayMessage(
        thread_id=thread.id,
        sender=sender,
        recipient=recipient,
        subject=subject,
        body=body,
        sent_at=now,
        reply_token=thread.reply_token(recipient, secret),
    )


def resolve_reply_token(token: str, secret: bytes) -> ReplyRoute | None:
    payload = tokens.verify(PURPOSE, token, secret, mac_bytes=_MAC_BYTES)
    if payload is None:
        return None
    thread_id, sep, side = payload.rpartition(":")
    if not sep or side not in ("a", "b"):
        return None
    return ReplyRoute(thread_id=thread_id, side=side)


def reply_lapsed(last_message_at: datetime, now: datetime, days: int) -> bool:
    """Whether a conversation quiet since ``last_message_at`` no longer takes replies by
    token: the token itself carries no date (it must fit an e-mail local part)."""
    return now - last_message_at > timedelta(days=days)


def reply_address(token: str, domain: str) -> str:
    return f"{LOCAL_PREFIX}{token}@{domain}"


def token_from_address(address: str, domain: str) -> str | None:
    local, sep, host = address.strip().strip("<>").rpartition("@")
    if not sep or host.lower() != domain.lower() or not local.startswith(LOCAL_PREFIX):
        return None
    return local[len(LOCAL_PREFIX) :]


@dataclass(frozen=True, slots=True)
class RelayLimits:
    """What one person may send through the relay, against spam under the platform's name."""

    messages_per_hour: int
    new_threads_per_day: int


@dataclass(frozen=True, slots=True)
class Refusal:
    reason: str  # in French, for the sender
    retry_after_s: int


def over_limit(
    limits: RelayLimits, *, sent_last_hour: int, opened_last_day: int, new_thread: bool
) -> Refusal | None:
    """Why one more message must wait, or None."""
    if new_thread and opened_last_day >= limits.new_threads_per_day:
        return Refusal(
            f"Vous avez déjà ouvert {limits.new_threads_per_day} conversations en 24 heures : "
            "réessayez demain.",
            retry_after_s=86_400,
        )
    if sent_last_hour >= limits.messages_per_hour:
        return Refusal(
            f"Vous avez déjà envoyé {limits.messages_per_hour} messages en une heure : "
            "réessayez un peu plus tard.",
            retry_after_s=3_600,
        )
    return None
