"""« Mon agenda »: her coming dates from matching, lending and training, and their
iCalendar file.

The three services are called side by side with her short token; one that does not answer
(or answers in a shape the portal does not read) leaves a French notice in its place and
the others still show. The file holds what the page shows.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from fastapi import APIRouter
from fastapi.responses import Response

from deformations_common.vocabulary.errors import DomainError
from deformations_portal import calendar_feed
from deformations_portal.domain.agenda import (
    Entry,
    from_lending,
    from_matching,
    from_training,
    in_order,
)
from deformations_portal.web.context import Page, PageDep
from deformations_portal.web.links import call, to_sign_in
from deformations_portal.web.training import training_client

router = APIRouter(include_in_schema=False)

_MISSING = {
    "matching": "Les rencontres entre élus (groupes de pairs, cafés, soirées) sont "
    "momentanément indisponibles : elles manquent ci-dessous. Réessayez dans quelques minutes.",
    "lending": "Les demi-journées de prêt de compétences sont momentanément indisponibles : "
    "elles manquent ci-dessous. Réessayez dans quelques minutes.",
    "training": "Vos séances de formation sont momentanément indisponibles : elles manquent "
    "ci-dessous. Réessayez dans quelques minutes.",
}
_NO_MEMBERSHIP = (
    "Les demi-journées de prêt de compétences de votre collectivité s'affichent dès que votre "
    "adhésion est validée."
)
_READ_ERRORS = (KeyError, TypeError, ValueError, AttributeError)


@dataclass
class Agenda:
    entries: list[Entry] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


async def _matching(page: Page) -> list[Entry] | str:
    answer = await call(page, "matching", "GET", "/v1/sessions")
    try:
        if not answer.ok:
            raise ValueError(answer.status)
        return from_matching(answer.body, page.runtime.clock())
    except _READ_ERRORS:
        return _MISSING["matching"]


async def _lending(page: Page) -> list[Entry] | str:
    assert page.me is not None
    if page.me.acting is None:
        return _NO_MEMBERSHIP
    answer = await call(page, "lending", "GET", "/v1/loans")
    try:
        if not answer.ok:
            raise ValueError(answer.status)
        return from_lending(answer.body, page.runtime.clock())
    except _READ_ERRORS:
        return _MISSING["lending"]


async def _training(page: Page) -> list[Entry] | str:
    assert page.me is not None
    try:
        client = await training_client(page)
        journey = await client.get(f"/v1/people/{page.me.person_id}/journey")
        return from_training(journey, page.runtime.clock())
    except (DomainError, *_READ_ERRORS):
        return _MISSING["training"]


async def gather(page: Page) -> Agenda:
    found = await asyncio.gather(_matching(page), _lending(page), _training(page))
    agenda = Agenda()
    groups = []
    for one in found:
        if isinstance(one, str):
            agenda.notices.append(one)
        else:
            groups.append(one)
    agenda.entries = in_order(*groups)
    return agenda


@router.get("/espace/agenda")
async def my_agenda(page: PageDep) -> Response:
    if page.me is None:
        return to_sign_in(page)
    agenda = await gather(page)
    return page.render(
        "my_agenda.html",
        "Mon agenda",
        current="espace",
        entries=agenda.entries,
        notices=agenda.notices,
    )


@router.get("/espace/agenda.ics")
async def my_agenda_file(page: PageDep) -> Response:
    if page.me is None:
        return to_sign_in(page)
    agenda = await gather(page)
    body = calendar_feed.build(
        agenda.entries,
        app_url=page.settings.app_url,
        uid_domain=page.settings.mail_domain,
        now=page.runtime.clock(),
        name=f"Mon agenda — {page.platform.name}",
    )
    return page.finish(
        Response(
            body,
            media_type="text/calendar; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="mon-agenda.ics"'},
        )
    )
