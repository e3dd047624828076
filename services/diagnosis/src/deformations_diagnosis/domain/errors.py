"""Domain errors of the diagnosis: each has a stable code, an HTTP status and a French message.

They subclass the platform's domain errors, so the runtime renders them as RFC 9457 problem
details with one handler; the pages show ``message`` as it is. ``str(error)`` is English,
for logs and developers.
"""

from __future__ import annotations

from collections.abc import Sequence

from deformations_common.vocabulary.errors import (
    ConflictError,
    DomainError,
    InvalidInput,
    NotFoundError,
)


class DiagnosisError(DomainError):
    """A rule of the diagnosis refuses a command; ``message`` in French, ``str`` in English."""

    def __init__(self, message: str, message_en: str, **details: object) -> None:
        super().__init__(message, **details)
        self.message_en = message_en
        self.args = (message_en,)


class SubmissionError(DiagnosisError, InvalidInput):
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


class UnknownVersionError(DiagnosisError, InvalidInput):
    """A submission or a campaign names a questionnaire version that was never published."""

    code = "unknown_version"

    def __init__(self, version: str) -> None:
        super().__init__(
            f"La version « {version} » du questionnaire n'existe pas.",
            f"no questionnaire version {version!r}",
        )


class QuestionnaireNotFoundError(DiagnosisError, NotFoundError):
    """A questionnaire asked for by its version, which was never published."""

    code = "unknown_version"

    def __init__(self, version: str) -> None:
        super().__init__(
            f"La version « {version} » du questionnaire n'existe pas.",
            f"no questionnaire version {version!r}",
        )


class UnknownResponseError(DiagnosisError, NotFoundError):
    code = "unknown_response"

    def __init__(self, response_id: object) -> None:
        super().__init__(
            "Ce résultat n'existe pas, ou son lien est incomplet.", f"no response {response_id}"
        )


class SubmissionReplayedError(DiagnosisError, ConflictError):
    """The same filled quiz posted again; ``response_id`` is what the first post stored."""

    code = "submission_replayed"

    def __init__(self, response_id: object | None) -> None:
        super().__init__(
            "Ces réponses ont déjà été enregistrées.", "this submission was already stored"
        )
        # Not a detail of the problem: whoever replays is shown the result page, no more.
        self.response_id = response_id


class NotEnoughResponsesError(DiagnosisError, ConflictError):
    """A collective view asked for a group too small to stay anonymous."""

    code = "not_enough_responses"

    def __init__(self, count: int, minimum: int) -> None:
        missing = max(0, minimum - count)
        super().__init__(
            f"Le résultat collectif s'affiche à partir de {minimum} réponses partagées, pour "
            f"que personne ne puisse être reconnu : il en manque encore {missing}.",
            f"a collective result needs at least {minimum} shared responses",
            minimum=minimum,
            missing=missing,
        )
        self.minimum = minimum
        self.missing = missing


class NotEnoughForCalibrationError(DiagnosisError, ConflictError):
    code = "not_enough_responses"

    def __init__(self, count: int, minimum: int) -> None:
        super().__init__(
            f"La calibration demande au moins {minimum} réponses à cette version "
            f"({count} pour l'instant).",
            f"calibration needs at least {minimum} responses, got {count}",
            minimum=minimum,
            responses=count,
        )


class MixedVersionsError(DiagnosisError, InvalidInput):
    code = "mixed_versions"

    def __init__(self, versions: Sequence[str]) -> None:
        super().__init__(
            "Ces réponses proviennent de versions différentes du questionnaire "
            "et ne peuvent pas être agrégées ensemble.",
            f"results from several questionnaire versions: {sorted(set(versions))}",
            versions=sorted(set(versions)),
        )


class InvalidQuestionnaireError(DiagnosisError, InvalidInput):
    """An uploaded questionnaire file that breaks its format: every problem, in French."""

    code = "invalid_questionnaire"

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__(
            "Ce questionnaire n'est pas valable : " + " ".join(problems),
            f"invalid questionnaire file ({len(problems)} problems)",
            problems=list(problems),
        )
        self.problems = list(problems)


class VersionTakenError(DiagnosisError, ConflictError):
    """An upload under a version already published (or shipped): versions never change."""

    code = "version_taken"

    def __init__(self, version: str) -> None:
        super().__init__(
            f"La version « {version} » est déjà publiée : un questionnaire publié ne change "
            "plus, donnez un nouveau numéro de version.",
            f"questionnaire version {version!r} is already published",
            version=version,
        )


class AlreadyPublishedError(DiagnosisError, ConflictError):
    code = "already_published"

    def __init__(self, version: str) -> None:
        super().__init__(
            f"La version « {version} » est déjà publiée.",
            f"questionnaire version {version!r} is already published",
            version=version,
        )
