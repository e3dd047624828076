"""The non-conférence's page (booklet, thématique 10), over training's open-space API.

One page follows the half-day: the call for contributions beforehand, then on the day the
frame (rooms × slots), the proposals and their votes, the agenda, each workshop's notes and
the demonstrator projects. Training decides who may do what (the facilitator frames and
builds; every member contributes, proposes, votes, joins, takes notes); the page only hides
the forms that would be refused. Each form posts, then comes back to its own part of the page;
a refusal is shown beside that form, with what was typed, and nothing changes.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from deformations_common.vocabulary.errors import InvalidInput
from deformations_common.vocabulary.french import PARIS, as_paris, time_fr
from deformations_portal.web.context import Page, PageDep
from deformations_portal.web.programme_space import Action, Feedback, SpacePage, act, show
from deformations_portal.web.training_client import TrainingClient

router = APIRouter(include_in_schema=False)

NON_CONFERENCE = "t10_non_conference"
DAY_STEP = "jour_j"  # the catalogue's step of the half-day itself
DONE = {
    "contribution": "Merci : votre contribution est enregistrée.",
    "appel": "L'appel à contributions est clos.",
    "cadre": "Les salles et les créneaux sont posés.",
    "proposition": "Votre atelier est proposé.",
    "vote": "Votre choix est enregistré.",
    "agenda": "L'agenda du jour est construit.",
    "deplace": "L'atelier a changé de place.",
    "rejoint": "Vous avez rejoint l'atelier.",
    "note": "Votre note est ajoutée.",
    "demonstrateur": "Le projet démonstrateur est noté.",
}
# Where each form sits on the page, so that the redirect lands beside it.
ANCHOR = {
    "contribution": "appel",
    "appel": "appel",
    "cadre": "cadre",
    "proposition": "propositions",
    "vote": "propositions",
    "agenda": "agenda",
    "deplace": "agenda",
    "rejoint": "agenda",
    "note": "ateliers",
    "demonstrateur": "demonstrateurs",
}


def _hour(text: str) -> time:
    """« 14:00 », « 14h15 » or « 14 h »: the ways people write an hour."""
    cleaned = text.replace(" ", "").lower().replace("h", ":")
    if cleaned.endswith(":"):
        cleaned += "00"
    return time.fromisoformat(cleaned)


def _slots(day: str, lines: str) -> list[dict[str, str]]:
    """« 14:00-15:00 » a line, on the day given, in Paris time."""
    try:
        chosen = date.fromisoformat(day)
    except ValueError:
        raise InvalidInput("Indiquez la date de la demi-journée.") from None
    found: list[dict[str, str]] = []
    for line in (x.strip() for x in lines.splitlines()):
        if not line:
            continue
        start, _, end = line.replace("–", "-").partition("-")
        try:
            starts = datetime.combine(chosen, _hour(start), PARIS)
            ends = datetime.combine(chosen, _hour(end), PARIS)
        except ValueError:
            raise InvalidInput(f"« {line} » : écrivez un créneau comme « 14:00-15:00 ».") from None
        found.append({"starts_at": starts.isoformat(), "ends_at": ends.isoformat()})
    if not found:
        raise InvalidInput("Indiquez au moins un créneau, un par ligne (« 14:00-15:00 »).")
    return found


def _rooms(lines: str) -> list[str]:
    rooms = [x.strip() for x in lines.splitlines() if x.strip()]
    if not rooms:
        raise InvalidInput("Indiquez au moins une salle, une par ligne.")
    return rooms


def _cell(value: str, space: dict[str, Any]) -> tuple[str | None, str | None]:
    """The agenda cell chosen in the « déplacer » form: ``slot|room``, or off the agenda."""
    if value == "retirer":
        return None, None
    slot, _, room = value.partition("|")
    if slot not in {s["id"] for s in space["slots"]} or room not in space["rooms"]:
        raise InvalidInput("Choisissez une case de l'agenda.")
    return slot, room


def _hhmm(moment: str) -> str:
    return as_paris(moment).strftime("%H:%M")


def _day_of(programme: dict[str, Any], space: dict[str, Any]) -> str:
    """The half-day's date for the frame form: the frame's, else the day's planned session."""
    if space["slots"]:
        return as_paris(space["slots"][0]["starts_at"]).date().isoformat()
    planned = [s for s in programme["sessions"] if s["step_key"] == DAY_STEP and not s["cancelled"]]
    return as_paris(planned[0]["starts_at"]).date().isoformat() if planned else ""


