"""Typology calibration: do the defined families match how responses really cluster?

numpy only, on purpose: k-means, the silhouette, the adjusted Rand index and Cramér's V
are a few dozen lines each, and the calibration runs offline on at most a few thousand
responses. scikit-learn and scipy would add ~100 MB to the service image for that.

k-means starts from the family centroids (deterministic, and it answers the real question:
where do the families drift to when the data pulls them). The silhouette is computed on a
seeded subsample when there are many responses, to stay within memory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from deformations_diagnosis.content.model import ItemRole, Questionnaire
from deformations_diagnosis.domain.scoring import axis_scores, family_distances
from deformations_diagnosis.domain.submission import Submission, ValidAnswers, validate_submission

MIN_RESPONSES = 20
SILHOUETTE_SAMPLE = 2000

Matrix = NDArray[np.float64]
Labels = NDArray[np.int64]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ClusterSummary(_Frozen):
    size: int
    centre: dict[str, float]
    nearest_family: str
    drift: float = Field(description="Distance from the centre to that family's centroid")


class ItemDiscrimination(_Frozen):
    item: str
    cramers_v: float = Field(ge=0, le=1)


class CalibrationReport(_Frozen):
    questionnaire_version: str
    respondents: int
    family_counts: dict[str, int]
    empty_families: tuple[str, ...]
    silhouette_families: float = Field(description="Silhouette of the family placement, -1…1")
    silhouette_clusters: float = Field(description="Silhouette of the k-means clusters, -1…1")
    agreement: float = Field(description="Adjusted Rand index, families vs clusters")
    clusters: tuple[ClusterSummary, ...]
    items: tuple[ItemDiscrimination, ...] = Field(description="Most discriminating first")


def kmeans(points: Matrix, initial: Matrix, iterations: int = 100) -> tuple[Labels, Matrix]:
    centres = initial.copy()
    labels = np.zeros(len(points), dtype=np.int64)
    for step in range(iterations):
        d = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        new = d.argmin(axis=1).astype(np.int64)
        if step and np.array_equal(new, labels):
            break
        labels = new
        for k in range(len(centres)):
            members = points[labels == k]
            if len(members):
                centres[k] = members.mean(axis=0)
    return labels, centres


def silhouette(points: Matrix, labels: Labels) -> float:
    """Mean silhouette; 0 when fewer than two clusters are populated."""
    present = np.unique(labels)
    if len(present) < 2:
        return 0.0
    d = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
    values = np.zeros(len(points))
    for i in range(len(points)):
        same = labels == labels[i]
        if same.sum() <= 1:
            continue  # a singleton's silhouette is 0 by convention
        a = d[i, same].sum() / (same.sum() - 1)
        b = min(d[i, labels == k].mean() for k in present if k != labels[i])
        values[i] = (b - a) / max(a, b) if max(a, b) > 0 else 0.0
    return float(values.mean())


def _comb2(x: NDArray[np.float64]) -> float:
    return float((x * (x - 1) / 2).sum())


def adjusted_rand_index(a: Labels, b: Labels) -> float:
    _, ai = np.unique(a, return_inverse=True)
    _, bi = np.unique(b, return_inverse=True)
    table = np.zeros((ai.max() + 1, bi.max() + 1))
    np.add.at(table, (ai, bi), 1)
    n = float(len(a))
    index = _comb2(table)
    rows, cols = _comb2(table.sum(axis=1)), _comb2(table.sum(axis=0))
    expected = rows * cols / (n * (n - 1) / 2)
    maximum = (rows + cols) / 2
    return 1.0 if maximum == expected else (index - expected) / (maximum - expected)


def cramers_v(x: Sequence[str], y: Sequence[str]) -> float:
    xs, xi = np.unique(np.asarray(x), return_inverse=True)
    ys, yi = np.unique(np.asarray(y), return_inverse=True)
    if len(xs) < 2 or len(ys) < 2:
        return 0.0
    table = np.zeros((len(xs), len(ys)))
    np.add.at(table, (xi, yi), 1)
    n = table.sum()
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
    chi2 = float(((table - expected) ** 2 / expected).sum())
    return min(1.0, float(np.sqrt(chi2 / (n * (min(table.shape) - 1)))))


def calibrate(
    q: Questionnaire, responses: Sequence[ValidAnswers], seed: int = 0
) -> CalibrationReport:
    if len(responses) < MIN_RESPONSES:
        raise ValueError(f"calibration needs at least {MIN_RESPONSES} responses")
    if any(r.questionnaire is not q and r.questionnaire.version != q.version for r in responses):
        raise ValueError("calibration needs responses to a single questionnaire version")
    axes = [a.code for a in q.axes]
    family_codes = [f.code for f in q.families]
    scores = [axis_scores(r) for r in responses]
    points = np.array([[s[a] for a in axes] for s in scores], dtype=np.float64)
    assigned = np.array(
        [family_codes.index(family_distances(q, s)[0].family) for s in scores], dtype=np.int64
    )
    initial = np.array([[f.centroid[a] for a in axes] for f in q.families], dtype=np.float64)
    clusters, centres = kmeans(points, initial)

    rng = np.random.default_rng(seed)
    sample = np.arange(len(points))
    if len(points) > SILHOUETTE_SAMPLE:
        sample = np.sort(rng.choice(len(points), SILHOUETTE_SAMPLE, replace=False))

    summaries = []
    for k, centre in enumerate(centres):
        size = int((clusters == k).sum())
        if not size:
            continue
        centre_scores = {a: round(float(v), 1) for a, v in zip(axes, centre, strict=True)}
        nearest = family_distances(q, centre_scores)[0]
        summaries.append(
            ClusterSummary(
                size=size,
                centre=centre_scores,
                nearest_family=nearest.family,
                drift=nearest.distance,
            )
        )

    family_names = [family_codes[i] for i in assigned]
    items = [
        ItemDiscrimination(
            item=item.id,
            cramers_v=round(
                cramers_v(
                    [r.chosen[item.id][0] if r.chosen[item.id] else "" for r in responses],
                    family_names,
                ),
                3,
            ),
        )
        for item in q.items
        if item.role is ItemRole.AXES
    ]
    items.sort(key=lambda d: (-d.cramers_v, d.item))
    counts = {code: int((assigned == i).sum()) for i, code in enumerate(family_codes)}
    return CalibrationReport(
        questionnaire_version=q.version,
        respondents=len(responses),
        family_counts=counts,
        empty_families=tuple(c for c, n in counts.items() if n == 0),
        silhouette_families=round(silhouette(points[sample], assigned[sample]), 3),
        silhouette_clusters=round(silhouette(points[sample], clusters[sample]), 3),
        agreement=round(adjusted_rand_index(assigned, clusters), 3),
        clusters=tuple(summaries),
        items=tuple(items),
    )


def report_for_answers(
    q: Questionnaire, answers: Sequence[Mapping[str, Sequence[str]]], seed: int = 0
) -> CalibrationReport:
    """The report for stored answer sets (all valid: they were validated when stored)."""
    responses = [
        validate_submission(
            q,
            Submission(
                questionnaire_version=q.version, answers={k: tuple(v) for k, v in a.items()}
            ),
        )
        for a in answers
    ]
    return calibrate(q, responses, seed=seed)
