"""The meeting forms read into the bodies matching's API takes (pure: no I/O).

Each bad field raises ``InvalidInput`` with a French sentence naming it, before anything
is sent; what matching refuses itself comes back as its own French ``detail``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from typing import Any

from deformations_common.vocabulary.errors import InvalidInput
from deformations_common.vocabulary.french import PARIS
from deformations_contracts.themes import LABELS as THEME_LABELS

THEMES = {t.value: label for t, label in THEME_LABELS.items()}
SLOTS = {
    "early_morning": "Tôt le matin (avant 9 h)",
    "morning": "Le matin",
    "lunch": "Pause déjeuner",
    "afternoon": "L'après-midi",
    "evening": "Le soir (après 18 h)",
    "weekend": "Le week-end",
}
MODALITIES = {
    "either": "Sur place ou à distance",
    "on_site": "Sur place",
    "remote": "À distance",
}
CAFE_ROLES = {"": "Ne participe pas", "elu": "Élu·e", "technicien": "Technicien·ne"}
PROBLEM_MIN, PROBLEM_MAX = 10, 2000


def _text(form: Mapping[str, str], name: str) -> str:
    return str(form.get(name, "")).strip()


def _int(form: Mapping[str, str], name: str, what: str, low: int, high: int, default: int) -> int:
    raw = _text(form, name)
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise InvalidInput(f"Indiquez {what} : un nombre entier de {low} à {high}.")
    return int(raw)


def moment(day: str, hour: str, what: str) -> datetime:
    """A day and an hour typed in Paris time, as an aware instant."""
    try:
        return datetime.combine(
            datetime.strptime(day.strip(), "%Y-%m-%d").date(),
            time.fromisoformat(hour.strip()),
            PARIS,
        )
    except ValueError:
        raise InvalidInput(
            f"{what} : indiquez une date (jj/mm/aaaa) et une heure (hh:mm)."
        ) from None


def _place(form: Mapping[str, str], what: str) -> dict[str, Any]:
    """On site with a place, or remote: the API refuses on site without one."""
    remote = _text(form, "a_distance") == "oui"
    place = _text(form, "lieu")
    if not remote and len(place) < 3:
        raise InvalidInput(f"Indiquez le lieu {what}, ou cochez « à distance ».")
    if len(place) > 200:
        raise InvalidInput("Le lieu tient en 200 caractères au plus.")
    return {"remote": remote, "place_label": place or None}


def call_body(form: Mapping[str, str], slots: Sequence[str]) -> dict[str, Any]:
    """An appel à pairs (or the answer to one: one's own call on the same theme)."""
    theme = _text(form, "theme")
    if theme not in THEMES:
        raise InvalidInput("Choisissez le thème de votre difficulté.")
    problem = _text(form, "probleme")
    if not PROBLEM_MIN <= len(problem) <= PROBLEM_MAX:
        raise InvalidInput(
            f"Décrivez votre difficulté en {PROBLEM_MIN} à {PROBLEM_MAX} caractères."
        )
    unknown = [s for s in slots if s not in SLOTS]
    if unknown:
        raise InvalidInput("Choisissez vos créneaux dans la liste proposée.")
    modality = _text(form, "modalite") or "either"
    if modality not in MODALITIES:
        raise InvalidInput("Choisissez sur place, à distance, ou les deux.")
    body: dict[str, Any] = {
        "theme": theme,
        "problem": problem,
        "anonymous": _text(form, "nominatif") != "oui",
        "modality": modality,
    }
    # No slot ticked: matching takes those of the latest diagnosis.
    if slots:
        body["time_slots"] = list(dict.fromkeys(slots))
    return body


def schedule_body(form: Mapping[str, str]) -> dict[str, Any]:
    """The group's first session and its follow-ups."""
    return {
        "first_session_at": moment(
            _text(form, "jour"), _text(form, "heure"), "Première séance"
        ).isoformat(),
        "every_weeks": _int(form, "rythme", "le rythme en semaines", 1, 8, 4),
        "follow_ups": _int(form, "suites", "le nombre de séances de suivi", 4, 5, 4),
        "duration_minutes": _int(form, "duree", "la durée en minutes", 30, 240, 90),
        **_place(form, "des séances"),
    }


def reschedule_body(form: Mapping[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "starts_at": moment(_text(form, "jour"), _text(form, "heure"), "Nouvel horaire").isoformat()
    }
    if _text(form, "duree"):
        body["duration_minutes"] = _int(form, "duree", "la durée en minutes", 15, 480, 90)
    if _text(form, "a_distance") == "oui":
        body["remote"] = True
    elif _text(form, "lieu"):
        body.update(_place(form, "de la séance"))
    reason = _text(form, "raison")
    if reason:
        body["reason"] = _reason(reason)
    return body


def _reason(text: str) -> str:
    if not 3 <= len(text) <= 300:
        raise InvalidInput("Donnez la raison en 3 à 300 caractères.")
    return text


def cancel_body(form: Mapping[str, str]) -> dict[str, Any]:
    reason = _text(form, "raison")
    if not reason:
        raise InvalidInput("Dites en quelques mots pourquoi la séance est annulée.")
    return {"reason": _reason(reason)}


def _day(form: Mapping[str, str], name: str, what: str) -> date:
    try:
        return datetime.strptime(_text(form, name), "%Y-%m-%d").date()
    except ValueError:
        raise InvalidInput(f"Indiquez {what} au format jj/mm/aaaa.") from None


def _hour(form: Mapping[str, str], name: str, default: str, what: str) -> str:
    raw = _text(form, name) or default
    try:
        return time.fromisoformat(raw).strftime("%H:%M")
    except ValueError:
        raise InvalidInput(f"Indiquez {what} au format hh:mm.") from None


def cafe_body(form: Mapping[str, str], siren: str, people: Sequence[str]) -> dict[str, Any]:
    """A café cycle of a collectivité: who comes as élu or technicien, on which subjects.

    ``form`` holds ``role_<person id>`` (elu, technicien or empty) for each of ``people``
    and ``sujets`` joined by commas (the ticked themes)."""
    subjects = [s for s in _text(form, "sujets").split(",") if s]
    if not subjects:
        raise InvalidInput("Choisissez au moins un sujet pour les cafés.")
    if any(s not in THEMES for s in subjects):
        raise InvalidInput("Choisissez les sujets dans la liste proposée.")
    participants = []
    for person in people:
        role = _text(form, f"role_{person}")
        if role not in CAFE_ROLES:
            raise InvalidInput("Choisissez élu·e, technicien·ne ou « ne participe pas ».")
        if role:
            participants.append({"person_id": person, "role": role, "subjects": subjects})
    roles = {p["role"] for p in participants}
    if roles != {"elu", "technicien"}:
        raise InvalidInput("Un café réunit au moins un·e élu·e et un·e technicien·ne.")
    start = _hour(form, "debut", "08:00", "l'heure de début")
    end = _hour(form, "fin", "09:00", "l'heure de fin")
    if end <= start:
        raise InvalidInput("L'heure de fin vient après l'heure de début.")
    return {
        "collectivite_siren": siren,
        "first_day": _day(form, "premier_jour", "le jour du premier café").isoformat(),
        "start": start,
        "end": end,
        "months": _int(form, "mois", "le nombre de mois", 1, 12, 3),
        **_place(form, "des cafés"),
        "participants": participants,
    }


def speed_dating_body(
    form: Mapping[str, str], epci: str, communes: Mapping[str, str]
) -> dict[str, Any]:
    """An evening of the EPCI: ``communes`` gives the INSEE code of each élu who may come;
    those ticked (``participant`` joined by commas) take part."""
    chosen = [p for p in _text(form, "participants").split(",") if p]
    if any(p not in communes for p in chosen):
        raise InvalidInput("Choisissez les participants dans la liste proposée.")
    if len(chosen) < 2:
        raise InvalidInput("Un speed dating réunit au moins deux élus.")
    return {
        "epci_siren": epci,
        "starts_at": moment(
            _text(form, "jour"), _text(form, "heure"), "Début de la soirée"
        ).isoformat(),
        "rounds": _int(form, "tours", "le nombre de tours", 1, 100, 5),
        "minutes_per_round": _int(form, "minutes", "la durée d'un tour en minutes", 2, 60, 7),
        "minutes_between": _int(form, "pause", "la pause entre deux tours en minutes", 0, 30, 2),
        **_place(form, "de la soirée"),
        "participants": [{"person_id": p, "commune_insee": communes[p]} for p in chosen],
    }
