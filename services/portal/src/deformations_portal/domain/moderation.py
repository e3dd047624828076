"""Moderation rules of the back-office: what a hiding must say, which texts are moderated."""

from __future__ import annotations

from deformations_portal.domain.errors import ReasonRequired

# The owning services keep a reason within a short text of the contracts.
HIDE_REASON_MIN = 3
HIDE_REASON_MAX = 300


def hide_reason(text: str | None) -> str:
    """Why a text is hidden: its author reads it, so it is required and short."""
    cleaned = " ".join((text or "").split())
    if len(cleaned) < HIDE_REASON_MIN:
        raise ReasonRequired("Indiquez pourquoi ce texte est masqué : son auteur le lira.")
    if len(cleaned) > HIDE_REASON_MAX:
        raise ReasonRequired(f"Le motif dépasse {HIDE_REASON_MAX} caractères : raccourcissez-le.")
    return cleaned


BLOCK_REASON_MAX = 500


def block_reason(text: str | None) -> str:
    """Why a sender is blocked on the relay: required, for the journal and the service."""
    cleaned = " ".join((text or "").split())
    if len(cleaned) < HIDE_REASON_MIN:
        raise ReasonRequired("Indiquez pourquoi cet expéditeur est bloqué.")
    if len(cleaned) > BLOCK_REASON_MAX:
        raise ReasonRequired(f"Le motif dépasse {BLOCK_REASON_MAX} caractères : raccourcissez-le.")
    return cleaned
