"""The operators' back-office rules: who is an operator, what a decision must say, and
the journal of their decisions (what is recorded, how it is filtered and paged)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from deformations_common.vocabulary.roles import Role
from deformations_portal.domain.errors import InvalidJournalFilter, NotAnOperator, ReasonRequired
from deformations_portal.domain.memberships import Membership

JOURNAL_PAGE_SIZE = 20
REASON_MAX = 500


class JournalAction(StrEnum):
    MEMBERSHIP_ACCEPTED = "membership.accepted"
    MEMBERSHIP_REFUSED = "membership.refused"
    MEMBERSHIP_REVOKED = "membership.revoked"
    DEAD_LETTER_REDRIVEN = "dead_letter.redriven"
    DEAD_LETTER_DISCARDED = "dead_letter.discarded"
    CONTENT_HIDDEN = "content.hidden"
    CONTENT_SHOWN = "content.shown"
    DELIVERY_RETRIED = "delivery.retried"
    RELAY_SENDER_BLOCKED = "relay.sender_blocked"
    RELAY_REPORT_DISMISSED = "relay.report_dismissed"
    QUESTIONNAIRE_UPLOADED = "questionnaire.uploaded"
    QUESTIONNAIRE_PUBLISHED = "questionnaire.published"
    RECIPE_EDITED = "recipe.edited"

    @property
    def label(self) -> str:
        return _ACTION_LABELS[self]


_ACTION_LABELS = {
    JournalAction.MEMBERSHIP_ACCEPTED: "adhésion acceptée",
    JournalAction.MEMBERSHIP_REFUSED: "adhésion refusée",
    JournalAction.MEMBERSHIP_REVOKED: "adhésion retirée",
    JournalAction.DEAD_LETTER_REDRIVEN: "lettre morte relancée",
    JournalAction.DEAD_LETTER_DISCARDED: "lettre morte écartée",
    JournalAction.CONTENT_HIDDEN: "publication masquée",
    JournalAction.CONTENT_SHOWN: "publication réaffichée",
    JournalAction.DELIVERY_RETRIED: "envoi relancé",
    JournalAction.RELAY_SENDER_BLOCKED: "expéditeur bloqué sur le relais",
    JournalAction.RELAY_REPORT_DISMISSED: "signalement classé",
    JournalAction.QUESTIONNAIRE_UPLOADED: "questionnaire déposé",
    JournalAction.QUESTIONNAIRE_PUBLISHED: "questionnaire publié",
    JournalAction.RECIPE_EDITED: "recette modifiée",
}


@dataclass(frozen=True, slots=True)
class JournalEntry:
    at: datetime
    actor: UUID
    action: JournalAction
    subject: str
    siren: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class JournalFilter:
    action: JournalAction | None = None
    siren: str | None = None
    page: int = 1

    @property
    def offset(self) -> int:
        return (self.page - 1) * JOURNAL_PAGE_SIZE


def operator_membership(held: Iterable[Membership]) -> Membership | None:
    """The validated operator membership a person acts through in the back-office."""
    for membership in held:
        if membership.validated and membership.role is Role.OPERATOR:
            return membership
    return None


def require_operator(held: Iterable[Membership]) -> Membership:
    found = operator_membership(held)
    if found is None:
        raise NotAnOperator("Cette page est réservée aux opérateurs de la plateforme.")
    return found


def reason(text: str | None, *, required: bool) -> str | None:
    """Why an operator decided: required to refuse or revoke, at most 500 characters."""
    cleaned = " ".join((text or "").split())
    if not cleaned:
        if required:
            raise ReasonRequired("Indiquez le motif de cette décision : la personne le lira.")
        return None
    if len(cleaned) > REASON_MAX:
        raise ReasonRequired(f"Le motif dépasse {REASON_MAX} caractères : raccourcissez-le.")
    return cleaned


def journal_filter(action: str = "", siren: str = "", page: str = "1") -> JournalFilter:
    """The journal's filters as typed in the page's form; a bad value is refused."""
    chosen: JournalAction | None = None
    if action:
        try:
            chosen = JournalAction(action)
        except ValueError:
            raise InvalidJournalFilter("Choisissez une action dans la liste.") from None
    code = siren.strip()
    if code and not re.fullmatch(r"[0-9]{9}", code):
        raise InvalidJournalFilter("Un SIREN compte 9 chiffres.")
    try:
        number = int(page or "1")
    except ValueError:
        number = 0
    if number < 1:
        raise InvalidJournalFilter("Le numéro de page doit être un entier positif.")
    return JournalFilter(chosen, code or None, number)


def pages(total: int) -> int:
    return max(1, -(-total // JOURNAL_PAGE_SIZE))
