"""The quiz pages, in French: the quiz alone, or for a campaign (its commune first).

No JavaScript needed: each quiz page is a form posted back here; answers of the other
pages ride along as hidden fields; the last post stores the response and redirects to
its result page (POST-redirect-GET), so reloading the result never submits twice.
"""

from collections.abc import Mapping, Sequence
from urllib.parse import parse_qs
from uuid import UUID, uuid4

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from deformations_common.auth import OptionalPrincipal, Principal
from deformations_common.service import Runtime
from deformations_common.vocabulary.errors import DomainError
from deformations_contracts.events.diagnosis import TeamKind
from deformations_diagnosis.api.deps import RuntimeDep
from deformations_diagnosis.content.loader import (
    UnknownQuestionnaireVersionError,
    load_questionnaire,
)
from deformations_diagnosis.content.model import Questionnaire
from deformations_diagnosis.domain.campaigns import Campaign, check_respondent
from deformations_diagnosis.domain.errors import SubmissionReplayedError
from deformations_diagnosis.domain.submission import Submission, submission_problems
from deformations_diagnosis.service import campaigns, questionnaires, responses
from deformations_diagnosis.service.uow import DiagnosisUnitOfWork
from deformations_diagnosis.settings import DiagnosisSettings
from deformations_diagnosis.web.common import html, stopped
from deformations_diagnosis.web.flow import after_post
from deformations_diagnosis.web.render import (
    form_answers,
    form_consent,
    page_of_item,
    render_commune_choice,
    render_quiz_page,
)

router = APIRouter(include_in_schema=False)
MAX_FORM_BYTES = 64_000
Form = Mapping[str, Sequence[str]]


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


async def _campaign(runtime: Runtime[DiagnosisSettings], token: str) -> Campaign:
    async with runtime.begin(DiagnosisUnitOfWork) as uow:
        return await campaigns.campaign_link(uow, token)


@router.get("/")
async def home() -> RedirectResponse:
    return RedirectResponse("/quiz", status_code=303)


async def _current(runtime: Runtime[DiagnosisSettings]) -> Questionnaire:
    async with runtime.begin(DiagnosisUnitOfWork) as uow:
        return await questionnaires.current(uow)


@router.get("/quiz")
async def quiz_start(runtime: RuntimeDep) -> HTMLResponse:
    q = await _current(runtime)
    return html(render_quiz_page(q, 0, action="/quiz", hidden={"submission_id": str(uuid4())}))


@router.post("/quiz")
async def quiz_post(
    request: Request, runtime: RuntimeDep, principal: OptionalPrincipal
) -> Response:
    form = await _form(request)
    current = await _current(runtime)
    try:
        q = load_questionnaire(_first(form, "questionnaire_version") or current.version)
    except UnknownQuestionnaireVersionError:
        q = current
    return await _advance(runtime, q, form, action="/quiz", principal_sub=_sub(principal))


def _sub(principal: Principal | None) -> str | None:
    # Browsers send no bearer token: a page response is anonymous unless a proxy adds one.
    return principal.sub if principal else None


def _commune_param(campaign: Campaign, given: str | None) -> str | None:
    if campaign.team.kind is TeamKind.MUNICIPAL_COUNCIL:
        return campaign.team.commune_insee
    return given if given and campaign.team.member(given) else None


@router.get("/c/{token}")
async def campaign_start(token: str, runtime: RuntimeDep, commune: str | None = None) -> Response:
    try:
        campaign = await _campaign(runtime, token)
    except DomainError as exc:
        return stopped(exc)
    if campaign.signed_in_only:
        # Only signed-in answers count: the portal's quiz, where she signs in first.
        return RedirectResponse(campaign.quiz_page, status_code=303)
    action = f"/c/{token}"
    insee = _commune_param(campaign, commune)
    if insee is None:
        members = [(m.insee, m.name) for m in campaign.team.members]
        return html(render_commune_choice(campaign.team.label, members, action))
    q = load_questionnaire(campaign.questionnaire_version)
    hidden = {"submission_id": str(uuid4()), "commune": insee}
    return html(render_quiz_page(q, 0, action=action, hidden=hidden, ask_consent=True))


@router.post("/c/{token}")
async def campaign_post(
    token: str, request: Request, runtime: RuntimeDep, principal: OptionalPrincipal
) -> Response:
    try:
        campaign = await _campaign(runtime, token)
        check_respondent(campaign, _sub(principal))
    except DomainError as exc:
        return stopped(exc)
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
        return html(body, 422 if problems else 200)
    try:
        async with runtime.begin(DiagnosisUnitOfWork) as uow:
            submitted = await responses.submit(
                uow,
                submission_id=submission_id,
                version=q.version,
                answers=answers,
                person_id=principal_sub,
                campaign_token=campaign.token if campaign else None,
                commune_insee=commune,
                share=consent and campaign is not None,
            )
    except SubmissionReplayedError as exc:
        if exc.response_id is None:
            return stopped(exc)
        # The form was posted again (back button, double click): show what was stored.
        return RedirectResponse(f"/resultats/{exc.response_id}", status_code=303)
    except DomainError as exc:
        return stopped(exc)
    return RedirectResponse(f"/resultats/{submitted.response_id}", status_code=303)
