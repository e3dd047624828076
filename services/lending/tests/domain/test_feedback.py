import pytest

from deformations_lending.domain.errors import InvalidInputError
from deformations_lending.domain.feedback import (
    QUESTIONNAIRES,
    Answer,
    AnswerKind,
    Respondent,
    summarise,
    validate_answers,
)


def test_three_short_french_questionnaires() -> None:
    assert set(QUESTIONNAIRES) == set(Respondent)
    for q in QUESTIONNAIRES.values():
        assert 3 <= len(q.questions) <= 6
        assert all(question.text.endswith("?") for question in q.questions)
        assert len({question.code for question in q.questions}) == len(q.questions)


def test_validation_rejects_bad_answers() -> None:
    good = {"useful": 5, "need_met": 4, "autonomy": 3, "again": False}
    assert validate_answers(Respondent.BORROWER, good) == good
    with pytest.raises(InvalidInputError, match="1 à 5"):
        validate_answers(Respondent.BORROWER, {**good, "useful": 6})
    with pytest.raises(InvalidInputError, match="1 à 5"):
        validate_answers(Respondent.BORROWER, {**good, "useful": True})
    with pytest.raises(InvalidInputError, match="oui ou non"):
        validate_answers(Respondent.BORROWER, {**good, "again": "oui"})
    with pytest.raises(InvalidInputError, match="manquantes : need_met"):
        validate_answers(Respondent.BORROWER, {"useful": 5, "autonomy": 3, "again": True})
    with pytest.raises(InvalidInputError, match="inconnue"):
        validate_answers(Respondent.BORROWER, {**good, "salary": 3})


def test_results_per_offer_hide_small_groups_of_agents() -> None:
    borrower: dict[str, Answer] = {
        "useful": 4,
        "need_met": 2,
        "autonomy": 3,
        "again": True,
        "comment": "secret",
    }
    agent: dict[str, Answer] = {"interest": 5, "recognition": 4, "conditions": 3, "again": True}
    results = summarise(
        [
            (Respondent.BORROWER, borrower),
            (Respondent.BORROWER, {**borrower, "useful": 5, "again": False}),
            (Respondent.AGENT, agent),
            (Respondent.AGENT, agent),
        ]
    )
    useful = next(q for q in results[Respondent.BORROWER].questions if q.code == "useful")
    again = next(q for q in results[Respondent.BORROWER].questions if q.code == "again")
    assert useful.mean == 4.5
    assert again.yes_share == 0.5
    assert "secret" not in repr(results)
    assert results[Respondent.AGENT].hidden
    assert results[Respondent.AGENT].questions == ()
    assert results[Respondent.LENDER].responses == 0
    shown = summarise([(Respondent.AGENT, agent)] * 3)[Respondent.AGENT]
    assert not shown.hidden
    kinds = {q.code: q for q in QUESTIONNAIRES[Respondent.AGENT].questions}
    assert kinds["interest"].kind is AnswerKind.SCALE
    assert next(q for q in shown.questions if q.code == "interest").mean == 5.0
