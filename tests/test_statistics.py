"""The Région's statistics from real events on the real broker: k ≥ 3 on every view and
export, nothing given back by subtraction, and only operators and partners read them
(the open-data export is public)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from platform_harness import Platform, RunningService
from test_matching_helpers import CREST, SAILLANS, diagnosed, publish

from deformations_contracts.events.sessions import SessionCancelled, SessionKind, SessionScheduled
from deformations_contracts.events.training import (
    EvaluationAnswered,
    EvaluationKind,
    TrainingFormat,
)
from deformations_devtools.testing import wait_until

pytestmark = pytest.mark.integration

PRIVAS = ("07186", "210701868")
OPERATOR = {"roles": ("operator",)}


def session(kind: SessionKind = SessionKind.CAFE_ELUS_TECHNICIENS) -> SessionScheduled:
    start = datetime.now(UTC) + timedelta(days=3)
    return SessionScheduled(
        session_id=uuid4(),
        kind=kind,
        related_id=uuid4(),
        title="Café élus-techniciens",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        timezone="Europe/Paris",
        remote=False,
        place_label="Mairie de Crest",
        place_insee=CREST[0],
        participants=["p-1", "p-2"],
        collectivite_sirens=[CREST[1]],
        sequence=0,
        scheduled_at=datetime.now(UTC),
    )


async def table(stats: RunningService, indicator: str, **params: str) -> dict[str, Any]:
    answer = await stats.client.get(
        f"/v1/indicators/{indicator}", params=params, headers=stats.auth("op-1", **OPERATOR)
    )
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()
    return data


def row(data: dict[str, Any], code: str) -> dict[str, Any]:
    found: dict[str, Any] = next(r for r in data["rows"] if r["code"] == code)
    return found


async def test_diagnoses_count_by_departement_and_small_groups_stay_hidden(
    platform: Platform,
) -> None:
    stats = await platform.start("statistics")
    for n in range(5):
        await publish(platform, diagnosed(f"crest-{n}", CREST if n % 2 else SAILLANS))
    await publish(platform, diagnosed("privas-1", PRIVAS))

    async def counted() -> bool:
        data = await table(stats, "diagnostics-familles")
        return data["total"]["total"]["value"] == 6

    await wait_until(counted, what="the six diagnoses counted")
    data = await table(stats, "diagnostics-familles", niveau="departement", region="84")
    assert [r["name"] for r in data["rows"]] == ["Ardèche", "Drôme"]
    assert row(data, "07")["total"] == {"count": None, "value": None}  # 1 élue in Ardèche
    # Drôme's 5 and the région's 6 would give Ardèche back: one of them is hidden too.
    regional = await table(stats, "diagnostics-familles", niveau="region")
    drome, region = row(data, "26")["total"], row(regional, "84")["total"]
    assert drome["value"] is None or region["value"] is None
    assert data["k"] == 3 and data["hidden_cells"] >= 2

    csv_answer = await stats.client.get(
        "/v1/exports/diagnostics-familles.csv",
        params={"niveau": "departement"},
        headers=stats.auth("op-1", **OPERATOR),
    )
    assert csv_answer.status_code == 200
    assert csv_answer.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(csv_answer.text)))
    assert lines[0][:2] == ["code", "Département"]
    ardeche = next(line for line in lines if line[0] == "07")
    assert ardeche[-1] == "secret" and "1" not in ardeche[2:]

    ods = await stats.client.get(
        "/v1/exports/diagnostics-familles.ods", headers=stats.auth("op-1", **OPERATOR)
    )
    assert ods.status_code == 200
    with zipfile.ZipFile(io.BytesIO(ods.content)) as archive:
        content = archive.read("content.xml").decode()
    assert "Ardèche" in content and "secret" in content and "Taille de commune" in content

    public = await stats.client.get("/v1/open-data")
    assert public.status_code == 200
    dataset = public.json()
    assert "Licence Ouverte" in dataset["licence"]
    family = next(i for i in dataset["indicateurs"] if i["code"] == "diagnostics-familles")
    assert next(r for r in family["lignes"] if r["code"] == "07")["total"] is None


async def test_a_cancelled_meeting_no_longer_counts(platform: Platform) -> None:
    stats = await platform.start("statistics")
    held = [session() for _ in range(4)]
    for meeting in held:
        await publish(platform, meeting, source="matching")

    async def meetings(n: int) -> bool:
        data = await table(stats, "rencontres", niveau="departement")
        return data["total"]["total"]["value"] == n

    await wait_until(lambda: meetings(4), what="four meetings counted")
    first = held[0]
    cancelled = SessionCancelled(
        **first.model_dump(exclude={"sequence", "scheduled_at"}),
        sequence=1,
        reason="Tempête annoncée",
        cancelled_at=datetime.now(UTC),
    )
    await publish(platform, cancelled, source="matching")
    await wait_until(lambda: meetings(3), what="the cancelled meeting gone")
    data = await table(stats, "rencontres", niveau="departement")
    assert data["categories"] == [["cafe_elus_techniciens", "Café élus–techniciens"]]


def answered(
    siren: str, score: int, kind: EvaluationKind = EvaluationKind.SATISFACTION
) -> EvaluationAnswered:
    return EvaluationAnswered(
        evaluation_id=uuid4(),
        offer_id=uuid4(),
        kind=kind,
        theme="alimentation",
        format=TrainingFormat.HALF_DAY,
        score=score,
        collectivite_siren=siren,
        answered_at=datetime.now(UTC),
    )


async def test_satisfaction_counts_answers_by_note_with_k_3(platform: Platform) -> None:
    stats = await platform.start("statistics")
    crest = [answered(CREST[1], 4) for _ in range(3)]
    # Delivered twice, and an impact questionnaire (not satisfaction): neither counts more.
    for answer in (*crest, crest[0], answered(CREST[1], 1, EvaluationKind.IMPACT_6_MONTHS)):
        await publish(platform, answer)
    await publish(platform, answered(PRIVAS[1], 2))  # last in the one queue

    async def counted() -> bool:
        data = await table(stats, "satisfaction", niveau="departement")
        return {r["code"] for r in data["rows"]} == {"07", "26"}

    await wait_until(counted, what="the satisfaction answers counted")
    data = await table(stats, "satisfaction", niveau="departement")
    assert [code for code, _ in data["categories"]] == ["2", "4"]
    assert row(data, "07")["total"] == {"count": None, "value": None}  # one answer in Privas
    hidden = {"count": None, "value": None}
    assert row(data, "26")["figures"][1] in ({"count": 3, "value": 3}, hidden)
    assert row(data, "26")["figures"][0] == {"count": 0, "value": 0}  # no note 1 counted
    counts = [f["count"] for r in data["rows"] for f in (*r["figures"], r["total"])]
    assert all(c is None or c == 0 or c >= 3 for c in counts)


async def test_only_operators_and_partners_read_the_figures(platform: Platform) -> None:
    stats = await platform.start("statistics")
    anonymous = await stats.client.get("/v1/indicators")
    assert anonymous.status_code == 401
    elected = await stats.client.get(
        "/v1/indicators", headers=stats.auth("elu-1", authority=CREST[1], roles=("elected",))
    )
    assert elected.status_code == 403
    partner_auth = stats.auth("r-1", roles=("partner",))
    partner = await stats.client.get("/v1/indicators", headers=partner_auth)
    assert partner.status_code == 200
    assert {i["code"] for i in partner.json()} >= {"diagnostics-familles", "prets"}
    unknown = await stats.client.get(
        "/v1/indicators/diagnostics-familles",
        params={"niveau": "departement", "region": "99"},
        headers=stats.auth("op-1", **OPERATOR),
    )
    assert unknown.status_code == 422
    assert "région" in unknown.json()["detail"]
