"""The training pages' pure parts: prices typed in euros, the publish form, and the
training service's problem details turned into French errors (no server)."""

import httpx
import pytest

from deformations_common.vocabulary.errors import InvalidInput
from deformations_portal.web.training import cents_of, euros
from deformations_portal.web.training_client import (
    TrainingConflict,
    TrainingInvalid,
    TrainingNotFound,
    TrainingUnavailable,
    problem,
)
from deformations_portal.web.training_trainer import offer_body


def test_prices_are_read_and_written_in_euros() -> None:
    assert cents_of("150", "le prix") == 15_000
    assert cents_of(" 150,50 € ", "le prix") == 15_050
    assert euros(15_000) == "150 €" and euros(15_050) == "150,50 €"
    assert euros(100_000) == "1 000 €" and euros(None) == "—"
    with pytest.raises(InvalidInput, match="en euros"):
        cents_of("cent", "le prix")
    with pytest.raises(InvalidInput, match="négatif"):
        cents_of("-3", "le prix")


FORM = {
    "title": "Sobriété énergétique",
    "theme": "energie",
    "format": "evening",
    "duree": "3,5",
    "capacite": "12",
    "prix": "150",
    "lieu_insee": "26108",
    "seance1_jour": "2027-03-04",
    "seance1_debut": "18:00",
    "seance1_fin": "21:30",
    "palier1_taille": "8",
    "palier1_prix": "75",
    "cloture": "2027-02-25",
}


def test_the_publish_form_becomes_the_offer_the_service_takes() -> None:
    body = offer_body(FORM)
    assert body["duration_minutes"] == 210 and body["capacity"] == 12
    assert body["price_cents"] == 15_000 and body["place_insee"] == "26108"
    # Paris time on the form; an aware instant on the wire (winter: UTC+1).
    assert body["sessions"] == [
        {"starts_at": "2027-03-04T18:00:00+01:00", "ends_at": "2027-03-04T21:30:00+01:00"}
    ]
    assert body["group_tiers"] == [{"min_group_size": 8, "price_cents": 7_500}]
    assert body["registration_closes_at"].startswith("2027-02-25T23:59")
    assert "video_url" not in body


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": " "}, "Donnez un titre"),
        ({"capacite": "douze"}, "nombre de places"),
        ({"duree": "trois"}, "durée en heures"),
        ({"seance1_debut": "25:00"}, "Séance 1"),
        ({"palier1_prix": "gratuit"}, "prix du palier 1"),
    ],
)
def test_a_bad_publish_form_gets_a_clear_french_error(change: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        offer_body({**FORM, **change})


def _response(status: int, body: object) -> httpx.Response:
    return httpx.Response(status, json=body)


def test_problem_details_keep_the_services_french_detail_and_status() -> None:
    full = problem(
        _response(409, {"code": "already_enrolled", "detail": "Vous êtes déjà inscrite."})
    )
    assert isinstance(full, TrainingConflict) and full.status == 409
    assert full.message == "Vous êtes déjà inscrite."
    assert full.details == {"upstream_code": "already_enrolled"}
    assert isinstance(problem(_response(404, {"detail": "Introuvable."})), TrainingNotFound)
    # FastAPI's own validation errors are a list: the person gets one French sentence.
    listed = problem(_response(422, {"detail": [{"loc": ["body"], "msg": "x"}]}))
    assert isinstance(listed, TrainingInvalid)
    assert "ne sont pas valables" in listed.message
    down = problem(httpx.Response(502, text="Bad gateway"))
    assert isinstance(down, TrainingUnavailable) and down.status == 503
    assert "ne répond pas" in down.message
