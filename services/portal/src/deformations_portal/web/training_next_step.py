"""The training offers that fit the quiz's « prochain pas », on the result pages.

Signed in, « Mon résultat » shows them; the anonymous result (diagnosis's own page)
links to ``/formations/prochain-pas``, which anyone may open: training's catalogue of
open offers is public. A training service that fails leaves the step without offers,
never an error.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from deformations_common.vocabulary.errors import DomainError
from deformations_portal.domain.next_step import SHOWN, StepSearch, step_search
from deformations_portal.web.context import Page, PageDep
from deformations_portal.web.pages import issuer_of
from deformations_portal.web.training import offer_view
from deformations_portal.web.training_client import TrainingClient

router = APIRouter(include_in_schema=False)

PATH = "/formations/prochain-pas"


async def offers_for_step(page: Page, search: StepSearch) -> list[dict[str, Any]]:
    """Up to three open offers fitting the step, as the pages show them; [] on failure."""
    client = TrainingClient(
        page.settings,
        await issuer_of(page),
        page.request.app.state.clients.http,
        page.me.person_id if page.me else None,
        page.me.acting if page.me else None,
        page.runtime.clock(),
    )
    found: dict[str, dict[str, Any]] = {}
    try:
        for params in search.searches():
            for result in await client.get("/v1/offers/search", params=params):
                found.setdefault(str(result["offer"]["id"]), offer_view(result["offer"]))
            if len(found) >= SHOWN:
                break
    except (DomainError, KeyError, TypeError):
        return []
    return list(found.values())[:SHOWN]


def link_for(step_code: str, theme: str | None, minutes: int | None) -> str:
    """The public page of the offers fitting a step (what the anonymous result links to)."""
    query = f"pas={step_code}"
    if theme:
        query += f"&theme={theme}"
    if minutes is not None:
        query += f"&temps={minutes}"
    return f"{PATH}?{query}"


@router.get(PATH)
async def next_step_offers(
    page: PageDep, pas: str = "", theme: str = "", temps: str = ""
) -> Response:
    search = step_search(pas, theme, temps)
    offers = await offers_for_step(page, search)
    return page.render(
        "training/next_step.html",
        "Des formations pour votre prochain pas",
        current="formations",
        offers=offers,
        signed_in=page.me is not None,
    )
