"""The signed-in quiz: the posted form read against diagnosis's questionnaire data."""

from __future__ import annotations

from deformations_portal.domain.quiz import items_by_section, read_answers

QUESTIONNAIRE = {
    "sections": [{"id": "s", "title": "Vous", "items": ["mandat", "themes", "libre"]}],
    "items": [
        {
            "id": "mandat",
            "prompt": "Quel est votre mandat ?",
            "multiple": False,
            "required": True,
            "options": [{"id": "maire"}, {"id": "adjoint"}],
        },
        {
            "id": "themes",
            "prompt": "Vos sujets ?",
            "multiple": True,
            "max_choices": 2,
            "required": True,
            "options": [{"id": "eau"}, {"id": "energie"}, {"id": "mobilite"}],
        },
        {
            "id": "libre",
            "prompt": "Autre ?",
            "multiple": False,
            "required": False,
            "options": [{"id": "oui"}, {"id": "non"}],
        },
    ],
}


def test_a_complete_form_gives_the_answers_and_no_problem() -> None:
    answers, problems = read_answers(
        QUESTIONNAIRE,
        {"mandat": ["maire"], "themes": ["eau", "energie"], "csrf": ["x"], "page": ["1"]},
    )
    assert problems == []
    assert answers == {"mandat": ["maire"], "themes": ["eau", "energie"]}


def test_each_problem_names_its_question_in_french() -> None:
    answers, problems = read_answers(
        QUESTIONNAIRE, {"themes": ["eau", "energie", "mobilite"], "libre": ["peut-etre"]}
    )
    assert [(p.item, p.message) for p in problems] == [
        ("mandat", "« Quel est votre mandat ? » : choisissez une réponse."),
        ("themes", "« Vos sujets ? » : choisissez au plus 2 réponses."),
        ("libre", "« Autre ? » : choisissez parmi les réponses proposées."),
    ]
    assert "libre" not in answers


def test_sections_carry_their_items_in_order() -> None:
    [(section, items)] = items_by_section(QUESTIONNAIRE)
    assert section["title"] == "Vous"
    assert [i["id"] for i in items] == ["mandat", "themes", "libre"]
