"""The three-month review of a café cycle, as the café's page asks and shows it."""

from __future__ import annotations

from typing import Any

REVIEW_NOTICE = "Vos réponses au bilan sont enregistrées."
SCALE = {
    1: "Pas du tout d'accord",
    2: "Plutôt pas d'accord",
    3: "Mitigé",
    4: "Plutôt d'accord",
    5: "Tout à fait d'accord",
}


def review_body(
    given: dict[str, str], questions: dict[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The answers as matching takes them, and a French error beside each wrong field."""
    errors: dict[str, str] = {}
    scores: dict[str, int] = {}
    for code in questions:
        value = given.get(f"note_{code}", "")
        if value.isdigit() and int(value) in SCALE:
            scores[code] = int(value)
        else:
            errors[f"note_{code}"] = "Choisissez une réponse de 1 à 5."
    text = given.get("texte", "").strip()
    if len(text) > 1000:
        errors["texte"] = "Écrivez au plus 1000 caractères."
    shared = given.get("partager") == "oui"
    body = {
        "scores": scores,
        "free_text": text or None,
        "shared": shared,
        "share_text": shared and given.get("partager_texte") == "oui",
    }
    return body, errors


def shared_view(shared: dict[str, Any]) -> dict[str, Any]:
    """The shared answers as the page lists them: for each statement, how many chose each
    point of the scale (only once matching shows counts, from its threshold)."""
    questions = [
        {
            "statement": q["statement"],
            "counts": [
                (SCALE[int(n)], c) for n, c in sorted(q["counts"].items(), key=lambda i: int(i[0]))
            ]
            if q["counts"] is not None
            else None,
        }
        for q in shared["questions"]
    ]
    return {
        "shared": shared["shared"],
        "threshold": shared["threshold"],
        "questions": questions,
        "texts": shared["texts"],
    }
