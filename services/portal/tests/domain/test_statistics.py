import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from deformations_common.vocabulary.roles import Role
from deformations_portal.domain import statistics as rules
from deformations_portal.domain.memberships import Membership, Status

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)
INDICATORS = ["diagnostics-familles", "prets"]


def held(role: Role, status: Status = Status.VALIDATED) -> Membership:
    return Membership(uuid.uuid4(), uuid.uuid4(), "212601082", role, status, NOW)


def test_operators_then_partners_read_the_statistics() -> None:
    partner, operator = held(Role.PARTNER), held(Role.OPERATOR)
    assert rules.reader_membership([partner, operator]) is operator
    assert rules.reader_membership([held(Role.ELECTED), partner]) is partner
    assert rules.reader_membership([held(Role.PARTNER, Status.REQUESTED)]) is None
    with pytest.raises(rules.NotAStatisticsReader, match="réservées aux opérateurs"):
        rules.require_reader([held(Role.HR)])


def test_a_choice_defaults_to_the_first_indicator_by_departement() -> None:
    assert rules.choose(INDICATORS, "", "", " ") == rules.Choice(
        "diagnostics-familles", "departement", None
    )
    chosen = rules.choose(INDICATORS, "prets", "region", "84")
    assert chosen.params() == {"niveau": "region", "region": "84"}


@pytest.mark.parametrize(
    ("indicator", "level", "region", "message"),
    [
        ("inconnu", "", "", "indicateur"),
        ("prets", "commune", "", "niveau"),
        ("prets", "epci", "8'4", "région"),
    ],
)
def test_a_bad_choice_is_told_in_french(
    indicator: str, level: str, region: str, message: str
) -> None:
    with pytest.raises(rules.InvalidStatisticsChoice, match=message):
        rules.choose(INDICATORS, indicator, level, region)


def table(*totals: int | None) -> dict[str, Any]:
    rows = [{"name": f"Lieu {n}", "total": {"count": t, "value": t}} for n, t in enumerate(totals)]
    return {"title": "Prêts", "level": "departement", "rows": rows}


def test_the_chart_scales_on_the_largest_shown_figure_and_never_draws_a_secret() -> None:
    chart = rules.chart(table(12_000, None, 3_000, 0), "demi-journées")
    widths = [b.width for b in chart.bars]
    assert widths[0] == max(widths) and widths[2] == widths[0] // 4
    assert widths[1] == 0 and chart.bars[1].text == "secret"
    assert widths[3] == 0 and chart.bars[3].text == "0"
    assert chart.bars[0].text == "12\u202f000"
    # The picture's description says every figure, as the table does.
    assert "Lieu 1 : secret" in chart.description
    assert "demi-journées par département" in chart.description
    assert chart.height > len(chart.bars) * rules.BAR_HEIGHT


def test_a_chart_with_every_figure_hidden_draws_no_bar() -> None:
    chart = rules.chart(table(None, None), "prêts")
    assert [b.width for b in chart.bars] == [0, 0]
