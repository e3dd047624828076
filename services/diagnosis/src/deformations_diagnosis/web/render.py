"""Renders the diagnosis pages from plain data (the HTTP layer only adds routes).

Pages are in French, work without JavaScript and on a phone; charts are inline SVG with a
text equivalent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import jinja2

from deformations_contracts.themes import label
from deformations_diagnosis.content.model import Questionnaire
from deformations_diagnosis.domain.collective import CollectiveResult
from deformations_diagnosis.domain.errors import SubmissionError
from deformations_diagnosis.domain.results import CLARITY_LABELS, IndividualResult
from deformations_diagnosis.web.svg import Bar, RadarAxis, bars_svg, radar_svg

Answers = Mapping[str, Sequence[str]]
CONSENT_FIELD = "partage"


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("deformations_diagnosis.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def page_count(q: Questionnaire) -> int:
    return len(q.sections)


def page_of_item(q: Questionnaire, item_id: str) -> int | None:
    for index, section in enumerate(q.sections):
        if item_id in section.items:
            return index
    return None


def form_answers(q: Questionnaire, form: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """Answers from posted form fields (several values per name for checkboxes).

    Fields that are not items (page, nav, token…) are left out; unknown option ids are kept
    so that validation reports them.
    """
    items = {i.id for i in q.items}
    return {
        name: tuple(v for v in values if v)
        for name, values in form.items()
        if name in items and any(values)
    }


def form_consent(form: Mapping[str, Sequence[str]]) -> bool:
    return "oui" in form.get(CONSENT_FIELD, ())


def render_quiz_page(
    q: Questionnaire,
    page: int,
    answers: Answers | None = None,
    *,
    action: str,
    hidden: Mapping[str, str] | None = None,
    problems: Sequence[SubmissionError] = (),
    ask_consent: bool = False,
    consent: bool = False,
) -> str:
    """One short page of the quiz; answers of the other pages ride along as hidden fields.

    ``ask_consent`` (campaigns) adds, on the last page, the choice to share the result with
    the team; it is posted as ``partage=oui`` and is not a questionnaire item.
    """
    if not 0 <= page < page_count(q):
        raise IndexError(page)
    answers = answers or {}
    section = q.sections[page]
    on_page = set(section.items)
    carried = [
        (item_id, option_id)
        for item_id, option_ids in answers.items()
        if item_id not in on_page
        for option_id in option_ids
    ]
    carried += list((hidden or {}).items())
    last = page + 1 == page_count(q)
    if ask_consent and consent and not last:
        carried.append((CONSENT_FIELD, "oui"))
    item_errors: dict[str, str] = {}
    shown = []
    for problem in problems:
        item_id = problem.details.get("item")
        if isinstance(item_id, str) and item_id in on_page:
            item_errors.setdefault(item_id, problem.message)
        shown.append(
            {"message": problem.message, "item": item_id, "item_on_page": item_id in on_page}
        )
    return (
        environment()
        .get_template("quiz.html")
        .render(
            questionnaire=q,
            page=page,
            page_count=page_count(q),
            section=section,
            items=[q.item(i) for i in section.items],
            answers=answers,
            hidden=carried,
            item_errors=item_errors,
            problems=shown,
            action=action,
            ask_consent=ask_consent and last,
            consent=consent,
            consent_field=CONSENT_FIELD,
        )
    )


def _radar_axes(q: Questionnaire, scores: Mapping[str, float]) -> list[RadarAxis]:
    return [RadarAxis(a.label, a.low_label, a.high_label, scores[a.code]) for a in q.axes]


@dataclass(frozen=True, slots=True)
class TeamLink:
    """The campaign a result was given in, for the result page."""

    label: str
    collective_page: str
    shared: bool


def render_individual_result(
    q: Questionnaire, result: IndividualResult, team: TeamLink | None = None
) -> str:
    axes = _radar_axes(q, result.axis_scores)
    return (
        environment()
        .get_template("result.html")
        .render(
            result=result,
            family=q.family(result.family),
            second_family=q.family(result.second_family),
            clarity_label=CLARITY_LABELS[result.clarity],
            axes=axes,
            radar=radar_svg(
                axes, "Votre profil sur les axes de la transition", uid="radar-individuel"
            ),
            themes=[label(t) for t in result.priority_themes],
            team=team,
        )
    )


@dataclass(frozen=True, slots=True)
class CommuneRow:
    """One line of the intercommunal table: a commune shown alone, or the pooled ones."""

    name: str
    respondents: int
    family: str


def render_collective_result(
    q: Questionnaire,
    result: CollectiveResult | None,
    *,
    team_name: str,
    communes: Sequence[CommuneRow] = (),
    missing: int = 0,
    quiz_link: str | None = None,
    signed_in_only: bool = False,
) -> str:
    """The collective page for a presentation session; ``None`` = not enough responses yet."""
    context: dict[str, object] = {
        "signed_in_only": signed_in_only,
        "team_name": team_name,
        "result": result,
        "minimum": q.min_collective_responses,
        "communes": communes,
        "missing": missing,
        "quiz_link": quiz_link,
    }
    if result is not None:
        means = {a.axis: a.mean for a in result.axes}
        context["radar"] = radar_svg(
            _radar_axes(q, means), "Le profil moyen du groupe", uid="radar-collectif"
        )
        context["family_chart"] = bars_svg(
            [Bar(f.name, f.count) for f in result.families],
            "Nombre de personnes par famille",
            uid="familles",
        )
        context["hidden_families"] = result.respondents - sum(f.count for f in result.families)
        context["divergent"] = [q.axis(a).label.lower() for a in result.divergent_axes]
    return environment().get_template("collective.html").render(**context)


def render_message(title: str, message: str, link: tuple[str, str] | None = None) -> str:
    """A short page for what stops a visitor (unknown link, campaign over…)."""
    return (
        environment()
        .get_template("message.html")
        .render(
            title=title,
            message=message,
            link={"href": link[0], "text": link[1]} if link else None,
        )
    )


def render_commune_choice(team_label: str, members: Sequence[tuple[str, str]], action: str) -> str:
    """Before an intercommunality's quiz: which member commune (INSEE, name) one answers for."""
    return (
        environment()
        .get_template("commune.html")
        .render(
            team_label=team_label,
            members=[{"insee": i, "name": n} for i, n in members],
            action=action,
        )
    )
