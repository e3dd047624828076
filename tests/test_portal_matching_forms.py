"""The meeting forms read into matching's bodies, and matching's problem details turned into
French errors (no server)."""

import httpx
import pytest

from deformations_common.vocabulary.errors import InvalidInput
from deformations_portal.web.matching_client import (
    MatchingConflict,
    MatchingForbidden,
    MatchingGone,
    MatchingInvalid,
    MatchingUnavailable,
    problem,
)
from deformations_portal.web.matching_forms import (
    cafe_body,
    call_body,
    cancel_body,
    reschedule_body,
    schedule_body,
    speed_dating_body,
)
from deformations_portal.web.meetings_gatherings import communes_of, epci_of

CALL = {"theme": "energie", "probleme": "Nos écoles chauffent mal : par où commencer ?"}


def test_an_appel_is_anonymous_unless_asked_and_takes_the_diagnosis_slots_when_none() -> None:
    body = call_body(CALL, [])
    assert body == {
        "theme": "energie",
        "problem": CALL["probleme"],
        "anonymous": True,
        "modality": "either",
    }
    named = call_body({**CALL, "nominatif": "oui", "modalite": "remote"}, ["evening", "evening"])
    assert named["anonymous"] is False and named["modality"] == "remote"
    assert named["time_slots"] == ["evening"]


@pytest.mark.parametrize(
    ("change", "slots", "message"),
    [
        ({"theme": "sport"}, [], "Choisissez le thème"),
        ({"probleme": "Aidez-moi"}, [], "10 à 2000 caractères"),
        ({}, ["midnight"], "créneaux dans la liste"),
        ({"modalite": "teleportation"}, [], "sur place, à distance"),
    ],
)
def test_a_bad_appel_gets_a_french_message(
    change: dict[str, str], slots: list[str], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        call_body({**CALL, **change}, slots)


def test_sessions_are_typed_in_paris_time_and_sent_as_instants() -> None:
    form = {"jour": "2027-01-12", "heure": "18:30", "lieu": "Mairie de Crest"}
    body = schedule_body(form)
    assert body["first_session_at"] == "2027-01-12T18:30:00+01:00"
    assert body["every_weeks"] == 4 and body["follow_ups"] == 4
    assert body["duration_minutes"] == 90 and body["remote"] is False
    assert schedule_body({**form, "lieu": "", "a_distance": "oui"})["remote"] is True
    summer = schedule_body({**form, "jour": "2027-07-06", "suites": "5", "rythme": "2"})
    assert summer["first_session_at"].endswith("+02:00") and summer["follow_ups"] == 5
    with pytest.raises(InvalidInput, match="Indiquez le lieu des séances"):
        schedule_body({**form, "lieu": ""})
    with pytest.raises(InvalidInput, match="de 4 à 5"):
        schedule_body({**form, "suites": "9"})
    with pytest.raises(InvalidInput, match="Première séance : indiquez une date"):
        schedule_body({**form, "jour": "12/01/2027"})


def test_moving_and_cancelling_a_session() -> None:
    moved = reschedule_body({"jour": "2027-01-19", "heure": "12:15", "a_distance": "oui"})
    assert moved == {"starts_at": "2027-01-19T12:15:00+01:00", "remote": True}
    placed = reschedule_body({"jour": "2027-01-19", "heure": "12:15", "lieu": "Salle 2"})
    assert placed["place_label"] == "Salle 2" and placed["remote"] is False
    assert cancel_body({"raison": "Conseil ce soir-là"}) == {"reason": "Conseil ce soir-là"}
    with pytest.raises(InvalidInput, match="pourquoi"):
        cancel_body({"raison": " "})


def test_a_cafe_needs_an_elu_a_technician_and_a_subject() -> None:
    form = {
        "sujets": "energie,eau",
        "premier_jour": "2027-02-01",
        "lieu": "Mairie",
        "role_a": "elu",
        "role_b": "technicien",
        "role_c": "",
    }
    body = cafe_body(form, "212601082", ["a", "b", "c"])
    assert [p["person_id"] for p in body["participants"]] == ["a", "b"]
    assert body["participants"][0]["subjects"] == ["energie", "eau"]
    assert (body["start"], body["end"], body["months"]) == ("08:00", "09:00", 3)
    with pytest.raises(InvalidInput, match="au moins un·e élu·e et un·e technicien·ne"):
        cafe_body({**form, "role_b": "elu"}, "212601082", ["a", "b", "c"])
    with pytest.raises(InvalidInput, match="au moins un sujet"):
        cafe_body({**form, "sujets": ""}, "212601082", ["a", "b"])
    with pytest.raises(InvalidInput, match="fin vient après"):
        cafe_body({**form, "debut": "09:00", "fin": "08:00"}, "212601082", ["a", "b"])


def test_an_evening_takes_only_elus_of_the_epci() -> None:
    communes = {"a": "26108", "b": "26011"}
    form = {"participants": "a,b", "jour": "2027-03-04", "heure": "18:30", "lieu": "Crest"}
    body = speed_dating_body(form, "200040509", communes)
    assert body["participants"] == [
        {"person_id": "a", "commune_insee": "26108"},
        {"person_id": "b", "commune_insee": "26011"},
    ]
    assert body["rounds"] == 5 and body["minutes_per_round"] == 7
    with pytest.raises(InvalidInput, match="dans la liste"):
        speed_dating_body({**form, "participants": "a,z"}, "200040509", communes)
    with pytest.raises(InvalidInput, match="de 1 à 100"):
        speed_dating_body({**form, "tours": "0"}, "200040509", communes)


def test_the_epci_of_a_commune_and_its_communes() -> None:
    assert epci_of("212601082") == "200040509"  # Crest, in the CC du Crestois
    assert epci_of("200040509") == "200040509"
    assert epci_of("000000000") is None
    assert communes_of("200040509")["212601082"] == "26108"


def _response(status: int, body: object) -> httpx.Response:
    return httpx.Response(status, json=body)


def test_matchings_refusals_keep_their_french_detail_and_status() -> None:
    full = problem(_response(409, {"code": "too_few_peers", "detail": "Pas encore assez."}))
    assert isinstance(full, MatchingConflict) and full.message == "Pas encore assez."
    assert full.details == {"upstream_code": "too_few_peers"}
    assert isinstance(problem(_response(403, {"detail": "Non."})), MatchingForbidden)
    assert isinstance(problem(_response(410, {"detail": "Annulée."})), MatchingGone)
    listed = problem(_response(422, {"detail": [{"loc": ["body"], "msg": "x"}]}))
    assert isinstance(listed, MatchingInvalid) and "ne sont pas valables" in listed.message
    down = problem(httpx.Response(502, text="Bad gateway"))
    assert isinstance(down, MatchingUnavailable) and down.status == 503
    assert "mise en relation ne répond pas" in down.message
