"""The boussole de la participation's page (booklet, thématique 9), over training's API.

The group surveys 10 to 15 collectivités (XXS to XXL) and their participation dispositifs;
the grid then places every dispositif by ambition and effort as a picture drawn on the
server (SVG, numbered dots), with the same figures in a table beside it for whoever does not
see the picture; each collectivité gets its roadmap, followed up as dispositifs are tried.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from deformations_common.vocabulary.errors import InvalidInput
from deformations_portal.web.context import Page, PageDep
from deformations_portal.web.programme_space import Feedback, SpacePage, act, show
from deformations_portal.web.training import training_client
from deformations_portal.web.training_client import TrainingClient

router = APIRouter(include_in_schema=False)

BOUSSOLE = "t09_boussole_participation"
MIN_SURVEYED = 10  # training's rule: the grid compares at least ten collectivités
SCALE = ("1", "2", "3", "4", "5")
TRIAL = {"planned": "prévu", "tried": "testé", "abandoned": "abandonné"}
DONE = {
    "collectivite": "La collectivité est dans l'enquête.",
    "dispositif": "Le dispositif est noté.",
    "feuille": "La feuille de route a une étape de plus.",
    "suivi": "Le suivi est enregistré.",
}
ANCHOR = {
    "collectivite": "enquete",
    "dispositif": "enquete",
    "feuille": "feuilles",
    "suivi": "feuilles",
}
# The picture: five columns of effort, five rows of ambition.
CELL, LEFT, TOP = 56, 44, 12
SIDE = 5 * CELL


def picture(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each point of the grid, numbered as in the table, placed in its cell; points that
    share a cell sit side by side instead of on top of one another."""
    by_cell: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, point in enumerate(points):
        by_cell[(point["effort"], point["ambition"])].append(index)
    placed: list[dict[str, Any]] = [{} for _ in points]
    for (effort, ambition), members in by_cell.items():
        columns = math.ceil(math.sqrt(len(members)))
        step = (CELL - 8) / columns
        for rank, index in enumerate(members):
            row, column = divmod(rank, columns)
            placed[index] = {
                **points[index],
                "n": index + 1,
                "x": round(LEFT + (effort - 1) * CELL + 4 + step * (column + 0.5), 1),
                "y": round(TOP + (5 - ambition) * CELL + 4 + step * (row + 0.5), 1),
                "r": round(min(9.0, step / 2 - 1), 1),
            }
    return placed


def _score(given: dict[str, str], name: str, what: str) -> int:
    value = given.get(name, "")
    if value not in SCALE:
        raise InvalidInput(f"Notez {what} de 1 à 5.")
    return int(value)


def _siren(given: dict[str, str], space: dict[str, Any]) -> str:
    chosen = given.get("collectivite", "")
    if chosen not in {s["siren"] for s in space["surveyed"]}:
        raise InvalidInput("Choisissez une collectivité de l'enquête.")
    return chosen


async def _render(
    page: Page,
    programme: dict[str, Any],
    space: dict[str, Any],
    said: Feedback,
) -> Response:
    points: list[dict[str, Any]] = []
    if len(space["surveyed"]) >= MIN_SURVEYED:
        client = await training_client(page)
        points = picture(await client.get(f"/v1/programmes/{programme['id']}/boussole/grid"))
    return page.render(
        "programmes/boussole.html",
        f"{programme['title']} : la boussole",
        status=said.status,
        current="formations",
        programme=programme,
        space=space,
        points=points,
        missing=max(0, MIN_SURVEYED - len(space["surveyed"])),
        cell=CELL,
        left=LEFT,
        top=TOP,
        side=SIDE,
        scale=SCALE,
        trial=TRIAL,
        **said.shown(),
    )


BOUSSOLE_PAGE = SpacePage(
    recipe=BOUSSOLE,
    not_this="Ce programme n'est pas une boussole de la participation.",
    title="Boussole de la participation",
    path="boussole",
    api="boussole",
    done=DONE,
    anchors=ANCHOR,
    render=_render,
)


@router.get("/programmes/{programme_id}/boussole")
async def boussole_page(page: PageDep, programme_id: str, fait: str = "") -> Response:
    return await show(page, BOUSSOLE_PAGE, programme_id, fait)


async def _survey(c: TrainingClient, base: str, f: dict[str, str], _: Any) -> None:
    siren = f.get("siren", "").replace(" ", "")
    if not (len(siren) == 9 and siren.isdigit()):
        raise InvalidInput("Un SIREN compte neuf chiffres.")
    await c.post(f"{base}/collectivites", {"siren": siren})


async def _dispositif(c: TrainingClient, base: str, f: dict[str, str], s: dict[str, Any]) -> None:
    siren = _siren(f, s)
    body = {
        "name": f.get("nom", ""),
        "description": f.get("description", ""),
        "ambition": _score(f, "ambition", "l'ambition"),
        "effort": _score(f, "effort", "l'effort"),
        "effects": f.get("effets", ""),
        "controversies": f.get("controverses", ""),
    }
    await c.post(f"{base}/collectivites/{siren}/dispositifs", body)


async def _roadmap(c: TrainingClient, base: str, f: dict[str, str], s: dict[str, Any]) -> None:
    siren = _siren(f, s)
    body = {"dispositif": f.get("dispositif", ""), "advice": f.get("conseils", "")}
    await c.post(f"{base}/collectivites/{siren}/roadmap", body)


async def _follow_up(c: TrainingClient, base: str, f: dict[str, str], s: dict[str, Any]) -> None:
    siren = _siren(f, s)
    item = f.get("etape", "")
    surveyed = next(x for x in s["surveyed"] if x["siren"] == siren)
    if item not in {i["id"] for i in surveyed["roadmap"]}:
        raise InvalidInput("Cette étape de feuille de route n'existe pas.")
    status = f.get("statut", "")
    if status not in TRIAL:
        raise InvalidInput("Choisissez où en est le dispositif.")
    body = {"status": status, "effects": f.get("effets", "")}
    await c.post(f"{base}/collectivites/{siren}/roadmap/{item}", body)


PATH = "/programmes/{programme_id}/boussole"


@router.post(f"{PATH}/collectivites")
async def survey(page: PageDep, programme_id: str) -> Response:
    return await act(page, BOUSSOLE_PAGE, programme_id, "collectivite", _survey)


@router.post(f"{PATH}/dispositifs")
async def dispositif(page: PageDep, programme_id: str) -> Response:
    return await act(page, BOUSSOLE_PAGE, programme_id, "dispositif", _dispositif)


@router.post(f"{PATH}/feuilles")
async def roadmap(page: PageDep, programme_id: str) -> Response:
    return await act(page, BOUSSOLE_PAGE, programme_id, "feuille", _roadmap)


@router.post(f"{PATH}/suivi")
async def follow_up(page: PageDep, programme_id: str) -> Response:
    return await act(page, BOUSSOLE_PAGE, programme_id, "suivi", _follow_up)
