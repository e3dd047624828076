"""Server-rendered pages in French: the quiz, the individual result, the collective result.

No JavaScript needed: each quiz page is a form posted back here; answers of the other
pages ride along as hidden fields; the last post stores the response and redirects to
its result page (POST-redirect-GET), so reloading the result never submits twice.
"""

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from urllib.parse import parse_qs
from uuid import UUID, uuid4

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from deformations_common.auth import OptionalPrincipal, Principal
from deformations_common.errors import ProblemError
from deformations_common.service import Runtime, RuntimeDep
from deformations_contracts.events.diagnosis import TeamKind
from deformations_diagnosis import repository, service
from deformations_diagnosis.content.loader import (
    CURRENT_VERSION,
    UnknownQuestionnaireVersionError,
    load_questionnaire,
)
from deformations_diagnosis.content.model import Questionnaire
from deformations_diagnosis.domain.campaigns import Campaign, missing_responses
from deformations_diagnosis.domain.collective import IntercommunalityResult
from deformations_diagnosis.domain.results import IndividualResult
from deformations_diagnosis.domain.submission import Submission, submission_problems
from deformations_diagnosis.settings import DiagnosisSettings
from deformations_diagnosis.web.flow import after_post
from deformations_diagnosis.web.render import (
    CommuneRow,
    TeamLink,
    form_answers,
    form_consent,
    page_of_item,
    render_collective_result,
    render_commune_choice,
    render_individual_result,
    render_message,
    render_quiz_page,
)

router = APIRouter(include_in_schema=False)
MAX_FORM_BYTES = 64_000
Form = Mapping[str, Sequence[str]]


def _html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status)


def _stopped(error: ProblemError) -> HTMLResponse:
    titles = {404: "Lien introuvable", 410: "Campagne terminée", 409: "Déjà enregistré"}
    title = titles.get(error.status, "Impossible d'enregistrer vos réponses")
    return _html(
        render_message(title, error.detail, ("/quiz", "Faire le questionnaire")), error.status
    )


