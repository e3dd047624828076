"""Domain errors, each with a stable code and a message in French (for people) and English.

The service layer maps them to HTTP problem details (all are client errors: 4xx).
"""

from __future__ import annotations


class DiagnosisError(Exception):
    code: str = "diagnosis_error"

    def __init__(self, message_fr: str, message_en: str, **details: object) -> None:
        super().__init__(message_en)
        self.message_fr = message_fr
        self.message_en = message_en
        self.details = details


class SubmissionError(DiagnosisError):
    """A submission that does not fit the questionnaire it claims to answer."""


class WrongVersionError(SubmissionError):
    code = "wrong_version"

    def __init__(self, submitted: str, expected: str) -> None:
        super().__init__(
            f"Ces réponses concernent la version « {submitted} » du questionnaire, "
            f"mais c'est la version « {expected} » qui est attendue.",
            f"answers are for questionnaire version {submitted!r}, expected {expected!r}",
            submitted=submitted,
            expected=expected,
        )


class UnknownItemError(SubmissionError):
    code = "unknown_item"

    def __init__(self, item_id: str) -> None:
        super().__init__(
            f"La question « {item_id} » n'existe pas dans ce questionnaire.",
            f"unknown item {item_id!r}",
            item=item_id,
        )


class UnknownAnswerError(SubmissionError):
    code = "unknown_answer"

    def __init__(self, item_id: str, option_id: str) -> None:
        super().__init__(
            f"La réponse « {option_id} » n'est pas proposée à la question « {item_id} ».",
            f"unknown answer {option_id!r} to item {item_id!r}",
            item=item_id,
            answer=option_id,
        )


class TooManyAnswersError(SubmissionError):
    code = "too_many_answers"

    def __init__(self, item_id: str, given: int, limit: int) -> None:
        super().__init__(
            f"À la question « {item_id} », choisissez au plus {limit} réponse"
            f"{'s' if limit > 1 else ''} ({given} données).",
            f"item {item_id!r} takes at most {limit} answer(s), got {given}",
            item=item_id,
            given=given,
            limit=limit,
        )


class MissingAnswerError(SubmissionError):
    code = "missing_answer"

    def __init__(self, item_id: str) -> None:
        super().__init__(
            f"Il manque une réponse à la question « {item_id} ».",
            f"required item {item_id!r} has no answer",
            item=item_id,
        )


class NotEnoughResponsesError(DiagnosisError):
    """A collective view asked for a group too small to stay anonymous."""

    code = "not_enough_responses"

    def __init__(self, count: int, minimum: int) -> None:
        super().__init__(
            f"Le résultat collectif s'affiche à partir de {minimum} réponses partagées, "
            "pour que personne ne puisse être reconnu.",
            f"a collective result needs at least {minimum} shared responses",
            minimum=minimum,
            enough=count >= minimum,
        )
        self.minimum = minimum
