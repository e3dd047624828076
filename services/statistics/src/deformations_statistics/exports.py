"""Tables as files: CSV, OpenDocument spreadsheet (odfpy) and the open-data JSON.

Hidden figures are written as « secret » (CSV, ODS) or ``null`` (JSON), never as 0: a reader
must not mistake a small group for no one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table as OdsTable
from odf.table import TableCell, TableRow
from odf.text import P

from deformations_statistics.domain.places import Level
from deformations_statistics.domain.tables import Figure, Table

SECRET = "secret"  # noqa: S105 - « secret statistique », not a password
Cell = str | int
Namer = Callable[[Level, str], str]


def rows(table: Table, name: Namer) -> list[list[Cell]]:
    """A header, then one line per place, then the platform's total."""
    about = table.indicator.about
    header: list[Cell] = [
        "code",
        table.level.label,
        *(label for _, label in table.categories),
        f"Total ({about.value})",
    ]
    lines: list[list[Cell]] = [header]
    for row in (*table.rows, table.total):
        level = table.level if row is not table.total else Level.PLATFORM
        lines.append(
            [row.code, name(level, row.code), *(_cell(f) for f in row.figures), _cell(row.total)]
        )
    return lines


def _cell(figure: Figure) -> Cell:
    return SECRET if figure.value is None else figure.value


def to_csv(lines: Sequence[Sequence[Cell]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(lines)
    return out.getvalue().encode("utf-8")


def to_ods(sheets: Mapping[str, Sequence[Sequence[Cell]]]) -> bytes:
    document = OpenDocumentSpreadsheet()
    for title, lines in sheets.items():
        sheet = OdsTable(name=title[:31])
        for line in lines:
            row = TableRow()
            for value in line:
                if isinstance(value, int):
                    cell = TableCell(valuetype="float", value=value)
                else:
                    cell = TableCell(valuetype="string")
                cell.addElement(P(text=str(value)))
                row.addElement(cell)
            sheet.addElement(row)
        document.spreadsheet.addElement(sheet)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def open_data(
    tables: Sequence[Table], name: Namer, licence: str, licence_url: str
) -> dict[str, Any]:
    """Every indicator by département and for the platform, as data.gouv.fr expects a
    dataset: its licence, its method, its figures."""
    return {
        "licence": licence,
        "licence_url": licence_url,
        "methode": (
            "Chaque chiffre compte au moins 3 contributions ou vaut 0 ; les autres sont "
            "masqués (null), avec assez de voisins pour qu'aucun ne se déduise des totaux."
        ),
        "k": min((t.k for t in tables), default=3),
        "indicateurs": [
            {
                "code": t.indicator.value,
                "titre": t.indicator.about.title,
                "unite": t.indicator.about.value,
                "niveau": t.level.value,
                "lignes": [
                    {
                        "code": row.code,
                        "nom": name(t.level if row is not t.total else Level.PLATFORM, row.code),
                        "categories": {
                            code: f.value
                            for (code, _), f in zip(t.categories, row.figures, strict=True)
                        },
                        "total": row.total.value,
                    }
                    for row in (*t.rows, t.total)
                ],
            }
            for t in tables
        ],
    }
