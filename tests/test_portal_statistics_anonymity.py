"""No dashboard of the portal lets anyone see a group of fewer than 3 people, nor work one
out by differencing two views: the tables of every level are read from the pages as a
person sees them, and the published sums that bind them (a place's total, a région as the
sum of its départements, the platform as the sum of each level) are attacked with the
statistics domain's own exact check (null space of the system)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import pytest
from browser import PHONE, Open, accessible
from statistics_site import (
    OPERATOR,
    ShownTable,
    StatisticsSite,
    random_territory,
    shown_table,
    sign_in,
    statistics_site,
)

from deformations_devtools.testing import Infra
from deformations_statistics.domain.anonymity import Group, K, determined

pytestmark = [pytest.mark.integration, pytest.mark.browser]

INDICATOR = "diagnostics-familles"  # one diagnosis is one person: a figure is a head count
LEVELS = ("region", "departement", "epci", "taille")
PLATFORM = ("plateforme", "*")
Key = tuple[str, str, str]  # level, place as the page names it, column


@pytest.fixture
async def site(infra: Infra, database_url: str, namespace: str) -> AsyncIterator[StatisticsSite]:
    async with statistics_site(
        infra, database_url, namespace, random_territory(seed=13, size=40)
    ) as site:
        yield site


def open_view(driver: Any, site: StatisticsSite, level: str, region: str = "") -> ShownTable:
    query = {"indicateur": INDICATOR, "niveau": level, **({"region": region} if region else {})}
    driver.get(f"{site.url}/statistiques?{urlencode(query)}")
    accessible(driver)
    return shown_table(driver, level)


def region_codes(driver: Any) -> dict[str, str]:
    from selenium.webdriver.common.by import By

    options = driver.find_elements(By.CSS_SELECTOR, "#region option")
    return {o.text.strip(): o.get_attribute("value") for o in options if o.get_attribute("value")}


async def test_no_page_shows_or_gives_away_a_group_under_three(
    site: StatisticsSite, browsers: Open
) -> None:
    driver = browsers(window=PHONE)
    sign_in(driver, site, OPERATOR)
    views = {level: open_view(driver, site, level) for level in LEVELS}
    regions = region_codes(driver)
    departements_of = {
        name: [p for (p, _) in open_view(driver, site, "departement", code).cells if p != "*"]
        for name, code in regions.items()
    }

    shown: dict[Key, int | None] = {}
    for level, view in views.items():
        for (place, column), figure in view.cells.items():
            key = (*PLATFORM, column) if place == "*" else (level, place, column)
            # Every view agrees on every figure it shares with another (the platform's row).
            assert shown.setdefault(key, figure) == figure, key

    # Nothing under 3 is shown: a figure is 0 or at least K people.
    small = {key: n for key, n in shown.items() if n is not None and 0 < n < K}
    assert small == {}
    hidden = {key for key, n in shown.items() if n is None}
    assert hidden, "these territories have small groups: some figures must be hidden"

    # And nothing hidden follows from what is shown and the sums the pages publish.
    groups: list[Group[Key]] = []
    columns = views["departement"].columns
    categories = [c for c in columns if c != "Total"]
    for level, view in views.items():
        places = sorted({p for (p, _) in view.cells if p != "*"})
        for place in (*places, "*"):
            at = PLATFORM if place == "*" else (level, place)
            groups.append(Group((*at, "Total"), tuple((*at, c) for c in categories)))
        for column in columns:
            groups.append(Group((*PLATFORM, column), tuple((level, p, column) for p in places)))
    for region, departements in departements_of.items():
        for column in columns:
            parts = tuple(("departement", d, column) for d in departements)
            groups.append(Group(("region", region, column), parts))
    assert determined(hidden, groups) == []
    # The check is not empty: the sums bind the hidden figures the pages show.
    assert any(hidden & {g.total, *g.parts} for g in groups)