async def _form(request: Request) -> dict[str, list[str]]:
    """The posted fields; values too long to be any id are dropped (a tampered form)."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=False)
    return {name: [v for v in values if len(v) <= 40][:30] for name, values in fields.items()}


def _first(form: Form, name: str) -> str | None:
    values = form.get(name) or []
    return values[0] if values else None


def _submission_id(form: Form) -> UUID:
    try:
        return UUID(_first(form, "submission_id") or "")
    except ValueError:
        return uuid4()


async def _campaign(runtime: Runtime[DiagnosisSettings], token: str) -> Campaign | None:
    async with runtime.pool.acquire() as conn:
        return await repository.campaign_by_token(conn, token)


@router.get("/")
async def home() -> RedirectResponse:
    return RedirectResponse("/quiz", status_code=303)


@router.get("/quiz")
async def quiz_start() -> HTMLResponse:
    q = load_questionnaire(CURRENT_VERSION)
    return _html(render_quiz_page(q, 0, action="/quiz", hidden={"submission_id": str(uuid4())}))


@router.post("/quiz")
async def quiz_post(
    request: Request, runtime: RuntimeDep, principal: OptionalPrincipal
) -> Response:
    form = await _form(request)
    try:
        q = load_questionnaire(_first(form, "questionnaire_version") or CURRENT_VERSION)
    except UnknownQuestionnaireVersionError:
        q = load_questionnaire(CURRENT_VERSION)
    return await _advance(runtime, q, form, action="/quiz", principal_sub=_sub(principal))


def _sub(principal: Principal | None) -> str | None:
    # Browsers send no bearer token: a page response is anonymous unless a proxy adds one.
    return principal.sub if principal else None


def _commune_param(campaign: Campaign, given: str | None) -> str | None:
    if campaign.team.kind is TeamKind.MUNICIPAL_COUNCIL:
        return campaign.team.commune_insee
    return given if given and campaign.team.member(given) else None


@router.get("/c/{token}")
async def campaign_start(
    token: str, runtime: RuntimeDep, commune: str | None = None
) -> HTMLResponse:
    try:
        campaign = service.open_campaign_or_fail(await _campaign(runtime, token), datetime.now(UTC))
    except ProblemError as exc:
        return _stopped(exc)
    action = f"/c/{token}"
    insee = _commune_param(campaign, commune)
    if insee is None:
        members = [(m.insee, m.name) for m in campaign.team.members]
        return _html(render_commune_choice(campaign.team.label, members, action))
    q = load_questionnaire(campaign.questionnaire_version)
    hidden = {"submission_id": str(uuid4()), "commune": insee}
    return _html(render_quiz_page(q, 0, action=action, hidden=hidden, ask_consent=True))


@router.post("/c/{token}")
async def campaign_post(
    token: str, request: Request, runtime: RuntimeDep, principal: OptionalPrincipal
) -> Response:
    try:
        campaign = service.open_campaign_or_fail(await _campaign(runtime, token), datetime.now(UTC))
    except ProblemError as exc:
        return _stopped(exc)
    form = await _form(request)
    q = load_questionnaire(campaign.questionnaire_version)
    return await _advance(
        runtime,
        q,
        form,
        action=f"/c/{token}",
        principal_sub=_sub(principal),
        campaign=campaign,
        commune=_commune_param(campaign, _first(form, "commune")),
    )


async def _advance(
    runtime: Runtime[DiagnosisSettings],
    q: Questionnaire,
    form: Form,
    *,
    action: str,
    principal_sub: str | None,
    campaign: Campaign | None = None,
    commune: str | None = None,
) -> Response:
    """Show the next page, the same page with its problems, or store and redirect."""
    submission_id = _submission_id(form)
    hidden = {"submission_id": str(submission_id)}
    if commune:
        hidden["commune"] = commune
    answers = form_answers(q, form)
    consent = form_consent(form)
    try:
        page = int(_first(form, "page") or "0")
    except ValueError:
        page = 0
    step = after_post(q, page, _first(form, "nav") or "next", answers)
    problems = step.problems
    next_page = step.page
    if next_page is None:
        # Each page was checked when posted; a tampered or stale form is caught here.
        everything = submission_problems(
            q, Submission(questionnaire_version=q.version, answers=answers)
        )
        if everything:
            item = everything[0].details.get("item")
            next_page = page_of_item(q, item) if isinstance(item, str) else 0
            problems = tuple(everything)
    if next_page is not None:
        body = render_quiz_page(
            q,
            next_page,
            answers,
            action=action,
            hidden=hidden,
            problems=problems,
            ask_consent=campaign is not None,
            consent=consent,
        )
        return _html(body, 422 if problems else 200)
    try:
        submitted = await service.submit(
            runtime,
            submission_id=submission_id,
            version=q.version,
            answers=answers,
            person_id=principal_sub,
            now=datetime.now(UTC),
            campaign_token=campaign.token if campaign else None,
            commune_insee=commune,
            share=consent and campaign is not None,
        )
    except service.SubmissionReplayed as exc:
        if exc.response_id is None:
            return _stopped(exc)
        # The form was posted again (back button, double click): show what was stored.
        return RedirectResponse(f"/resultats/{exc.response_id}", status_code=303)
    except ProblemError as exc:
        return _stopped(exc)
    return RedirectResponse(f"/resultats/{submitted.response_id}", status_code=303)


@router.get("/resultats/{response_id}")
async def result_page(response_id: UUID, runtime: RuntimeDep) -> HTMLResponse:
    async with runtime.pool.acquire() as conn:
        stored = await repository.get_response(conn, response_id)
        if stored is None:
            return _html(
                render_message(
                    "Résultat introuvable",
                    "Ce résultat n'existe pas, ou son lien est incomplet.",
                    ("/quiz", "Faire le questionnaire"),
                ),
                404,
            )
        campaign = (
            await repository.get_campaign(conn, stored.campaign_id) if stored.campaign_id else None
        )
    team = None
    if campaign is not None:
        team = TeamLink(campaign.team.label, f"/c/{campaign.token}/collectif", stored.shared)
    q = load_questionnaire(stored.questionnaire_version)
    result = IndividualResult.model_validate(stored.result)
    return _html(render_individual_result(q, result, team))


@router.get("/c/{token}/collectif")
async def collective_page(token: str, runtime: RuntimeDep) -> HTMLResponse:
    """For a presentation session: the team's figures from shared responses only.

    Anyone holding the team's link sees it (it is the team's own result, aggregated), also
    after the campaign ended.
    """
    async with runtime.pool.acquire() as conn:
        campaign = await repository.campaign_by_token(conn, token)
        if campaign is None:
            return _stopped(service.unknown_campaign())
        result = await service.team_result(conn, campaign)
        _, shared = await repository.count_responses(conn, campaign.id)
    q = load_questionnaire(campaign.questionnaire_version)
    quiz_link = None if campaign.is_expired(datetime.now(UTC)) else f"/c/{token}"
    if result is None:
        missing = missing_responses(shared, q.min_collective_responses)
        body = render_collective_result(
            q, None, team_name=campaign.team.label, missing=missing, quiz_link=quiz_link
        )
        return _html(body)
    rows: list[CommuneRow] = []
    total = result
    if isinstance(result, IntercommunalityResult):
        total = result.total
        families = {f.code: f.name for f in q.families}
        for commune in result.communes:
            member = campaign.team.member(commune.insee)
            top = max(commune.result.families, key=lambda f: f.count)
            rows.append(
                CommuneRow(
                    member.name if member else commune.insee,
                    commune.result.respondents,
                    families[top.family],
                )
            )
        if result.others is not None:
            top = max(result.others.families, key=lambda f: f.count)
            rows.append(
                CommuneRow(
                    f"Autres communes ({len(result.pooled_communes)})",
                    result.others.respondents,
                    families[top.family],
                )
            )
    assert not isinstance(total, IntercommunalityResult)
    return _html(render_collective_result(q, total, team_name=campaign.team.label, communes=rows))
