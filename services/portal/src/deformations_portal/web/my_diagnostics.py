"""« Mes diagnostics » and the signed-in quiz.

The quiz is diagnosis's questionnaire shown in the portal's layout; the answers go to
diagnosis's ``POST /v1/responses`` with the person's short token, so the response is
recorded under her ``person_id`` without the token ever reaching the browser (diagnosis's
own ``/quiz`` stays the anonymous one). Her results come from ``GET /v1/me/responses``.
With ``?campagne=<token>`` she answers a campaign (a campaign that counts only signed-in
people sends its link here): her commune in an intercommunality, and whether her result
counts in the team's.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import Response

from deformations_common.vocabulary.french import date_fr
from deformations_portal.domain.next_step import step_search
from deformations_portal.domain.quiz import Problem, items_by_section, read_answers
from deformations_portal.web.context import Page, PageDep
from deformations_portal.web.links import _unavailable, call, to_sign_in
from deformations_portal.web.training_next_step import offers_for_step

router = APIRouter(include_in_schema=False)

QUIZ = "/espace/autodiagnostic"
BACK = {"href": "/espace/diagnostics", "text": "Mes diagnostics"}
_UNAVAILABLE = "Le service de l'autodiagnostic ne répond pas : réessayez dans quelques minutes."


async def _questionnaire(page: Page, version: str | None = None) -> dict[str, Any] | None:
    path = f"/v1/questionnaires/{version}" if version else "/v1/questionnaires/current"
    answer = await call(page, "diagnosis", "GET", path)
    if answer.status == 404 and version:
        # A version withdrawn since the form was shown: the current one is asked again.
        return await _questionnaire(page)
    return answer.body if answer.ok and isinstance(answer.body, dict) else None


async def _campaign(page: Page, token: str) -> dict[str, Any] | Response:
    """The campaign a link names (what anyone holding it may know), or the page saying why
    it can't be answered."""
    answer = await call(page, "diagnosis", "GET", f"/v1/campaigns/by-token/{quote(token)}")
    if answer.ok and isinstance(answer.body, dict):
        return {**answer.body, "token": token}
    if answer.status == 404:
        text, status = "Ce lien de campagne n'existe pas.", 404
    elif answer.status == 410:
        text, status = "Cette campagne est terminée : elle n'accepte plus de réponses.", 410
    else:
        return page.message("Autodiagnostic", _UNAVAILABLE, status=503, error=True, link=BACK)
    return page.message("Autodiagnostic", text, status=status, error=True, link=BACK)


def _quiz(
    page: Page,
    questionnaire: dict[str, Any],
    *,
    submission_id: str,
    answers: dict[str, list[str]] | None = None,
    problems: list[Problem] | None = None,
    status: int = 200,
    campaign: dict[str, Any] | None = None,
    commune: str | None = None,
    share: bool = False,
) -> Response:
    problems = problems or []
    return page.render(
        "my_quiz.html",
        questionnaire["title"],
        status=status,
        current="espace",
        questionnaire=questionnaire,
        sections=items_by_section(questionnaire),
        submission_id=submission_id,
        answers=answers or {},
        problems=problems,
        item_errors={p.item: p.message for p in problems},
        campaign=campaign,
        commune=commune,
        share=share,
    )


@router.get(QUIZ)
async def quiz(page: PageDep, campagne: str | None = None) -> Response:
    if page.me is None:
        return to_sign_in(page)
    campaign = None
    if campagne:
        found = await _campaign(page, campagne)
        if isinstance(found, Response):
            return found
        campaign = found
    version = campaign["questionnaire_version"] if campaign else None
    questionnaire = await _questionnaire(page, version)
    if questionnaire is None:
        return page.message("Autodiagnostic", _UNAVAILABLE, status=503, error=True, link=BACK)
    return _quiz(page, questionnaire, submission_id=str(uuid.uuid4()), campaign=campaign)


def _first(fields: dict[str, list[str]], name: str) -> str | None:
    values = fields.get(name)
    return values[0] if values else None


def _submission_id(value: str | None) -> str:
    try:
        return str(UUID(value or ""))
    except ValueError:
        return str(uuid.uuid4())


