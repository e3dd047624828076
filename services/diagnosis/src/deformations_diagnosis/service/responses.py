"""Use cases of responses: submit a completed quiz, read a stored result."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID, uuid4

from deformations_diagnosis import events
from deformations_diagnosis.domain.campaigns import (
    Campaign,
    ShareWithoutCampaignError,
    check_respondent,
    open_or_fail,
    respondent_commune,
)
from deformations_diagnosis.domain.errors import (
    SubmissionReplayedError,
    UnknownResponseError,
    WrongVersionError,
)
from deformations_diagnosis.domain.history import (
    DatedSummary,
    Progress,
    ResultSummary,
    progress,
    summarise,
)
from deformations_diagnosis.domain.intercommunality import IntercommunalityResult
from deformations_diagnosis.domain.results import IndividualResult
from deformations_diagnosis.domain.scoring import score_submission
from deformations_diagnosis.domain.submission import Submission
from deformations_diagnosis.repositories.responses import NewResponse, StoredResponse
from deformations_diagnosis.service.collective import team_result
from deformations_diagnosis.service.questionnaires import named, questionnaire, refresh
from deformations_diagnosis.service.uow import DiagnosisUnitOfWork


@dataclass(frozen=True)
class Submitted:
    response_id: UUID
    result: IndividualResult
    campaign: Campaign | None
    shared: bool


async def submit(
    uow: DiagnosisUnitOfWork,
    *,
    submission_id: UUID,
    version: str,
    answers: Mapping[str, Sequence[str]],
    person_id: str | None,
    campaign_token: str | None = None,
    commune_insee: str | None = None,
    share: bool = False,
) -> Submitted:
    """Score, store and publish one completed quiz (``diagnosis.completed.v1``).

    Within a campaign the response is tied to a team commune; a shared one recomputes the
    team's result and, from the minimum number of shared responses, publishes it
    (``diagnosis.team_updated.v1``). A signed-in person counts once per campaign: her
    newest shared response replaces her earlier ones. A replayed ``submission_id`` stores
    nothing.
    """
    q = await named(uow, version)
    submission = Submission(
        questionnaire_version=version, answers={k: tuple(v) for k, v in answers.items()}
    )
    result = score_submission(q, submission)
    if share and campaign_token is None:
        raise ShareWithoutCampaignError()
    now = uow.now()
    campaign = None
    commune = None
    if campaign_token is not None:
        campaign = open_or_fail(await uow.campaigns.by_token(campaign_token, for_update=True), now)
        check_respondent(campaign, person_id)
        if campaign.questionnaire_version != q.version:
            raise WrongVersionError(q.version, campaign.questionnaire_version)
        commune = respondent_commune(campaign.team, commune_insee)
    response_id = uuid4()
    stored = await uow.responses.add(
        NewResponse(
            id=response_id,
            submission_id=submission_id,
            questionnaire_version=q.version,
            person_id=person_id,
            answers={k: list(v) for k, v in submission.answers.items()},
            result=result.model_dump(mode="json"),
            family=result.family,
            created_at=now,
            campaign_id=campaign.id if campaign else None,
            commune_insee=commune,
            shared=share,
        )
    )
    if not stored:
        raise SubmissionReplayedError(await uow.responses.id_of_submission(submission_id))
    if campaign is not None and share and person_id is not None:
        # One voice per person in a team: a signed-in respondent who answers the campaign
        # again replaces her shared answer instead of adding one, so nobody fills the
        # k ≥ 3 threshold (or the team's mailboxes) alone.
        await uow.responses.unshare_earlier(campaign.id, person_id, response_id)
    await uow.emit(
        events.completed(
            q,
            result,
            response_id=response_id,
            person_id=person_id,
            completed_at=now,
            campaign=campaign,
            commune_insee=commune,
            shared=share,
        )
    )
    if campaign is not None and share:
        team = await team_result(uow, campaign)
        if team is not None:
            total = team.total if isinstance(team, IntercommunalityResult) else team
            await uow.emit(events.team_updated(campaign, total, updated_at=now))
    return Submitted(response_id, result, campaign, share)


async def response(uow: DiagnosisUnitOfWork, response_id: UUID) -> StoredResponse:
    """A stored result, by the unguessable id given at submission."""
    await refresh(uow)  # its version is read to sum it up
    stored = await uow.responses.get(response_id)
    if stored is None:
        raise UnknownResponseError(response_id)
    return stored


async def her_response(
    uow: DiagnosisUnitOfWork, response_id: UUID, person_id: str
) -> StoredResponse:
    """One of the person's own results: another's, or an anonymous one, is not found (the
    answer does not tell whether the id exists)."""
    stored = await uow.responses.get(response_id)
    if stored is None or stored.person_id != person_id:
        raise UnknownResponseError(response_id)
    return stored


@dataclass(frozen=True)
class ResultWithTeam:
    response: StoredResponse
    campaign: Campaign | None


async def result_with_team(uow: DiagnosisUnitOfWork, response_id: UUID) -> ResultWithTeam:
    """A stored result and the campaign it was given in, for the result page."""
    stored = await response(uow, response_id)
    campaign = await uow.campaigns.get(stored.campaign_id) if stored.campaign_id else None
    return ResultWithTeam(stored, campaign)


# More than anyone takes in a mandate; the listing stays one small page.
HISTORY_LIMIT = 50


@dataclass(frozen=True)
class History:
    """A person's results, newest first, and the progress between the two newest."""

    responses: list[DatedSummary]
    progress: Progress | None


def summary_of_result(result: IndividualResult) -> ResultSummary:
    return summarise(questionnaire(result.questionnaire_version), result)


def summary_of(stored: StoredResponse) -> ResultSummary:
    """The stored result summed up with the questionnaire version it was answered with."""
    return summary_of_result(IndividualResult.model_validate(stored.result))


async def history(uow: DiagnosisUnitOfWork, person_id: str) -> History:
    """The responses given while signed in as ``person_id`` (anonymous ones are nobody's)."""
    await refresh(uow)  # each version is read to sum its responses up
    found = await uow.responses.of_person(person_id, HISTORY_LIMIT)
    dated = [
        DatedSummary(
            response_id=stored.id,
            questionnaire_version=stored.questionnaire_version,
            completed_at=stored.created_at,
            campaign_id=stored.campaign_id,
            summary=summary_of(stored),
        )
        for stored in found
    ]
    return History(dated, progress(dated[0], dated[1]) if len(dated) >= 2 else None)
