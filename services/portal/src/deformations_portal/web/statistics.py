"""The Région's statistics: a dashboard per indicator (level, région), its chart as a
picture beside its table, the exports (CSV, ODS) passed through with the reader's token,
and the public open-data page with its licence. Operators and partners only, but for the
open data; a statistics service that does not answer is told, not an error page."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import Response

from deformations_common.vocabulary.errors import DomainError
from deformations_portal.domain import statistics as rules
from deformations_portal.domain.memberships import Membership
from deformations_portal.web import statistics_client
from deformations_portal.web.context import Page, PageDep, failed, not_found
from deformations_portal.web.links import to_sign_in
from deformations_portal.web.pages import issuer_of
from deformations_portal.web.statistics_client import StatisticsClient, StatisticsUnavailable

router = APIRouter(include_in_schema=False)

INDICATOR_CODE = re.compile(r"[a-z][a-z0-9-]{0,63}")


def _reader(page: Page) -> Membership | Response:
    """The membership the signed-in person reads through, else the page to show instead."""
    if page.me is None:
        return to_sign_in(page)
    try:
        return rules.require_reader(page.me.memberships)
    except DomainError as error:
        return failed(page, "Accès réservé", error, "/")


async def _client(page: Page, reader: Membership) -> StatisticsClient:
    assert page.me is not None
    return StatisticsClient(
        page.settings,
        await issuer_of(page),
        page.request.app.state.clients.http,
        page.me.person_id,
        reader,
        page.runtime.clock(),
    )


@router.get("/statistiques")
async def dashboard(
    page: PageDep, indicateur: str = "", niveau: str = "", region: str = ""
) -> Response:
    reader = _reader(page)
    if not isinstance(reader, Membership):
        return reader
    client = await _client(page, reader)
    shown: dict[str, Any] = {
        "indicators": [],
        "choice": None,
        "table": None,
        "chart": None,
        "regions": [],
        "error": "",
        "unavailable": "",
        "downloads": {},
    }
    status = 200
    try:
        indicators = await client.get("/v1/indicators")
        shown["indicators"] = indicators
        choice = rules.choose([i["code"] for i in indicators], indicateur, niveau, region)
        shown["choice"] = choice
        path = f"/v1/indicators/{choice.indicator}"
        table = await client.get(path, choice.params())
        regional = await client.get(path, {"niveau": "region"})
    except rules.InvalidStatisticsChoice as error:
        shown["error"], status = error.message, error.status
    except StatisticsUnavailable as error:
        shown["unavailable"], status = error.message, error.status
    except DomainError as error:  # the service refused this choice (an unknown région…)
        shown["error"], status = error.message, error.status
    else:
        unit = next(i["value"] for i in indicators if i["code"] == choice.indicator)
        shown.update(
            table=table,
            unit=unit,
            chart=rules.chart(table, unit),
            regions=[(r["code"], r["name"]) for r in regional["rows"]],
            downloads={
                fmt: f"/statistiques/export/{choice.indicator}.{fmt}?"
                + urlencode({"niveau": choice.level})
                for fmt in rules.EXPORT_FORMATS
            },
        )
    return page.render(
        "statistics/dashboard.html",
        "Statistiques de la plateforme",
        status=status,
        current="statistiques",
        levels=rules.LEVELS,
        secret=rules.SECRET,
        number=rules.number,
        **shown,
    )


@router.get("/statistiques/export/{indicator}.{fmt}")
async def export(page: PageDep, indicator: str, fmt: str, niveau: str = "") -> Response:
    reader = _reader(page)
    if not isinstance(reader, Membership):
        return reader
    level = niveau or rules.DEFAULT_LEVEL
    if (
        fmt not in rules.EXPORT_FORMATS
        or level not in rules.LEVELS
        or not INDICATOR_CODE.fullmatch(indicator)
    ):
        return not_found(page)
    client = await _client(page, reader)
    try:
        document = await client.document(
            f"/v1/exports/{indicator}.{fmt}?" + urlencode({"niveau": level})
        )
    except DomainError as error:
        return failed(page, "Téléchargement impossible", error, "/statistiques")
    headers = {"content-disposition": document.disposition or "attachment"}
    return page.finish(Response(document.content, media_type=document.media_type, headers=headers))


@router.get("/statistiques/donnees-ouvertes")
async def open_data(page: PageDep) -> Response:
    """Public: what is published, under which licence, and the file to download."""
    try:
        data = await statistics_client.open_data(page.settings, page.request.app.state.clients.http)
    except DomainError as error:
        return page.render(
            "statistics/open_data.html",
            "Données ouvertes",
            status=error.status,
            current="donnees-ouvertes",
            data=None,
            unavailable=error.message,
        )
    return page.render(
        "statistics/open_data.html",
        "Données ouvertes",
        current="donnees-ouvertes",
        data=data,
        unavailable="",
        levels=rules.LEVELS,
        secret=rules.SECRET,
        number=rules.number,
    )


@router.get("/statistiques/donnees-ouvertes.json")
async def open_data_file(page: PageDep) -> Response:
    try:
        data = await statistics_client.open_data(page.settings, page.request.app.state.clients.http)
    except DomainError as error:
        return failed(page, "Téléchargement impossible", error, "/statistiques/donnees-ouvertes")
    body = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    return page.finish(
        Response(
            body,
            media_type="application/json",
            headers={
                "content-disposition": 'attachment; filename="deformations-donnees-ouvertes.json"'
            },
        )
    )
