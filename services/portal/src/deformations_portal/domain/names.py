"""How a person chooses to be named to her peers: a prénom and, if she wants, a nom.

A name she typed wins over her identity provider's; an e-mail link gives none, so
without it peers on an evening's page could only see « membre 3 »."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from deformations_portal.domain.errors import InvalidName

MAX_LENGTH = 60


@dataclass(frozen=True, slots=True)
class ChosenName:
    given_name: str
    usual_name: str  # "" when she gives her prénom only

    @property
    def full(self) -> str:
        return " ".join(n for n in (self.given_name, self.usual_name) if n)


def _field(value: str, label: str) -> str:
    if any(unicodedata.category(c).startswith("C") for c in value):
        raise InvalidName(f"Votre {label} contient un caractère invisible ou de contrôle.")
    # NFC: a name typed on a phone and the same one pasted compare (and show) alike.
    text = unicodedata.normalize("NFC", " ".join(value.split()))
    if len(text) > MAX_LENGTH:
        raise InvalidName(f"Votre {label} est trop long : {MAX_LENGTH} caractères au plus.")
    return text


def chosen_name(given_name: str, usual_name: str) -> ChosenName | None:
    """The name from the form, trimmed; None when both fields are left empty (the
    provider's name, if any, is shown again)."""
    given = _field(given_name, "prénom")
    usual = _field(usual_name, "nom")
    if not given and not usual:
        return None
    if not given:
        raise InvalidName("Indiquez votre prénom : c'est ainsi que vos pairs vous reconnaîtront.")
    if not any(c.isalpha() for c in given + usual):
        raise InvalidName("Votre prénom et votre nom doivent contenir au moins une lettre.")
    return ChosenName(given, usual)