def _view(space: dict[str, Any], me: str) -> dict[str, Any]:
    """What the template shows: the grid with titles, each workshop where it takes place."""
    proposals = {p["id"]: p for p in space["proposals"]}
    slots = [
        {
            **s,
            "label": f"{time_fr(s['starts_at'])} – {time_fr(s['ends_at'])}",
            "typed": f"{_hhmm(s['starts_at'])}-{_hhmm(s['ends_at'])}",
        }
        for s in space["slots"]
    ]
    slot_label = {s["id"]: s["label"] for s in slots}
    grid = [
        {"slot": slot, "cells": [proposals.get(str(c)) if c else None for c in row]}
        for slot, row in zip(slots, space["agenda"], strict=True)
    ]
    placed = [
        {**p, "when": slot_label.get(p["slot_id"] or "", ""), "mine": me in p["attendees"]}
        for row in grid
        for p in row["cells"]
        if p is not None
    ]
    titles = {p["id"]: p["title"] for p in space["proposals"]}
    return {
        "space": space,
        "slots": slots,
        "grid": grid,
        "placed": placed,
        "waiting": [p for p in space["proposals"] if not p["slot_id"]],
        "voted": {p["id"] for p in space["proposals"] if me in p.get("voters", [])},
        "demonstrators": [
            {**d, "workshop": titles.get(d["proposal_id"], "")} for d in space["demonstrators"]
        ],
        "cells": [
            {"value": f"{s['id']}|{room}", "label": f"{s['label']}, {room}"}
            for s in slots
            for room in space["rooms"]
        ],
    }


async def _render(
    page: Page,
    programme: dict[str, Any],
    space: dict[str, Any],
    said: Feedback,
) -> Response:
    assert page.me is not None
    me = str(page.me.person_id)
    return page.render(
        "programmes/non_conference.html",
        f"{programme['title']} : la demi-journée",
        status=said.status,
        current="formations",
        programme=programme,
        facilitator=programme["facilitator_id"] == me,
        day=_day_of(programme, space),
        **said.shown(),
        **_view(space, me),
    )


NON_CONFERENCE_PAGE = SpacePage(
    recipe=NON_CONFERENCE,
    not_this="Ce programme n'est pas une non-conférence.",
    title="Non-conférence",
    path="non-conference",
    api="open-space",
    done=DONE,
    anchors=ANCHOR,
    render=_render,
)


@router.get("/programmes/{programme_id}/non-conference")
async def open_space_page(page: PageDep, programme_id: str, fait: str = "") -> Response:
    return await show(page, NON_CONFERENCE_PAGE, programme_id, fait)


async def _contribute(c: TrainingClient, base: str, f: dict[str, str], _: Any) -> None:
    body = {"title": f.get("titre", ""), "pitch": f.get("pitch", "")}
    await c.post(f"{base}/contributions", body)


async def _close_call(c: TrainingClient, base: str, _f: dict[str, str], _s: Any) -> None:
    await c.post(f"{base}/call/close", {})


async def _frame(c: TrainingClient, base: str, f: dict[str, str], _: Any) -> None:
    rooms = _rooms(f.get("salles", ""))
    slots = _slots(f.get("jour", ""), f.get("creneaux", ""))
    await c.put(f"{base}/frame", {"rooms": rooms, "slots": slots})


async def _propose(c: TrainingClient, base: str, f: dict[str, str], s: dict[str, Any]) -> None:
    chosen = f.get("contribution", "")
    if chosen and chosen not in {x["id"] for x in s["contributions"]}:
        raise InvalidInput("Choisissez une contribution de la liste.")
    title = f.get("titre", "").strip()
    if not title and chosen:
        title = next(x["title"] for x in s["contributions"] if x["id"] == chosen)
    await c.post(f"{base}/proposals", {"title": title, "contribution_id": chosen or None})