@router.post(QUIZ)
async def submit(page: PageDep) -> Response:
    if page.me is None:
        return to_sign_in(page)
    form = await page.request.form()
    csrf = form.get("csrf")
    page.check_csrf(csrf if isinstance(csrf, str) else None)
    fields = {key: [v for v in form.getlist(key) if isinstance(v, str)] for key in form}
    version = _first(fields, "questionnaire_version")
    campaign = None
    token = _first(fields, "campagne")
    if token:
        found = await _campaign(page, token)
        if isinstance(found, Response):
            return found
        campaign = found
    questionnaire = await _questionnaire(page, version)
    if questionnaire is None:
        return page.message("Autodiagnostic", _UNAVAILABLE, status=503, error=True, link=BACK)
    # The same id on every post of one filled quiz: diagnosis stores it once.
    submission_id = _submission_id(_first(fields, "submission_id"))
    answers, problems = read_answers(questionnaire, fields)
    commune = _first(fields, "commune") or None
    share = _first(fields, "partage") == "oui"
    if problems:
        return _quiz(
            page,
            questionnaire,
            submission_id=submission_id,
            answers=answers,
            problems=problems,
            status=422,
            campaign=campaign,
            commune=commune,
            share=share,
        )
    body: dict[str, Any] = {
        "submission_id": submission_id,
        "questionnaire_version": questionnaire["version"],
        "answers": answers,
    }
    if campaign is not None:
        body |= {"campaign_token": campaign["token"], "share_with_team": share}
        if commune:
            body["commune_insee"] = commune
    answer = await call(page, "diagnosis", "POST", "/v1/responses", body)
    if answer.status == 201 and isinstance(answer.body, dict):
        return page.redirect(f"/espace/diagnostics/{answer.body['response_id']}")
    if answer.status == 409:
        # Posted twice (back button, double click): the first post is in her list.
        return page.redirect("/espace/diagnostics")
    if answer.status in (403, 404, 410) and campaign is not None:
        detail = answer.body.get("detail") if isinstance(answer.body, dict) else None
        text = detail if isinstance(detail, str) else "Cette campagne n'accepte pas de réponse."
        return page.message("Autodiagnostic", text, status=answer.status, error=True, link=BACK)
    if answer.status == 422:
        detail = answer.body.get("detail") if isinstance(answer.body, dict) else None
        problem = Problem("", detail if isinstance(detail, str) else "Vérifiez vos réponses.")
        return _quiz(
            page,
            questionnaire,
            submission_id=submission_id,
            answers=answers,
            problems=[problem],
            status=422,
            campaign=campaign,
            commune=commune,
            share=share,
        )
    return page.message("Autodiagnostic", _UNAVAILABLE, status=503, error=True, link=BACK)


def _dated(item: dict[str, Any]) -> dict[str, Any]:
    return {**item, "date": date_fr(item["completed_at"])}


def _signed(change: float) -> str:
    shown = f"{abs(change):.1f}".replace(".", ",")
    return f"+{shown}" if change > 0 else (f"−{shown}" if change < 0 else "0")


@router.get("/espace/diagnostics")
async def my_diagnostics(page: PageDep) -> Response:
    if page.me is None:
        return to_sign_in(page)
    answer = await call(page, "diagnosis", "GET", "/v1/me/responses")
    responses: list[dict[str, Any]] = []
    progress = None
    notice = ""
    try:
        if not answer.ok:
            raise ValueError(answer.status)
        responses = [_dated(r) for r in answer.body["responses"]]
        progress = answer.body.get("progress")
        if progress:
            progress = {
                **progress,
                "since_date": date_fr(progress["since"]),
                "axes": [{**a, "signed": _signed(a["change"])} for a in progress["axes"]],
            }
    except (ValueError, KeyError, TypeError, AttributeError):
        responses, progress = [], None
        notice = (
            "Vos diagnostics sont momentanément indisponibles : réessayez dans quelques minutes."
        )
    return page.render(
        "my_diagnostics.html",
        "Mes diagnostics",
        current="espace",
        responses=responses,
        progress=progress,
        notice=notice,
        quiz=QUIZ,
    )


@router.get("/espace/diagnostics/{response_id}")
async def my_result(page: PageDep, response_id: UUID) -> Response:
    if page.me is None:
        return to_sign_in(page)
    # Diagnosis answers 404 for anyone else's result, or an anonymous one: not hers.
    answer = await call(page, "diagnosis", "GET", f"/v1/me/responses/{response_id}")
    if not answer.ok or not isinstance(answer.body, dict) or not answer.body.get("summary"):
        return _unavailable(page, answer, "Ce résultat")
    result = answer.body
    next_step = result["result"].get("next_step") or {}
    offers = []
    if next_step:
        themes = result["result"].get("priority_themes") or []
        minutes = (result["result"].get("availability") or {}).get("minutes_per_month")
        search = step_search(next_step.get("format_code"), themes[0] if themes else None, minutes)
        offers = await offers_for_step(page, search)
    return page.render(
        "my_result.html",
        "Mon résultat d'autodiagnostic",
        current="espace",
        response_id=str(response_id),
        summary=result["summary"],
        explanation=result["result"].get("explanation", []),
        next_step=next_step,
        offers=offers,
        alternatives=result["result"].get("alternatives") or [],
    )
