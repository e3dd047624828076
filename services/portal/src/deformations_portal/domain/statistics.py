"""The Région's statistics as the portal shows them: who may read them, the choices of a
dashboard (indicator, level, région) and a table's bar chart laid out as a picture.

The statistics service hides every small figure (k ≥ 3, nothing given back by
subtraction); the portal shows what it is given, and a hidden figure stays « secret »,
never 0, in the chart as in the table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from deformations_common.vocabulary.errors import ForbiddenAction, InvalidInput
from deformations_common.vocabulary.roles import Role
from deformations_portal.domain.memberships import Membership

READER_ROLES = (Role.OPERATOR, Role.PARTNER)
LEVELS = {
    "region": "Région",
    "departement": "Département",
    "epci": "Intercommunalité",
    "taille": "Taille de commune",
}
DEFAULT_LEVEL = "departement"
SECRET = "secret"  # noqa: S105 - « secret statistique », not a password
EXPORT_FORMATS = ("csv", "ods")

# The chart's geometry, in SVG user units (the picture scales to the screen's width).
CHART_WIDTH = 360
LABEL_WIDTH = 130
BAR_HEIGHT = 22
BAR_GAP = 10
TOP = 8


class NotAStatisticsReader(ForbiddenAction):
    code = "not_a_statistics_reader"


class InvalidStatisticsChoice(InvalidInput):
    code = "invalid_statistics_choice"


def reader_membership(held: Iterable[Membership]) -> Membership | None:
    """The validated membership a person reads the statistics through: operator first,
    else partner (Région, département)."""
    validated = [m for m in held if m.validated and m.role in READER_ROLES]
    validated.sort(key=lambda m: READER_ROLES.index(m.role))
    return validated[0] if validated else None


def require_reader(held: Iterable[Membership]) -> Membership:
    found = reader_membership(held)
    if found is None:
        raise NotAStatisticsReader(
            "Les statistiques sont réservées aux opérateurs de la plateforme et à ses "
            "partenaires (Région, départements)."
        )
    return found


@dataclass(frozen=True, slots=True)
class Choice:
    """What a dashboard shows: one indicator, at one level, maybe within one région."""

    indicator: str
    level: str
    region: str | None

    def params(self) -> dict[str, str]:
        chosen = {"niveau": self.level}
        if self.region is not None:
            chosen["region"] = self.region
        return chosen


def choose(indicators: Sequence[str], indicator: str, level: str, region: str) -> Choice:
    """The dashboard's choice from its form; the first indicator when none is named."""
    if not indicators:
        raise InvalidStatisticsChoice("Aucun indicateur n'est disponible pour le moment.")
    picked = indicator or indicators[0]
    if picked not in indicators:
        raise InvalidStatisticsChoice("Choisissez un indicateur dans la liste.")
    picked_level = level or DEFAULT_LEVEL
    if picked_level not in LEVELS:
        raise InvalidStatisticsChoice("Choisissez un niveau dans la liste.")
    cleaned = region.strip()
    if cleaned and not re.fullmatch(r"[0-9]{2}", cleaned):
        raise InvalidStatisticsChoice("Choisissez une région dans la liste.")
    return Choice(picked, picked_level, cleaned or None)


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: int | None  # None: hidden (secret statistique)
    y: int
    width: int  # 0 for a hidden figure: it is written « secret », never drawn as 0

    @property
    def text(self) -> str:
        return SECRET if self.value is None else number(self.value)


@dataclass(frozen=True, slots=True)
class Chart:
    title: str
    description: str
    bars: tuple[Bar, ...]
    width: int
    height: int
    label_width: int
    bar_height: int


def number(value: int) -> str:
    """A figure as French writes it: 12\u202f345."""
    return f"{value:,}".replace(",", "\u202f")


def chart(table: Mapping[str, Any], unit: str) -> Chart:
    """One horizontal bar per place: its total, scaled on the largest published one."""
    rows = table["rows"]
    totals = [r["total"]["value"] for r in rows]
    largest = max((t for t in totals if t is not None), default=0)
    room = CHART_WIDTH - LABEL_WIDTH - 60  # the value is written after its bar
    bars = []
    for n, (row, total) in enumerate(zip(rows, totals, strict=True)):
        width = 0 if not total or largest == 0 else max(1, round(room * total / largest))
        bars.append(Bar(str(row["name"]), total, TOP + n * (BAR_HEIGHT + BAR_GAP), width))
    shown = [f"{b.label} : {b.text}" for b in bars]
    description = (
        f"Diagramme en barres, {unit} par {LEVELS.get(table['level'], '').lower()} : "
        + ("; ".join(shown) if shown else "aucune donnée")
        + ". Les mêmes chiffres sont dans le tableau qui suit."
    )
    height = TOP * 2 + max(1, len(bars)) * (BAR_HEIGHT + BAR_GAP)
    return Chart(
        title=str(table["title"]),
        description=description,
        bars=tuple(bars),
        width=CHART_WIDTH,
        height=height,
        label_width=LABEL_WIDTH,
        bar_height=BAR_HEIGHT,
    )
