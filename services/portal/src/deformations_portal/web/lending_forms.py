"""The skill-lending forms as people fill them, turned into the bodies of lending's API.

Pure: a form (its fields as typed) becomes a body, or a French message per field so the
page shows each beside its field and sends nothing. Lending still checks everything (the
period, the capacity…); what it refuses comes back as one message above the form.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

# Lending's values (deformations_contracts.types.Modality…) with their French labels.
MODALITIES = {
    "either": "Sur place ou à distance",
    "on_site": "Sur place",
    "remote": "À distance",
}
REIMBURSEMENTS = {
    "full_salary": "Remboursement de la rémunération au prorata des demi-journées",
    "flat_rate": "Forfait par demi-journée effectuée",
    "expenses_only": "Frais de déplacement et de repas seulement",
    "none": "Sans remboursement (quand la loi le permet)",
}
VISIBILITIES = {
    "visible": "Un métier (technicienne, juriste…)",
    "invisible": "Un savoir-faire (animer une réunion, monter un dossier…)",
}
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi")
PARTS = {"am": "matin", "pm": "après-midi"}
# Every half-day of the working week a form offers, as lending codes them (ISO weekday).
HALF_DAYS = tuple(
    (f"{n}:{part}", f"{day} {label}")
    for n, day in enumerate(WEEKDAYS, start=1)
    for part, label in PARTS.items()
)
MAX_HALF_DAYS = 520
ANSWER_SCALE = (
    ("1", "1 — pas du tout"),
    ("2", "2"),
    ("3", "3"),
    ("4", "4"),
    ("5", "5 — tout à fait"),
)


@dataclass
class Checked:
    """A form read: the body for lending, or the French message of each wrong field."""

    body: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(
    form: Mapping[str, str], key: str, checked: Checked, what: str, low: int, high: int
) -> str:
    value = form.get(key, "").strip()
    if len(value) < low:
        checked.errors[key] = (
            f"Indiquez {what}." if not value else f"Écrivez au moins {low} caractères pour {what}."
        )
    elif len(value) > high:
        checked.errors[key] = f"{what.capitalize()} dépasse {high} caractères."
    return value


def _count(form: Mapping[str, str], key: str, checked: Checked, what: str) -> int:
    value = form.get(key, "").strip()
    if not value.isdigit() or not 1 <= int(value) <= MAX_HALF_DAYS:
        checked.errors[key] = f"Indiquez {what} : un nombre entier entre 1 et {MAX_HALF_DAYS}."
        return 0
    return int(value)


def _day(form: Mapping[str, str], key: str, checked: Checked, what: str) -> date | None:
    value = form.get(key, "").strip()
    try:
        return date.fromisoformat(value)
    except ValueError:
        checked.errors[key] = f"Indiquez {what} (une date, par exemple 2027-03-15)."
        return None


def _period(form: Mapping[str, str], checked: Checked) -> dict[str, str] | None:
    start = _day(form, "du", checked, "le premier jour")
    end = _day(form, "au", checked, "le dernier jour")
    if start is None or end is None:
        return None
    if end < start:
        checked.errors["au"] = "Le dernier jour doit suivre le premier."
        return None
    return {"start": start.isoformat(), "end": end.isoformat()}


def _choice(
    form: Mapping[str, str], key: str, checked: Checked, allowed: Mapping[str, str], what: str
) -> str:
    value = form.get(key, "")
    if value not in allowed:
        checked.errors[key] = f"Choisissez {what}."
    return value


def _theme(form: Mapping[str, str], checked: Checked, themes: Mapping[str, str]) -> str:
    return _choice(form, "theme", checked, themes, "un thème")


def _weekly(half_days: Sequence[str], checked: Checked, *, required: bool) -> list[dict[str, Any]]:
    known = dict(HALF_DAYS)
    chosen = [h for h in half_days if h in known]
    if required and not chosen:
        checked.errors["creneau"] = "Cochez au moins une demi-journée possible dans la semaine."
    return [
        {"weekday": int(code.split(":")[0]), "part": code.split(":")[1]}
        for code in sorted(set(chosen))
    ]


def offer_body(
    form: Mapping[str, str], half_days: Sequence[str], themes: Mapping[str, str]
) -> Checked:
    """« Proposer une compétence »: the offer lending publishes."""
    checked = Checked()
    checked.body = {
        "theme": _theme(form, checked, themes),
        "description": _text(
            form, "description", checked, "ce que l'agent peut apporter", 10, 2000
        ),
        "agent_role": _text(form, "agent_role", checked, "la fonction de l'agent", 3, 120),
        "agent_ref": _text(form, "agent_ref", checked, "la référence interne de l'agent", 1, 80),
        "visibility": _choice(form, "visibilite", checked, VISIBILITIES, "le genre de compétence"),
        "capacity_half_days": _count(form, "capacite", checked, "le nombre de demi-journées"),
        "period": _period(form, checked),
        "possible_half_days": _weekly(half_days, checked, required=True),
        "modality": _choice(form, "modalite", checked, MODALITIES, "la façon d'intervenir"),
        "reimbursement": _choice(
            form, "remboursement", checked, REIMBURSEMENTS, "le remboursement"
        ),
        "reimbursement_details": _text(
            form, "remboursement_details", checked, "les précisions", 0, 1000
        ),
    }
    return checked


def request_body(
    form: Mapping[str, str], half_days: Sequence[str], themes: Mapping[str, str]
) -> Checked:
    """« Exprimer un besoin »: the request lending publishes."""
    checked = Checked()
    checked.body = {
        "theme": _theme(form, checked, themes),
        "need": _text(form, "besoin", checked, "votre besoin", 10, 2000),
        "period": _period(form, checked),
        "half_days": _count(form, "demi_journees", checked, "le nombre de demi-journées"),
        "possible_half_days": _weekly(half_days, checked, required=False),
        "modality": _choice(form, "modalite", checked, MODALITIES, "la façon d'intervenir"),
    }
    return checked


def loan_body(offer_id: str, form: Mapping[str, str]) -> Checked:
    """Asking for an offer: the loan is proposed and accepted by the borrower at once."""
    checked = Checked()
    checked.body = {
        "offer_id": offer_id,
        "half_days": _count(form, "demi_journees", checked, "le nombre de demi-journées"),
        "period": _period(form, checked),
        "scope": _text(form, "perimetre", checked, "la mission confiée", 10, 2000),
        "modality": _choice(form, "modalite", checked, MODALITIES, "la façon d'intervenir"),
        "accept": True,
    }
    return checked


def session_body(form: Mapping[str, str]) -> Checked:
    """A half-day proposed for an agreed loan."""
    checked = Checked()
    day = _day(form, "jour", checked, "le jour")
    checked.body = {
        "day": day.isoformat() if day else "",
        "part": _choice(form, "moment", checked, PARTS, "le matin ou l'après-midi"),
    }
    place = form.get("lieu", "").strip()
    if form.get("a_distance") == "oui":
        checked.body["remote"] = True
    elif place:
        checked.body["place_label"] = _text(form, "lieu", checked, "le lieu", 3, 200)
    return checked


def reschedule_body(form: Mapping[str, str]) -> Checked:
    checked = Checked()
    day = _day(form, "jour", checked, "le nouveau jour")
    checked.body = {
        "day": day.isoformat() if day else "",
        "part": _choice(form, "moment", checked, PARTS, "le matin ou l'après-midi"),
    }
    reason = form.get("motif", "").strip()
    if reason:
        checked.body["reason"] = _text(form, "motif", checked, "le motif", 3, 300)
    return checked


def reason_body(form: Mapping[str, str]) -> Checked:
    checked = Checked()
    checked.body = {"reason": _text(form, "motif", checked, "un motif", 3, 300)}
    return checked


def answers_body(form: Mapping[str, str], questionnaire: Mapping[str, Any]) -> Checked:
    """The answers to one of lending's questionnaires (scale 1–5, yes/no, free text)."""
    checked = Checked()
    answers: dict[str, Any] = {}
    for question in questionnaire["questions"]:
        code, kind = question["code"], question["kind"]
        value = form.get(code, "").strip()
        if kind == "scale":
            if value in {"1", "2", "3", "4", "5"}:
                answers[code] = int(value)
            elif question.get("required", True):
                checked.errors[code] = "Choisissez une réponse de 1 à 5."
        elif kind == "yes_no":
            if value in {"oui", "non"}:
                answers[code] = value == "oui"
            elif question.get("required", True):
                checked.errors[code] = "Répondez par oui ou par non."
        elif value:
            answers[code] = _text(form, code, checked, "votre réponse", 1, 1000)
        elif question.get("required", True):
            checked.errors[code] = "Répondez à cette question."
    checked.body = {"answers": answers}
    return checked
