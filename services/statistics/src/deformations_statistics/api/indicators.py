"""The indicators as tables (JSON), and as files to download (CSV, ODS, open data)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, StringConstraints

from deformations_statistics import exports
from deformations_statistics.api.deps import Reader, RuntimeDep
from deformations_statistics.domain.indicators import Indicator
from deformations_statistics.domain.places import Level
from deformations_statistics.domain.tables import Row, Table
from deformations_statistics.service import dashboards
from deformations_statistics.service.uow import StatisticsUow

router = APIRouter(prefix="/v1", tags=["statistics"])

RegionCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{2}$")]
LEVELS = (Level.REGION, Level.DEPARTEMENT, Level.EPCI, Level.SIZE)


class IndicatorOut(BaseModel):
    code: Indicator
    title: str
    counted: str
    value: str
    category: str


class FigureOut(BaseModel):
    count: int | None
    value: int | None


class RowOut(BaseModel):
    code: str
    name: str
    figures: list[FigureOut]
    total: FigureOut


class TableOut(BaseModel):
    indicator: Indicator
    title: str
    level: Level
    k: int
    categories: list[tuple[str, str]]
    rows: list[RowOut]
    total: RowOut
    hidden_cells: int


@router.get("/indicators")
async def indicators(_: Reader) -> list[IndicatorOut]:
    """Les indicateurs suivis."""
    return [
        IndicatorOut(
            code=i,
            title=i.about.title,
            counted=i.about.counted,
            value=i.about.value,
            category=i.about.category,
        )
        for i in Indicator
    ]


@router.get("/indicators/{indicator}")
async def indicator_table(
    indicator: Indicator,
    runtime: RuntimeDep,
    _: Reader,
    level: Annotated[Level, Query(alias="niveau")] = Level.DEPARTEMENT,
    region: Annotated[RegionCode | None, Query()] = None,
) -> TableOut:
    """Un indicateur par région, département, intercommunalité ou taille de commune
    (k ≥ 3 : les chiffres masqués valent ``null``)."""
    async with runtime.begin(StatisticsUow) as uow:
        table = await dashboards.table(uow, indicator, level, region)
        return _out(table, uow.places.name)


@router.get("/exports/{indicator}.{fmt}", response_class=Response)
async def export(
    indicator: Indicator,
    fmt: Literal["csv", "ods"],
    runtime: RuntimeDep,
    _: Reader,
    level: Annotated[Level, Query(alias="niveau")] = Level.DEPARTEMENT,
) -> Response:
    """Le tableau d'un indicateur en CSV ; en ODS, un onglet par niveau."""
    async with runtime.begin(StatisticsUow) as uow:
        stats = await dashboards.statistics(uow, indicator)
        name = uow.places.name
    if fmt == "csv":
        body = exports.to_csv(exports.rows(stats.table(level), name))
        media = "text/csv; charset=utf-8"
    else:
        sheets = {lvl.label: exports.rows(stats.table(lvl), name) for lvl in LEVELS}
        body = exports.to_ods(sheets)
        media = "application/vnd.oasis.opendocument.spreadsheet"
    filename = f"deformations-{indicator.value}.{fmt}"
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/open-data")
async def open_data(runtime: RuntimeDep) -> dict[str, object]:
    """Les indicateurs par département, en données ouvertes (public, k ≥ 3)."""
    async with runtime.begin(StatisticsUow) as uow:
        tables = [(await dashboards.statistics(uow, i)).table(Level.DEPARTEMENT) for i in Indicator]
        settings = uow.settings
        return exports.open_data(
            tables, uow.places.name, settings.open_data_licence, settings.open_data_licence_url
        )


def _row(row: Row, level: Level, name: exports.Namer) -> RowOut:
    return RowOut(
        code=row.code,
        name=name(level, row.code),
        figures=[FigureOut(count=f.count, value=f.value) for f in row.figures],
        total=FigureOut(count=row.total.count, value=row.total.value),
    )


def _out(table: Table, name: exports.Namer) -> TableOut:
    return TableOut(
        indicator=table.indicator,
        title=table.indicator.about.title,
        level=table.level,
        k=table.k,
        categories=list(table.categories),
        rows=[_row(r, table.level, name) for r in table.rows],
        total=_row(table.total, Level.PLATFORM, name),
        hidden_cells=table.hidden_cells,
    )
