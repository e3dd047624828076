"""The portal beside the statistics service on real ports, with diagnoses published on
the real broker for statistics to count, and the dashboard's tables read back from a
browser's page as a person sees them."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
from browser import click, serving
from portal_pair import Pair, pair_settings
from test_matching_helpers import CREST, SAILLANS, diagnosed

from deformations_common.codec import encode
from deformations_common.messaging import publish_once
from deformations_common.service import create_app
from deformations_devtools.portal import demo
from deformations_devtools.portal.support import Portal
from deformations_devtools.testing import Infra, wait_until
from deformations_portal.app import definition as portal_definition
from deformations_statistics.app import definition as statistics_definition
from deformations_statistics.settings import StatisticsSettings

OPERATOR = "operateur@demo.deformations.fr"
ELUE = "elue@crest.demo.deformations.fr"
# (INSEE, SIREN): two régions, three départements, several EPCIs and sizes of commune.
DIE = ("26113", "212601132")
PRIVAS = ("07186", "210701868")
DOURDAN = ("91200", "219102001")
MILLY = ("91405", "219104056")
COMMUNES = (CREST, SAILLANS, DIE, PRIVAS, DOURDAN, MILLY)
FAMILIES = {
    "solidaire": "Les solidaires de terrain",
    "pionnier": "Les pionniers",
    "gestionnaire": "Les gestionnaires prudents",
}
# Who took the autodiagnostic where: small groups everywhere (Privas has one élue,
# Milly-la-Forêt one), so a dashboard that shows them, or lets them be subtracted, fails.
FIXED = (
    (CREST, "solidaire"),
    (CREST, "solidaire"),
    (CREST, "solidaire"),
    (CREST, "pionnier"),
    (SAILLANS, "solidaire"),
    (SAILLANS, "solidaire"),
    (DIE, "pionnier"),
    (DIE, "pionnier"),
    (DIE, "pionnier"),
    (PRIVAS, "solidaire"),
    (DOURDAN, "solidaire"),
    (DOURDAN, "solidaire"),
    (DOURDAN, "solidaire"),
    (MILLY, "pionnier"),
)


def random_territory(seed: int, size: int = 40) -> tuple[tuple[tuple[str, str], str], ...]:
    chance = random.Random(seed)
    return tuple((chance.choice(COMMUNES), chance.choice(sorted(FAMILIES))) for _ in range(size))


@dataclass
class StatisticsSite:
    pair: Pair[StatisticsSettings]
    database_url: str
    stack: AsyncExitStack  # closing it stops the statistics service only

    @property
    def url(self) -> str:
        return self.pair.url

    async def stop_statistics(self) -> None:
        await self.stack.aclose()


async def _counted(database_url: str) -> int:
    connection = await asyncpg.connect(database_url)
    try:
        return int(await connection.fetchval("SELECT count(*) FROM statistics.inbox"))
    finally:
        await connection.close()


@asynccontextmanager
async def statistics_site(
    infra: Infra,
    database_url: str,
    namespace: str,
    diagnoses: Sequence[tuple[tuple[str, str], str]] = FIXED,
) -> AsyncIterator[StatisticsSite]:
    pair = pair_settings(infra, database_url, namespace, "statistics", StatisticsSettings)
    async with AsyncExitStack() as outer:
        await outer.enter_async_context(
            serving(create_app(portal_definition(pair.portal)), pair.portal_port, "portal")
        )
        inner = AsyncExitStack()
        outer.push_async_callback(inner.aclose)
        await inner.enter_async_context(
            serving(
                create_app(statistics_definition(pair.service)), pair.service_port, "statistics"
            )
        )
        await Portal(pair.portal).run(demo.create_accounts)
        messages = [
            encode(
                diagnosed(f"elu-{n}", commune).model_copy(
                    update={"family": family, "family_label": FAMILIES[family]}
                ),
                source="diagnosis",
            )
            for n, (commune, family) in enumerate(diagnoses)
        ]
        await publish_once(infra.amqp_url, pair.service.events_exchange, messages)

        async def all_counted() -> bool:
            return await _counted(database_url) == len(messages)

        await wait_until(all_counted, timeout_s=60, what="statistics counted every diagnosis")
        yield StatisticsSite(pair, database_url, inner)


def sign_in(driver: Any, site: StatisticsSite, email: str) -> None:
    driver.get(f"{site.url}/connexion/dev")
    click(driver, f"Agir en tant que {email}")


@dataclass(frozen=True)
class ShownTable:
    """A dashboard's table as the page shows it: figures by place and column, None where
    the page writes « secret »; the platform's row under the place ``*``."""

    level: str
    columns: tuple[str, ...]
    cells: dict[tuple[str, str], int | None]


def shown_table(driver: Any, level: str) -> ShownTable:
    from selenium.webdriver.common.by import By

    table = driver.find_element(By.CSS_SELECTOR, ".statistiques table")
    headers = [th.text.strip() for th in table.find_elements(By.CSS_SELECTOR, "thead th")]
    columns = tuple(headers[1:])
    cells: dict[tuple[str, str], int | None] = {}
    for part, css in (("tbody", "tbody tr"), ("tfoot", "tfoot tr")):
        for tr in table.find_elements(By.CSS_SELECTOR, css):
            place = tr.find_element(By.CSS_SELECTOR, "th").text.strip()
            figures = [td.text.strip() for td in tr.find_elements(By.CSS_SELECTOR, "td")]
            key = "*" if part == "tfoot" else place
            for column, figure in zip(columns, figures, strict=True):
                cells[(key, column)] = (
                    None if figure == "secret" else int(figure.replace("\u202f", ""))
                )
    return ShownTable(level, columns, cells)
