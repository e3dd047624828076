"""Cafés élus–techniciens and speed dating entre voisins: organise one, see it, mark.

The organiser picks participants among the validated members the portal knows (of the
collectivité for a café; élus of the EPCI's communes for an evening); matching pairs them,
plans the sessions and sends the invitations. A participant sees the rotation of an
evening and, after it, marks whom they would see again."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from deformations_common.geography import load_geography
from deformations_common.geography.loader import UnknownCollectiviteError
from deformations_common.vocabulary.errors import DomainError, InvalidInput
from deformations_common.vocabulary.french import date_fr, day_fr, time_fr
from deformations_common.vocabulary.roles import Role
from deformations_contracts.themes import label as theme_label
from deformations_portal.domain.memberships import Membership
from deformations_portal.service.meeting_people import members_of
from deformations_portal.service.uow import PortalUow
from deformations_portal.web.cafe_review_forms import REVIEW_NOTICE, SCALE, shared_view
from deformations_portal.web.context import Page, PageDep, not_found
from deformations_portal.web.links import to_sign_in
from deformations_portal.web.matching_forms import (
    CAFE_ROLES,
    THEMES,
    cafe_body,
    speed_dating_body,
)
from deformations_portal.web.meetings import failed, matching_client, names, session_view, when

router = APIRouter(include_in_schema=False)

CAFE_ORGANISERS = (Role.HR, Role.ELECTED, Role.OPERATOR)
EVENING_ORGANISERS = (Role.ELECTED, Role.TRAINER, Role.OPERATOR)
# Who comes to a café as what, unless the organiser says otherwise.
DEFAULT_CAFE_ROLE = {Role.ELECTED: "elu", Role.AGENT: "technicien"}


def _acting(page: Page, roles: tuple[Role, ...]) -> Membership | None:
    acting = page.me.acting if page.me is not None else None
    if acting is None or not acting.validated or acting.role not in roles:
        return None
    return acting


def _refused(page: Page, what: str, who: str) -> Response:
    return page.message(
        what,
        f"{who} : choisissez une telle adhésion dans « Mes collectivités » pour organiser.",
        status=403,
        error=True,
        link={"href": "/adhesions", "text": "Mes collectivités"},
    )


def epci_of(siren: str) -> str | None:
    """The EPCI a collectivité is (or belongs to), for an evening between neighbours."""
    geography = load_geography()
    if siren in geography.epcis:
        return siren
    try:
        return geography.commune_by_siren(siren).epci_siren
    except UnknownCollectiviteError:
        return None


def communes_of(epci: str) -> dict[str, str]:
    """SIREN → INSEE code of each commune of the EPCI."""
    geography = load_geography()
    found = {}
    for insee in geography.members(epci):
        commune = geography.commune(insee)
        if commune.siren:
            found[commune.siren] = insee
    return found


def _uuid(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


async def _members(page: Page, sirens: list[str]) -> list[Membership]:
    async with page.runtime.begin(PortalUow) as uow:
        return await members_of(uow, sirens)


# ---- Cafés ------------------------------------------------------------------------------


async def _cafe_form(
    page: Page, acting: Membership, given: dict[str, Any], error: str = "", status: int = 200
) -> Response:
    members = await _members(page, [acting.siren])
    labels = await names(page, [str(m.person_id) for m in members], with_address=True)
    people = [
        {
            "id": str(m.person_id),
            "name": labels[str(m.person_id)],
            "role": m.role.label,
            "chosen": given.get(f"role_{m.person_id}", DEFAULT_CAFE_ROLE.get(m.role, "")),
        }
        for m in members
    ]
    return page.render(
        "matching/cafe_form.html",
        "Organiser un café élus–techniciens",
        status=status,
        current="rencontres",
        people=people,
        roles=CAFE_ROLES,
        themes=THEMES,
        given=given,
        error=error,
    )


@router.get("/cafes/nouveau")
async def new_cafe(page: PageDep) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    acting = _acting(page, CAFE_ORGANISERS)
    if acting is None:
        return _refused(page, "Café élus–techniciens", "La RH ou un·e élu·e organise le café")
    return await _cafe_form(page, acting, {"sujets": []})


@router.post("/cafes")
async def plan_cafe(page: PageDep) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    acting = _acting(page, CAFE_ORGANISERS)
    if acting is None:
        return _refused(page, "Café élus–techniciens", "La RH ou un·e élu·e organise le café")
    form = await page.request.form()
    given: dict[str, Any] = {k: str(v) for k, v in form.items()}
    subjects = [str(s) for s in form.getlist("sujet")]
    given["sujets"] = subjects
    page.check_csrf(given.get("csrf"))
    try:
        members = await _members(page, [acting.siren])
        body = cafe_body(
            {**given, "sujets": ",".join(subjects)},
            acting.siren,
            [str(m.person_id) for m in members],
        )
        client = await matching_client(page)
        cafe = await client.post("/v1/cafes", body)
    except DomainError as exc:
        return await _cafe_form(page, acting, given, exc.message, exc.status)
    return page.redirect(f"/cafes/{cafe['cycle_id']}")


CYCLE_STATUS = {"coming": "à venir", "running": "en cours", "past": "terminé"}


@router.get("/cafes")
async def cafes_page(page: PageDep) -> Response:
    """The café cycles of the collectivité one acts for, coming and running, then past."""
    if page.me is None:
        return page.redirect("/connexion")
    acting = page.me.acting
    if acting is None or not acting.validated:
        return _refused(page, "Cafés élus–techniciens", "Les cafés sont ceux d'une collectivité")
    try:
        client = await matching_client(page)
        cycles = await client.get("/v1/cafes")
    except DomainError as exc:
        return failed(page, "Cafés élus–techniciens", exc, "/rencontres", "Mes rencontres")
    shown = [
        {
            **c,
            "from": day_fr(date.fromisoformat(c["first_day"])),
            "to": day_fr(date.fromisoformat(c["last_day"])),
            "status_label": CYCLE_STATUS.get(c["status"], c["status"]),
        }
        for c in cycles
    ]
    return page.render(
        "matching/cafes.html",
        "Les cafés élus–techniciens",
        current="rencontres",
        siren=acting.siren,
        current_cycles=[c for c in shown if c["status"] != "past"],
        past_cycles=[c for c in shown if c["status"] == "past"],
        may_organise=_acting(page, CAFE_ORGANISERS) is not None,
    )


TOPIC_NOTICE = "Le sujet est noté dans le journal du cycle."


def _may_log(page: Page, cafe: dict[str, Any]) -> bool:
    """Mirrors matching's rule, only to show the form: a member of a pair of the cycle,
    or the collectivité's RH or élu·e, or an operator."""
    paired = {p for pair in cafe["pairs"] for p in (pair["elu"], pair["technicien"])}
    if page.me is not None and str(page.me.person_id) in paired:
        return True
    acting = _acting(page, CAFE_ORGANISERS)
    return acting is not None and (
        acting.role is Role.OPERATOR or acting.siren == cafe["collectivite_siren"]
    )


