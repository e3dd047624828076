"""One platform per Région, on the real broker: the statistics count, show and export only
the platform's territory; events from elsewhere are handled, kept, and never counted."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from platform_harness import Platform, RunningService
from test_matching_helpers import CREST, SAILLANS, diagnosed, publish

from deformations_devtools.portal.platforms import AUVERGNE_RHONE_ALPES
from deformations_devtools.testing import wait_until

pytestmark = pytest.mark.integration

PRIVAS = ("07186", "210701868")
PARIS = ("75056", "217500016")
OPERATOR = {"roles": ("operator",)}
# Four in the Drôme, one in the Ardèche (Auvergne-Rhône-Alpes), three in Paris.
PLACES = [CREST, SAILLANS, CREST, SAILLANS, PRIVAS, PARIS, PARIS, PARIS]


async def answered(stats: RunningService, path: str, **params: str) -> Any:
    answer = await stats.client.get(path, params=params, headers=stats.auth("op", **OPERATOR))
    assert answer.status_code == 200, answer.text
    return answer.json() if "json" in answer.headers["content-type"] else answer.text


async def diagnoses_everywhere(platform: Platform, stats: RunningService) -> None:
    for n, place in enumerate(PLACES):
        await publish(platform, diagnosed(f"elu-{n}", place))

    async def recorded() -> bool:
        stored: int = await stats.runtime.pool.fetchval(
            "SELECT count(*) FROM facts WHERE indicator = 'diagnostics-familles'"
        )
        return stored == len(PLACES)

    await wait_until(recorded, what="every diagnosis recorded, from anywhere")


async def test_a_region_s_platform_counts_its_region_only(platform: Platform) -> None:
    stats = await platform.start("statistics", platform_file=str(AUVERGNE_RHONE_ALPES))
    await diagnoses_everywhere(platform, stats)
    regions = await answered(stats, "/v1/indicators/diagnostics-familles", niveau="region")
    assert [r["code"] for r in regions["rows"]] == ["84"]
    assert regions["total"]["total"]["value"] == 5  # Paris' three are not the Région's
    departements = await answered(stats, "/v1/indicators/diagnostics-familles")
    assert [r["name"] for r in departements["rows"]] == ["Ardèche", "Drôme"]
    # k ≥ 3 still: the Ardèche's one diagnosis is hidden, and so the Drôme's four with it.
    assert departements["rows"][0]["total"]["value"] is None
    assert departements["rows"][1]["total"]["value"] is None
    elsewhere = await answered(
        stats, "/v1/indicators/diagnostics-familles", niveau="departement", region="11"
    )
    assert elsewhere["rows"] == []
    exported = await answered(stats, "/v1/exports/diagnostics-familles.csv")
    lines = list(csv.reader(io.StringIO(exported)))
    assert [line[0] for line in lines[1:]] == ["07", "26", "*"]
    published = await stats.client.get("/v1/open-data")
    [families] = [i for i in published.json()["indicateurs"] if i["code"] == "diagnostics-familles"]
    assert [line["code"] for line in families["lignes"]] == ["07", "26", "*"]


async def test_a_platform_of_one_departement_counts_that_departement(
    platform: Platform, tmp_path: Path
) -> None:
    drome = tmp_path / "drome.toml"
    # Welcoming elsewhere changes what matching proposes, not what the statistics count.
    drome.write_text('region = "84"\ndepartements = ["26"]\noutside_allowed = true\n')
    stats = await platform.start("statistics", platform_file=str(drome))
    await diagnoses_everywhere(platform, stats)
    departements = await answered(stats, "/v1/indicators/diagnostics-familles")
    assert [r["code"] for r in departements["rows"]] == ["26"]
    assert departements["rows"][0]["total"]["value"] == 4
    assert departements["total"]["total"]["value"] == 4


async def test_without_a_territory_everything_counts(platform: Platform) -> None:
    stats = await platform.start("statistics")
    await diagnoses_everywhere(platform, stats)
    regions = await answered(stats, "/v1/indicators/diagnostics-familles", niveau="region")
    assert [r["code"] for r in regions["rows"]] == ["11", "84"]
    assert regions["total"]["total"]["value"] == len(PLACES)
