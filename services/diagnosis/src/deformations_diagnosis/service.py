"""What a request does, over one unit of work: the HTTP API and the pages both call these.

Each function takes the runtime (or a connection), reads and writes through the repository,
calls the pure domain and records events in the same transaction as the state they report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from deformations_common.db import Connection
from deformations_common.errors import Conflict, Gone, NotFound, ProblemError, Unprocessable
from deformations_common.service import Runtime
from deformations_contracts.events.diagnosis import TeamKind
from deformations_diagnosis import events, repository
from deformations_diagnosis.content.loader import (
    UnknownQuestionnaireVersionError,
    load_questionnaire,
)
from deformations_diagnosis.content.model import Questionnaire
from deformations_diagnosis.domain.campaigns import Campaign, missing_responses, respondent_commune
from deformations_diagnosis.domain.collective import (
    CollectiveResult,
    IntercommunalityResult,
    collective_result,
    intercommunality_result,
)
from deformations_diagnosis.domain.errors import DiagnosisError, WrongVersionError
from deformations_diagnosis.domain.results import IndividualResult
from deformations_diagnosis.domain.scoring import score_submission
from deformations_diagnosis.domain.submission import Submission
from deformations_diagnosis.settings import DiagnosisSettings


class SubmissionReplayed(Conflict):
    def __init__(self, response_id: UUID | None) -> None:
        super().__init__("Ces réponses ont déjà été enregistrées.", code="submission_replayed")
        self.response_id = response_id


def problem(error: DiagnosisError) -> Unprocessable:
    return Unprocessable(error.message_fr, code=error.code, details=error.details)


def questionnaire(version: str) -> Questionnaire:
    try:
        return load_questionnaire(version)
    except UnknownQuestionnaireVersionError as exc:
        raise Unprocessable(
            f"La version « {version} » du questionnaire n'existe pas.", code="unknown_version"
        ) from exc


def unknown_campaign() -> NotFound:
    return NotFound("Ce lien de campagne n'existe pas.", code="unknown_campaign")


def open_campaign_or_fail(campaign: Campaign | None, now: datetime) -> Campaign:
    if campaign is None:
        raise unknown_campaign()
    if campaign.is_expired(now):
        raise Gone(
            "Cette campagne est terminée : elle n'accepte plus de réponses.",
            code="campaign_expired",
            expired_at=campaign.expires_at.isoformat(),
        )
    return campaign


@dataclass(frozen=True)
class Submitted:
    response_id: UUID
    result: IndividualResult
    campaign: Campaign | None
    shared: bool


async def submit(
    runtime: Runtime[DiagnosisSettings],
    *,
    submission_id: UUID,
    version: str,
    answers: Mapping[str, Sequence[str]],
    person_id: str | None,
    now: datetime,
    campaign_token: str | None = None,
    commune_insee: str | None = None,
    share: bool = False,
) -> Submitted:
    """Score, store and publish one completed quiz; raises a ``ProblemError`` when refused.

    Within a campaign the response is tied to a team commune; a shared one recomputes the
    team's result and, from the minimum number of shared responses, publishes it.
    """
    q = questionnaire(version)
    submission = Submission(
        questionnaire_version=version, answers={k: tuple(v) for k, v in answers.items()}
    )
    try:
        result = score_submission(q, submission)
    except DiagnosisError as exc:
        raise problem(exc) from exc
    if share and campaign_token is None:
        raise Unprocessable(
            "Un résultat ne se partage qu'avec l'équipe d'une campagne.",
            code="share_without_campaign",
        )
    response_id = uuid4()
    async with runtime.transaction() as conn:
        campaign = None
        commune = None
        if campaign_token is not None:
            campaign = open_campaign_or_fail(
                await repository.campaign_by_token(conn, campaign_token, for_update=True), now
            )
            if campaign.questionnaire_version != q.version:
                raise problem(WrongVersionError(q.version, campaign.questionnaire_version))
            try:
                commune = respondent_commune(campaign.team, commune_insee)
            except DiagnosisError as exc:
                raise problem(exc) from exc
        created_at = await repository.insert_response(
            conn,
            response_id=response_id,
            submission_id=submission_id,
            questionnaire_version=q.version,
            person_id=person_id,
            answers={k: list(v) for k, v in submission.answers.items()},
            result=result.model_dump(mode="json"),
            family=result.family,
            campaign_id=campaign.id if campaign else None,
            commune_insee=commune,
            shared=share,
        )
        if created_at is None:
            raise SubmissionReplayed(await repository.response_of_submission(conn, submission_id))
        await runtime.emit(
            conn,
            events.completed(
                q,
                result,
                response_id=response_id,
                person_id=person_id,
                completed_at=created_at,
                campaign=campaign,
                commune_insee=commune,
                shared=share,
            ),
        )
        if campaign is not None and share:
            team = await team_result(conn, campaign)
            if team is not None:
                total = team.total if isinstance(team, IntercommunalityResult) else team
                await runtime.emit(
                    conn, events.team_updated(campaign, total, updated_at=created_at)
                )
    return Submitted(response_id, result, campaign, share)


TeamResult = CollectiveResult | IntercommunalityResult


async def team_result(conn: Connection, campaign: Campaign) -> TeamResult | None:
    """The campaign's collective result from shared responses; ``None`` under the minimum."""
    q = load_questionnaire(campaign.questionnaire_version)
    shared = await repository.shared_results(conn, campaign.id)
    if len(shared) < q.min_collective_responses:
        return None
    if campaign.team.kind is TeamKind.INTERCOMMUNALITY:
        by_commune: dict[str, list[IndividualResult]] = {}
        for insee, stored in shared:
            by_commune.setdefault(insee, []).append(IndividualResult.model_validate(stored))
        return intercommunality_result(q, by_commune)
    return collective_result(q, [IndividualResult.model_validate(r) for _, r in shared])


class NotEnoughShared(ProblemError):
    status, title, type_slug = 409, "Not enough shared responses", "not-enough-responses"


async def team_result_or_fail(conn: Connection, campaign: Campaign) -> TeamResult:
    result = await team_result(conn, campaign)
    if result is not None:
        return result
    minimum = load_questionnaire(campaign.questionnaire_version).min_collective_responses
    _, shared = await repository.count_responses(conn, campaign.id)
    missing = missing_responses(shared, minimum)
    raise NotEnoughShared(
        f"Le résultat collectif s'affiche à partir de {minimum} réponses partagées, pour que "
        f"personne ne puisse être reconnu : il en manque encore {missing}.",
        code="not_enough_responses",
        minimum=minimum,
        missing=missing,
    )


def result_json(result: TeamResult) -> dict[str, Any]:
    if isinstance(result, IntercommunalityResult):
        return {"kind": "intercommunality", **result.model_dump(mode="json")}
    return {"kind": "municipal_council", "total": result.model_dump(mode="json")}
