"""Signed links of a mail that asks a person to act on a loan (approve, accept, consent).

The link opens the loan's page with that action ready; it never acts by itself (the
person confirms with a POST). The token binds the loan, the action and the person, and
lapses: a forwarded or old mail is worth nothing. Notifications mints, the portal
verifies, both with the same ``LINK_SIGNING_KEY``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from uuid import UUID

from deformations_common import signed_tokens

PURPOSE = "loan-action/v1"
LIFETIME = timedelta(days=7)
# Dev and tests only: the services refuse to start in production without the real key.
DEV_LINK_SIGNING_KEY = b"deformations-dev-link-signing-key-not-for-production"


class LoanAction(StrEnum):
    """The portal's codes (the last segment of each action's POST path)."""

    ACCEPT = "accepter"
    APPROVE = "accord"
    AGENT_CONSENT = "accord-agent"
    CONFIRM_SESSION = "confirmer-seance"


@dataclass(frozen=True, slots=True)
class ActionClaim:
    loan_id: UUID
    action: LoanAction
    person_id: UUID
    expires_at: datetime


class LinkCheck(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    FORGED = "forged"
    OTHER_PERSON = "other_person"


def action_claim(loan_id: UUID, action: LoanAction, person_id: UUID, now: datetime) -> ActionClaim:
    return ActionClaim(loan_id, action, person_id, now + LIFETIME)


def make_action_token(claim: ActionClaim, secret: bytes) -> str:
    expires = int(claim.expires_at.timestamp())
    payload = f"{claim.loan_id} {claim.action.value} {claim.person_id} {expires}"
    return signed_tokens.sign(PURPOSE, payload, secret)


def read_action_token(token: str, secret: bytes) -> ActionClaim | None:
    """The claim of a genuine token, expired or not; None for a forged or mangled one."""
    payload = signed_tokens.verify(PURPOSE, token, secret)
    if payload is None:
        return None
    try:
        loan, action, person, expires = payload.split(" ")
        return ActionClaim(
            UUID(loan),
            LoanAction(action),
            UUID(person),
            datetime.fromtimestamp(int(expires), tz=UTC),
        )
    except ValueError:
        return None


def check_action_link(
    token: str,
    secret: bytes,
    *,
    loan_id: UUID,
    action: str,
    person_id: UUID,
    now: datetime,
) -> LinkCheck:
    """Whether this link, opened on this loan's page by this person now, is honoured."""
    claim = read_action_token(token, secret)
    if claim is None or claim.loan_id != loan_id or claim.action.value != action:
        return LinkCheck.FORGED
    if now >= claim.expires_at:
        return LinkCheck.EXPIRED
    if claim.person_id != person_id:
        return LinkCheck.OTHER_PERSON
    return LinkCheck.VALID
