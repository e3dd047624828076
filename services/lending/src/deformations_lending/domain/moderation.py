"""Operators hide an offer or a request with a reason, and show it again.

A hidden text leaves public lists and leads to no new loan; its collectivité still sees it,
marked hidden with the reason, and is told. Loans already under way go on: hiding judges
the text, not what two collectivités have agreed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TypeVar

from deformations_common.vocabulary.roles import Role

from .errors import InvalidInputError, InvalidTransitionError
from .events import TextHidden, TextShown
from .offers import Offer, SkillRequest
from .policy import Actor

# The contracts carry the reason as a short text (``content.hidden.v1``).
REASON_MIN = 3
REASON_MAX = 300

Moderated = TypeVar("Moderated", Offer, SkillRequest)


def hide(item: Moderated, *, reason: str, now: datetime) -> tuple[Moderated, TextHidden]:
    """The text hidden with its reason; hiding twice is refused (its author is told once)."""
    if item.hidden:
        raise InvalidTransitionError("Ce texte est déjà masqué.")
    why = " ".join(reason.split())
    if not REASON_MIN <= len(why) <= REASON_MAX:
        raise InvalidInputError(
            f"Le motif du masquage doit compter de {REASON_MIN} à {REASON_MAX} caractères."
        )
    hidden = replace(item, hidden_reason=why, hidden_at=now)
    return hidden, TextHidden(occurred_at=now, content_id=item.id, reason=why)


def show(item: Moderated, *, now: datetime) -> tuple[Moderated, TextShown]:
    if not item.hidden:
        raise InvalidTransitionError("Ce texte n'est pas masqué.")
    shown = replace(item, hidden_reason=None, hidden_at=None)
    return shown, TextShown(occurred_at=now, content_id=item.id)


def may_see(actor: Actor, item: Offer | SkillRequest) -> bool:
    """A hidden text is seen by its collectivité's people and the operators only."""
    return not item.hidden or actor.authority == item.owner or Role.OPERATOR in actor.roles