def valid_cycle_id(value: str) -> bool:
    return _uuid(value) is not None


def valid_gathering_id(value: str) -> bool:
    return _uuid(value) is not None


async def cafe_page_of(
    page: Page,
    cycle_id: str,
    *,
    notice: str = "",
    given: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    review_errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    """The café's pairs, its topics log and its three-month review (one's own answers, and
    the shared ones)."""
    try:
        client = await matching_client(page)
        cafe = await client.get(f"/v1/cafes/{cycle_id}")
        topics = await client.get(f"/v1/cafes/{cycle_id}/topics")
        mine = await client.get(f"/v1/cafes/{cycle_id}/review/mine")
        shared = await client.get(f"/v1/cafes/{cycle_id}/review")
        # Each pair's sessions as they stand (moved, cancelled), for those who may see
        # them: the participants and the organiser, who moves or cancels them there.
        planned = await asyncio.gather(
            *(
                client.get("/v1/sessions", params={"related_id": p["proposal_id"]})
                for p in cafe["pairs"]
            )
        )
    except DomainError as exc:
        if exc.status == 404:
            return not_found(page)
        return failed(page, "Café élus–techniciens", exc, "/rencontres", "Mes rencontres")
    people = [p for pair in cafe["pairs"] for p in (pair["elu"], pair["technicien"])]
    labels = await names(page, [*people, *cafe["unpaired"], *(t["author"] for t in topics)])
    pairs = [
        {
            "elu": labels[p["elu"]],
            "technicien": labels[p["technicien"]],
            "subjects": ", ".join(theme_label(s) for s in p["shared_subjects"]),
            "sessions": [when(s) for s in p["sessions"]],
            "planned": [session_view(s) for s in sorted(sessions, key=lambda s: str(s["title"]))],
            "reasons": p["reasons"],
        }
        for p, sessions in zip(cafe["pairs"], planned, strict=True)
    ]
    unpaired = [(labels[p], why) for p, why in cafe["unpaired"].items()]
    log = [
        {
            "day": day_fr(date.fromisoformat(t["discussed_on"])),
            "topic": t["topic"],
            "author": labels[t["author"]],
        }
        for t in topics
    ]
    return page.render(
        "matching/cafe.html",
        "Café élus–techniciens",
        status=status,
        current="rencontres",
        cafe=cafe,
        pairs=pairs,
        unpaired=unpaired,
        topics=log,
        may_log=_may_log(page, cafe),
        notice=notice,
        given=given or {},
        errors=errors or {},
        review=mine,
        opens_on=day_fr(date.fromisoformat(mine["opens_on"])),
        scale=SCALE,
        shared=shared_view(shared),
        review_errors=review_errors or {},
    )


@router.get("/cafes/{cycle_id}")
async def cafe_page(page: PageDep, cycle_id: str, notice: str = "") -> Response:
    if page.me is None:
        return to_sign_in(page)
    if not _uuid(cycle_id):
        return not_found(page)
    notices = {"sujet": TOPIC_NOTICE, "bilan": REVIEW_NOTICE}
    return await cafe_page_of(page, cycle_id, notice=notices.get(notice, ""))


def _topic_body(given: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    errors = {}
    topic = given.get("sujet", "").strip()
    if not 3 <= len(topic) <= 500:
        errors["sujet"] = "Décrivez le sujet en 3 à 500 caractères."
    try:
        day = date.fromisoformat(given.get("jour", "").strip()).isoformat()
    except ValueError:
        errors["jour"] = "Indiquez le jour du café au format jj/mm/aaaa."
        day = ""
    return {"discussed_on": day, "topic": topic}, errors


@router.post("/cafes/{cycle_id}/sujets")
async def log_topic(page: PageDep, cycle_id: str) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    if not _uuid(cycle_id):
        return not_found(page)
    form = await page.request.form()
    given = {k: str(v) for k, v in form.items()}
    page.check_csrf(given.get("csrf"))
    body, errors = _topic_body(given)
    if errors:
        return await cafe_page_of(page, cycle_id, given=given, errors=errors, status=422)
    try:
        client = await matching_client(page)
        await client.post(f"/v1/cafes/{cycle_id}/topics", body)
    except DomainError as exc:
        if exc.status == 404:
            return not_found(page)
        return failed(page, "Journal des sujets", exc, f"/cafes/{cycle_id}", "Revenir au café")
    return page.redirect(f"/cafes/{cycle_id}?notice=sujet#journal")


# ---- Speed dating -----------------------------------------------------------------------


async def _evening_people(page: Page, epci: str) -> tuple[list[Membership], dict[str, str]]:
    """The élus of the EPCI's communes, and the INSEE code of each one's commune."""
    communes = communes_of(epci)
    members = [m for m in await _members(page, list(communes)) if m.role is Role.ELECTED]
    return members, {str(m.person_id): communes[m.siren] for m in members}


async def _evening_form(
    page: Page, epci: str, given: dict[str, Any], error: str = "", status: int = 200
) -> Response:
    members, _ = await _evening_people(page, epci)
    labels = await names(page, [str(m.person_id) for m in members], with_address=True)
    people = [
        {"id": str(m.person_id), "name": labels[str(m.person_id)], "siren": m.siren}
        for m in members
    ]
    return page.render(
        "matching/evening_form.html",
        "Organiser un speed dating entre voisins",
        status=status,
        current="rencontres",
        epci=epci,
        people=people,
        given=given,
        error=error,
    )


def evening_epci(page: Page) -> str | None:
    """The EPCI whose evening this person may organise: an élu·e acting for the EPCI
    itself; a trainer or an operator for the EPCI of their collectivité."""
    acting = _acting(page, EVENING_ORGANISERS)
    if acting is None:
        return None
    if acting.role is Role.ELECTED:
        return acting.siren if acting.siren in load_geography().epcis else None
    return epci_of(acting.siren)


@router.get("/speed-dating/nouveau")
async def new_evening(page: PageDep) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    epci = evening_epci(page)
    if epci is None:
        return _refused(
            page,
            "Speed dating",
            "Un·e élu·e d'une intercommunalité, un·e formateur·rice"
            " ou l'opérateur organise la soirée",
        )
    return await _evening_form(page, epci, {"participants": []})


@router.post("/speed-dating")
async def plan_evening(page: PageDep) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    epci = evening_epci(page)
    if epci is None:
        return _refused(
            page,
            "Speed dating",
            "Un·e élu·e d'une intercommunalité, un·e formateur·rice"
            " ou l'opérateur organise la soirée",
        )
    form = await page.request.form()
    given: dict[str, Any] = {k: str(v) for k, v in form.items()}
    chosen = [str(p) for p in form.getlist("participant")]
    given["participants"] = chosen
    page.check_csrf(given.get("csrf"))
    try:
        _, communes = await _evening_people(page, epci)
        body = speed_dating_body({**given, "participants": ",".join(chosen)}, epci, communes)
        client = await matching_client(page)
        evening = await client.post("/v1/speed-datings", body)
    except DomainError as exc:
        return await _evening_form(page, epci, given, exc.message, exc.status)
    return page.redirect(f"/speed-dating/{evening['gathering_id']}")


async def _marks(client: Any, gathering_id: str) -> dict[str, Any] | None:
    try:
        return dict(await client.get(f"/v1/speed-datings/{gathering_id}/marks"))
    except DomainError as exc:
        if exc.status == 403:  # the organiser, not a participant
            return None
        raise


EVENING_NOTICES = {
    "marques": "Vos choix sont enregistrés.",
    "message": (
        "Votre message est transmis par la plateforme : la personne le reçoit par e-mail, "
        "sans voir votre adresse, et peut vous répondre de même."
    ),
}


@router.get("/speed-dating/{gathering_id}")
async def evening_page(page: PageDep, gathering_id: str, notice: str = "") -> Response:
    if page.me is None:
        # The mail asking for marks leads here: back to this page once signed in.
        return to_sign_in(page)
    if not _uuid(gathering_id):
        return not_found(page)
    me = str(page.me.person_id)
    try:
        client = await matching_client(page)
        rotation = await client.get(f"/v1/speed-datings/{gathering_id}/rotation")
        sessions = await client.get("/v1/sessions", params={"related_id": gathering_id})
        marks = await _marks(client, gathering_id)
    except DomainError as exc:
        if exc.status == 404:
            return not_found(page)
        return failed(page, "Speed dating", exc, "/rencontres", "Mes rencontres")
    people = [row["person_id"] for row in rotation["table"]]
    labels = await names(page, people)
    rounds = [
        {"number": r["number"], "hours": f"{time_fr(r['starts_at'])} – {time_fr(r['ends_at'])}"}
        for r in rotation["rounds"]
    ]
    table = [
        {
            "name": labels[row["person_id"]],
            "mine": row["person_id"] == me,
            "partners": [labels[p] if p else "pause" for p in row["partners"]],
        }
        for row in rotation["table"]
    ]
    mine = next((row for row in rotation["table"] if row["person_id"] == me), None)
    met = sorted({p for p in mine["partners"] if p}) if mine else []
    first = rotation["rounds"][0]["starts_at"] if rotation["rounds"] else None
    return page.render(
        "matching/evening.html",
        "Speed dating entre voisins",
        current="rencontres",
        gathering_id=gathering_id,
        day=date_fr(first) if first else "",
        rounds=rounds,
        table=table,
        sessions=[session_view(s) for s in sessions],
        met=[{"id": p, "name": labels[p]} for p in met],
        marks=marks,
        mutual=[{"id": p, "name": labels.get(p, p)} for p in (marks or {}).get("mutual", [])],
        notice=EVENING_NOTICES.get(notice, ""),
    )


@router.post("/speed-dating/{gathering_id}/marques")
async def mark(page: PageDep, gathering_id: str) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    form = await page.request.form()
    back = f"/speed-dating/{gathering_id}"
    page.check_csrf(str(form.get("csrf") or ""))
    try:
        if not _uuid(gathering_id):
            raise InvalidInput("Cette adresse ne désigne aucune soirée.")
        chosen = [str(p) for p in form.getlist("revoir")]
        if any(not _uuid(p) for p in chosen):
            raise InvalidInput("Choisissez parmi les personnes rencontrées.")
        client = await matching_client(page)
        await client.put(f"/v1/speed-datings/{gathering_id}/marks", {"see_again": chosen})
    except DomainError as exc:
        return failed(page, "Mes atomes crochus", exc, back, "Revenir à la soirée")
    return page.redirect(f"{back}?notice=marques")
