from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from deformations_devtools.diagnosis.synthetic import synthetic_submissions
from deformations_diagnosis.content.model import Questionnaire
from deformations_diagnosis.domain.collective import collective_result
from deformations_diagnosis.domain.errors import MissingAnswerError, WrongVersionError
from deformations_diagnosis.domain.scoring import score_submission
from deformations_diagnosis.web.render import (
    form_answers,
    form_consent,
    render_collective_result,
    render_individual_result,
    render_quiz_page,
)
from deformations_diagnosis.web.svg import Bar, RadarAxis, bars_svg, radar_svg


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]


def _parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


def test_every_quiz_page_renders_accessible_fields(questionnaire: Questionnaire) -> None:
    for page, section in enumerate(questionnaire.sections):
        html = render_quiz_page(questionnaire, page, action="/q")
        tags = _parse(html)
        assert tags.all("html")[0]["lang"] == "fr"
        assert any(m.get("name") == "viewport" for m in tags.all("meta"))
        assert len(tags.all("fieldset")) == len(section.items)
        assert html.count("<legend>") == len(section.items)
        progress = tags.all("progress")[0]
        assert progress["value"] == str(page + 1)
        assert progress["max"] == str(len(questionnaire.sections))
        inputs = [i for i in tags.all("input") if i.get("type") in {"radio", "checkbox"}]
        expected = sum(len(questionnaire.item(i).options) for i in section.items)
        assert len(inputs) == expected
        assert html.count('<label class="choix">') == expected
        assert f"Étape {page + 1} sur" in html


def test_answers_of_other_pages_ride_along_and_current_ones_are_checked(
    questionnaire: Questionnaire,
) -> None:
    answers = {"mandat": ("adjoint",), "q_climat": ("b",), "creneaux": ("tot", "soir")}
    html = render_quiz_page(questionnaire, 1, answers, action="/q", hidden={"jeton": "abc"})
    hidden = {
        (i["name"], i["value"]) for i in _parse(html).all("input") if i.get("type") == "hidden"
    }
    assert {
        ("mandat", "adjoint"),
        ("creneaux", "tot"),
        ("creneaux", "soir"),
        ("jeton", "abc"),
    } <= hidden
    checked = [i for i in _parse(html).all("input") if "checked" in i]
    assert [(i["name"], i["value"]) for i in checked] == [("q_climat", "b")]
    assert "Précédent" in html


def test_consent_is_asked_on_the_last_page_only(questionnaire: Questionnaire) -> None:
    last = len(questionnaire.sections) - 1
    assert 'name="partage"' not in render_quiz_page(questionnaire, 0, action="/q", ask_consent=True)
    html = render_quiz_page(questionnaire, last, action="/q", ask_consent=True)
    assert 'name="partage" value="oui"' in html
    assert "à partir de 3 réponses partagées" in html
    assert 'name="partage"' not in render_quiz_page(questionnaire, last, action="/q")
    carried = render_quiz_page(questionnaire, 1, action="/q", ask_consent=True, consent=True)
    assert '<input type="hidden" name="partage" value="oui">' in carried
    assert form_consent({"partage": ["oui"]})
    assert not form_consent({"mandat": ["maire"]})


def test_errors_are_announced_and_tied_to_their_question(questionnaire: Questionnaire) -> None:
    problems = [MissingAnswerError("q_climat"), WrongVersionError("old", questionnaire.version)]
    html = render_quiz_page(questionnaire, 1, {}, action="/q", problems=problems)
    assert 'role="alert"' in html
    assert 'aria-describedby="err-q_climat"' in html
    assert "Il manque une réponse" in html
    assert "version « old »" in html


def test_text_is_escaped(questionnaire: Questionnaire) -> None:
    html = render_quiz_page(questionnaire, 0, action='/q"><script>', hidden={"x": "<b>"})
    assert "<script>" not in html
    assert "&lt;b&gt;" in html


def test_form_answers_keep_items_only(questionnaire: Questionnaire) -> None:
    form = {
        "mandat": ["maire"],
        "creneaux": ["tot", "soir"],
        "page": ["2"],
        "nav": ["next"],
        "themes": [""],
    }
    assert form_answers(questionnaire, form) == {"mandat": ("maire",), "creneaux": ("tot", "soir")}


def test_individual_result_page(questionnaire: Questionnaire) -> None:
    _, submission = synthetic_submissions(questionnaire, 1, seed=2)[0]
    result = score_submission(questionnaire, submission)
    html = render_individual_result(questionnaire, result)
    family = questionnaire.family(result.family)
    assert family.name in html.replace("&#39;", "'")
    assert "<svg" in html
    assert 'role="img"' in html
    assert result.next_step.title.replace("'", "&#39;") in html
    assert "Vous avez déjà un pied dedans" in html


def test_collective_page_with_and_without_enough_responses(questionnaire: Questionnaire) -> None:
    pending = render_collective_result(questionnaire, None, team_name="Conseil municipal de Saclay")
    assert "à partir de 3 réponses" in pending
    assert "<svg" not in pending
    two = [
        score_submission(questionnaire, s)
        for _, s in synthetic_submissions(questionnaire, 2, seed=4)
    ]
    html = render_collective_result(
        questionnaire,
        collective_result(questionnaire, [*two, *two, *two]),
        team_name="Conseil municipal de Saclay",
    )
    assert html.count("<svg") == 2
    assert "6 réponses partagées" in html
    assert "Des formats à essayer ensemble" in html


def test_a_team_of_three_profiles_shows_no_family(questionnaire: Questionnaire) -> None:
    by_family = {}
    for _, s in synthetic_submissions(questionnaire, 40, seed=8):
        result = score_submission(questionnaire, s)
        by_family.setdefault(result.family, result)
    three = list(by_family.values())[:3]
    assert len(three) == 3
    html = render_collective_result(
        questionnaire, collective_result(questionnaire, three), team_name="Conseil de Saclay"
    )
    assert html.count("<svg") == 1  # the radar of means, no chart of families
    assert "Les 3 réponses se répartissent entre des familles de moins de 3 personnes" in html
    for family in by_family.values():
        assert questionnaire.family(family.family).name not in html


def test_charts_are_well_formed_svg_with_text_alternatives() -> None:
    axes = [
        RadarAxis(f"Axe {i}", "bas", "pôle haut & loin", v)
        for i, v in enumerate([0, 30, 50, 80, 100])
    ]
    radar = ET.fromstring(radar_svg(axes, "Profil"))
    ns = "{http://www.w3.org/2000/svg}"
    assert radar.find(f"{ns}title") is not None
    desc = radar.find(f"{ns}desc")
    assert desc is not None
    assert "Axe 3 : 80 sur 100" in (desc.text or "")
    bars = ET.fromstring(bars_svg([Bar("Les bâtisseurs", 3), Bar("Les <autres>", 0)], "Familles"))
    assert len(bars.findall(f"{ns}rect")) == 2
    with pytest.raises(ValueError, match="three axes"):
        radar_svg(axes[:2], "x")
