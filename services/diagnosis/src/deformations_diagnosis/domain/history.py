"""A person's diagnoses over time: each result summed up, and the progress between two.

A summary carries its own labels (axes, family, themes) as the version answered names them,
so a result stays readable after a new questionnaire version changes its wording.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from deformations_contracts.themes import label as theme_label
from deformations_diagnosis.content.model import Questionnaire
from deformations_diagnosis.domain.results import IndividualResult

# Under this many points an axis is said unchanged: answers move a score by a few points
# without the person having changed (one answer more or less on a five-item axis).
STEADY_POINTS = 5.0


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AxisSummary(_Frozen):
    code: str
    label: str
    low_label: str
    high_label: str
    score: float = Field(ge=0, le=100)


class ThemeSummary(_Frozen):
    code: str
    label: str


class ResultSummary(_Frozen):
    """One result, per thématique of the quiz: its axes, its family, its priority themes."""

    family: str
    family_name: str
    axes: tuple[AxisSummary, ...]
    priority_themes: tuple[ThemeSummary, ...]
    next_step: str


class DatedSummary(_Frozen):
    response_id: UUID
    questionnaire_version: str
    completed_at: datetime
    campaign_id: UUID | None
    summary: ResultSummary


class AxisProgress(_Frozen):
    code: str
    label: str
    before: float
    after: float
    change: float = Field(description="after − before, in points out of 100")
    direction: str = Field(description="« vers <pôle> » or « stable »")


class Progress(_Frozen):
    """From the second newest result to the newest."""

    since: datetime
    family_before: str
    family_after: str
    axes: tuple[AxisProgress, ...]
    themes_added: tuple[ThemeSummary, ...]
    themes_dropped: tuple[ThemeSummary, ...]
    themes_kept: tuple[ThemeSummary, ...]


def summarise(q: Questionnaire, result: IndividualResult) -> ResultSummary:
    """``q`` is the version the result was computed with."""
    families = {f.code: f.name for f in q.families}
    return ResultSummary(
        family=result.family,
        family_name=families.get(result.family, result.family),
        axes=tuple(
            AxisSummary(
                code=axis.code,
                label=axis.label,
                low_label=axis.low_label,
                high_label=axis.high_label,
                score=round(result.axis_scores[axis.code], 1),
            )
            for axis in q.axes
            if axis.code in result.axis_scores
        ),
        priority_themes=tuple(
            ThemeSummary(code=t.value, label=theme_label(t.value)) for t in result.priority_themes
        ),
        next_step=result.next_step.title,
    )


def progress(newer: DatedSummary, older: DatedSummary) -> Progress:
    """Axis by axis (those both versions share) and theme by theme, older → newer."""
    before = {a.code: a for a in older.summary.axes}
    axes = []
    for axis in newer.summary.axes:
        previous = before.get(axis.code)
        if previous is None:
            continue
        change = round(axis.score - previous.score, 1)
        if abs(change) < STEADY_POINTS:
            direction = "stable"
        else:
            direction = f"vers « {axis.high_label if change > 0 else axis.low_label} »"
        axes.append(
            AxisProgress(
                code=axis.code,
                label=axis.label,
                before=previous.score,
                after=axis.score,
                change=change,
                direction=direction,
            )
        )
    old_themes = {t.code for t in older.summary.priority_themes}
    new_themes = {t.code for t in newer.summary.priority_themes}
    return Progress(
        since=older.completed_at,
        family_before=older.summary.family_name,
        family_after=newer.summary.family_name,
        axes=tuple(axes),
        themes_added=tuple(t for t in newer.summary.priority_themes if t.code not in old_themes),
        themes_dropped=tuple(t for t in older.summary.priority_themes if t.code not in new_themes),
        themes_kept=tuple(t for t in newer.summary.priority_themes if t.code in old_themes),
    )
