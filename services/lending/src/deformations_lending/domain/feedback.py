"""Feedback after a loan (the booklet's session 2: « retour sur les expériences de mise
à disposition avec les agents concernés ») and the results per offer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from .errors import InvalidInputError


class Respondent(StrEnum):
    BORROWER = "borrower"
    LENDER = "lender"
    AGENT = "agent"


class AnswerKind(StrEnum):
    SCALE = "scale"  # 1 (pas du tout) to 5 (tout à fait)
    YES_NO = "yes_no"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class Question:
    code: str
    text: str
    kind: AnswerKind
    required: bool = True


@dataclass(frozen=True, slots=True)
class Questionnaire:
    respondent: Respondent
    title: str
    introduction: str
    questions: tuple[Question, ...]

    def question(self, code: str) -> Question:
        for q in self.questions:
            if q.code == code:
                return q
        raise InvalidInputError(f"Question inconnue : {code}.")


SCALE_MIN, SCALE_MAX = 1, 5
MAX_TEXT_ANSWER = 1000

QUESTIONNAIRES: dict[Respondent, Questionnaire] = {
    Respondent.BORROWER: Questionnaire(
        respondent=Respondent.BORROWER,
        title="Votre avis sur la mise à disposition reçue",
        introduction=(
            "Quelques questions pour savoir si ce prêt de compétences vous a été utile "
            "et comment faire mieux la prochaine fois."
        ),
        questions=(
            Question(
                "useful",
                "Cette mise à disposition a-t-elle été utile à votre commune ?",
                AnswerKind.SCALE,
            ),
            Question(
                "need_met", "Le besoin exprimé au départ a-t-il été couvert ?", AnswerKind.SCALE
            ),
            Question(
                "autonomy",
                "Vous sentez-vous plus à l'aise pour porter ce sujet ?",
                AnswerKind.SCALE,
            ),
            Question("again", "Referiez-vous appel à un prêt de compétences ?", AnswerKind.YES_NO),
            Question(
                "comment", "Un mot sur ce qui a marché ou manqué ?", AnswerKind.TEXT, required=False
            ),
        ),
    ),
    Respondent.LENDER: Questionnaire(
        respondent=Respondent.LENDER,
        title="Votre avis sur la mise à disposition accordée",
        introduction=(
            "Prêter un agent demande de la souplesse : dites-nous ce que cela a représenté "
            "pour votre collectivité."
        ),
        questions=(
            Question(
                "burden", "L'absence de l'agent a-t-elle été facile à organiser ?", AnswerKind.SCALE
            ),
            Question(
                "relations",
                "Ce prêt a-t-il renforcé les liens avec la commune voisine ?",
                AnswerKind.SCALE,
            ),
            Question(
                "framework",
                "Le cadre (convention, remboursement) était-il clair ?",
                AnswerKind.SCALE,
            ),
            Question("again", "Prêteriez-vous de nouveau cette compétence ?", AnswerKind.YES_NO),
            Question(
                "comment",
                "Une suggestion pour rendre ces prêts plus durables ?",
                AnswerKind.TEXT,
                required=False,
            ),
        ),
    ),
    Respondent.AGENT: Questionnaire(
        respondent=Respondent.AGENT,
        title="Votre retour sur votre mise à disposition",
        introduction=(
            "Vos réponses aident à faire reconnaître ces missions. Elles ne sont montrées "
            "qu'en résultats agrégés, jamais individuellement."
        ),
        questions=(
            Question("interest", "La mission vous a-t-elle intéressé·e ?", AnswerKind.SCALE),
            Question(
                "recognition",
                "Vous êtes-vous senti·e reconnu·e dans votre expertise ?",
                AnswerKind.SCALE,
            ),
            Question(
                "conditions",
                "Les conditions (trajets, horaires, accueil) étaient-elles satisfaisantes ?",
                AnswerKind.SCALE,
            ),
            Question("again", "Seriez-vous partant·e pour une autre mission ?", AnswerKind.YES_NO),
            Question(
                "comment", "Qu'avez-vous appris ou transmis ?", AnswerKind.TEXT, required=False
            ),
        ),
    ),
}

Answer = int | bool | str


def validate_answers(respondent: Respondent, answers: Mapping[str, Answer]) -> dict[str, Answer]:
    """Check answers against the questionnaire; returns them cleaned (texts stripped)."""
    questionnaire = QUESTIONNAIRES[respondent]
    cleaned: dict[str, Answer] = {}
    for code, value in answers.items():
        question = questionnaire.question(code)
        cleaned[code] = _check(question, value)
    missing = [q.code for q in questionnaire.questions if q.required and q.code not in cleaned]
    if missing:
        raise InvalidInputError(f"Réponses manquantes : {', '.join(missing)}.")
    return cleaned


def _check(question: Question, value: Answer) -> Answer:
    if question.kind is AnswerKind.SCALE:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInputError(f"« {question.text} » attend une note de 1 à 5.")
        if not SCALE_MIN <= value <= SCALE_MAX:
            raise InvalidInputError(f"« {question.text} » attend une note de 1 à 5.")
        return value
    if question.kind is AnswerKind.YES_NO:
        if not isinstance(value, bool):
            raise InvalidInputError(f"« {question.text} » attend oui ou non.")
        return value
    if not isinstance(value, str):
        raise InvalidInputError(f"« {question.text} » attend un texte.")
    text = value.strip()
    if len(text) > MAX_TEXT_ANSWER:
        raise InvalidInputError(f"La réponse dépasse {MAX_TEXT_ANSWER} caractères.")
    return text


# Agents are people: their answers are shown only when enough of them answered.
MIN_GROUP_SIZE = 3


@dataclass(frozen=True, slots=True)
class QuestionResult:
    code: str
    text: str
    responses: int
    mean: float | None = None  # scale questions
    yes_share: float | None = None  # yes/no questions


@dataclass(frozen=True, slots=True)
class RespondentResults:
    respondent: Respondent
    responses: int
    questions: tuple[QuestionResult, ...]
    hidden: bool  # too few responses to show without exposing someone


def summarise(
    responses: Iterable[tuple[Respondent, Mapping[str, Answer]]],
) -> dict[Respondent, RespondentResults]:
    """Results of one offer's loans per respondent kind; free texts are never aggregated.

    Agents' results are hidden below ``MIN_GROUP_SIZE`` responses; collectivités answer
    as institutions, so theirs are always shown."""
    grouped: dict[Respondent, list[Mapping[str, Answer]]] = {r: [] for r in Respondent}
    for respondent, answers in responses:
        grouped[respondent].append(answers)
    results: dict[Respondent, RespondentResults] = {}
    for respondent, answer_sets in grouped.items():
        hidden = respondent is Respondent.AGENT and len(answer_sets) < MIN_GROUP_SIZE
        questions: list[QuestionResult] = []
        if not hidden:
            for q in QUESTIONNAIRES[respondent].questions:
                questions.append(_question_result(q, answer_sets))
        results[respondent] = RespondentResults(
            respondent, len(answer_sets), tuple(questions), hidden
        )
    return results


def _question_result(q: Question, answer_sets: list[Mapping[str, Answer]]) -> QuestionResult:
    values = [a[q.code] for a in answer_sets if q.code in a]
    if q.kind is AnswerKind.SCALE:
        scores = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
        mean = round(sum(scores) / len(scores), 2) if scores else None
        return QuestionResult(q.code, q.text, len(scores), mean=mean)
    if q.kind is AnswerKind.YES_NO:
        flags = [v for v in values if isinstance(v, bool)]
        share = round(sum(flags) / len(flags), 2) if flags else None
        return QuestionResult(q.code, q.text, len(flags), yes_share=share)
    return QuestionResult(q.code, q.text, len(values))