def _proposal(f: dict[str, str], s: dict[str, Any]) -> str:
    chosen = f.get("atelier", "")
    if chosen not in {p["id"] for p in s["proposals"]}:
        raise InvalidInput("Choisissez un atelier de la liste.")
    return chosen


async def _vote(c: TrainingClient, base: str, f: dict[str, str], s: dict[str, Any]) -> None:
    chosen = _proposal(f, s)
    await c.post(f"{base}/proposals/{chosen}/vote", {"wanted": f.get("choix") != "retirer"})


async def _agenda(c: TrainingClient, base: str, _f: dict[str, str], _s: Any) -> None:
    await c.post(f"{base}/agenda", {})


async def _move(c: TrainingClient, base: str, f: dict[str, str], s: dict[str, Any]) -> None:
    chosen = _proposal(f, s)
    slot, room = _cell(f.get("case", ""), s)
    await c.post(f"{base}/proposals/{chosen}/place", {"slot_id": slot, "room": room})


async def _join(c: TrainingClient, base: str, f: dict[str, str], s: dict[str, Any]) -> None:
    await c.post(f"{base}/proposals/{_proposal(f, s)}/join", {})


async def _note(c: TrainingClient, base: str, f: dict[str, str], s: dict[str, Any]) -> None:
    chosen = _proposal(f, s)
    await c.post(f"{base}/proposals/{chosen}/notes", {"text": f.get("note", "")})


def _demonstrator_of(page: Page) -> Action:
    async def add(c: TrainingClient, base: str, f: dict[str, str], s: dict[str, Any]) -> None:
        assert page.me is not None
        chosen = _proposal(f, s)
        # The person who notes it carries it, for the collectivité she acts for.
        acting = page.me.acting
        sirens = [acting.siren] if acting is not None and acting.validated else []
        await c.post(
            f"{base}/proposals/{chosen}/demonstrators",
            {
                "title": f.get("titre", ""),
                "carriers": [str(page.me.person_id)],
                "collectivite_sirens": sirens,
            },
        )

    return add


PATH = "/programmes/{programme_id}/non-conference"


@router.post(f"{PATH}/contributions")
async def contribute(page: PageDep, programme_id: str) -> Response:
    return await act(page, NON_CONFERENCE_PAGE, programme_id, "contribution", _contribute)


@router.post(f"{PATH}/appel")
async def close_call(page: PageDep, programme_id: str) -> Response:
    return await act(page, NON_CONFERENCE_PAGE, programme_id, "appel", _close_call)


@router.post(f"{PATH}/cadre")
async def frame(page: PageDep, programme_id: str) -> Response:
    return await act(page, NON_CONFERENCE_PAGE, programme_id, "cadre", _frame)


@router.post(f"{PATH}/propositions")
async def propose(page: PageDep, programme_id: str) -> Response:
    return await act(page, NON_CONFERENCE_PAGE, programme_id, "proposition", _propose)


@router.post(f"{PATH}/votes")
async def vote(page: PageDep, programme_id: str) -> Response:
    return await act(page, NON_CONFERENCE_PAGE, programme_id, "vote", _vote)


@router.post(f"{PATH}/agenda")
async def build_agenda(page: PageDep, programme_id: str) -> Response:
    return await act(page, NON_CONFERENCE_PAGE, programme_id, "agenda", _agenda)


@router.post(f"{PATH}/deplacer")
async def move(page: PageDep, programme_id: str) -> Response:
    return await act(page, NON_CONFERENCE_PAGE, programme_id, "deplace", _move)


@router.post(f"{PATH}/rejoindre")
async def join(page: PageDep, programme_id: str) -> Response:
    return await act(page, NON_CONFERENCE_PAGE, programme_id, "rejoint", _join)


@router.post(f"{PATH}/notes")
async def note(page: PageDep, programme_id: str) -> Response:
    return await act(page, NON_CONFERENCE_PAGE, programme_id, "note", _note)


@router.post(f"{PATH}/demonstrateurs")
async def demonstrator(page: PageDep, programme_id: str) -> Response:
    return await act(
        page, NON_CONFERENCE_PAGE, programme_id, "demonstrateur", _demonstrator_of(page)
    )
