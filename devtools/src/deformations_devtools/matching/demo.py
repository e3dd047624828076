"""Demo of the matching service for ``make run``, on real communes of the platform's Région:
around Crest (Drôme) for Auvergne-Rhône-Alpes, in the Gâtinais (Seine-et-Marne) for
Île-de-France (``deformations_devtools.places``), since matching proposes nothing outside
the platform's territory.

Publishes a few offers, requests and diagnoses as lending and diagnosis would (events on
the broker), then shows: need ↔ offer proposals (also for the requests of lending's demo
when it left their ids in ``ctx.shared["lending.request_ids"]``), an offre groupée from
the global re-match, a groupe d'entraide from an appel à pairs, and a speed-dating plan.

It can be played any number of times on the same database: each play has its own élus
(``demo-elu-crest-<run>``…), so the groupes d'entraide and the speed-dating rotation of
earlier plays (whose members are taken, whose pairs have met) never stand in its way.
"""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx

from deformations_common.codec import encode
from deformations_common.messaging import publish_once
from deformations_contracts.base import EventData
from deformations_contracts.events.diagnosis import Availability, DiagnosisCompleted, NextStep
from deformations_contracts.events.lending import (
    ReimbursementBasis,
    SkillOffered,
    SkillRequested,
    SkillVisibility,
)
from deformations_contracts.events.people import (
    MembershipChanged,
    MembershipRole,
    MembershipStatus,
)
from deformations_contracts.types import Modality, TimeSlot
from deformations_contracts.values import CollectiviteRef, Period, WeekdayHalfDay
from deformations_devtools.demo import DemoContext
from deformations_devtools.places import Commune

NEED = "Introduire des produits bio et locaux à la cantine de l'école, avec les producteurs."


async def _publish(ctx: DemoContext, events: list[EventData]) -> None:
    # Sent as their declared producer (lending), or consumers refuse them as forged.
    messages = [encode(event, source=event.producer) for event in events]
    await publish_once(ctx.settings.amqp_url, ctx.settings.events_exchange, messages)


async def _until(check: Callable[[], Awaitable[bool]], what: str, timeout_s: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise RuntimeError(f"demo: no {what} after {timeout_s}s")
        await asyncio.sleep(0.2)


def _where(commune: Commune, epci: str) -> CollectiviteRef:
    return CollectiviteRef(siren=commune[1], insee_code=commune[0], epci_siren=epci)


def _offer(commune: Commune, epci: str, theme: str, description: str, role: str) -> SkillOffered:
    return SkillOffered(
        offer_id=uuid4(),
        collectivite=_where(commune, epci),
        theme=theme,
        description=description,
        agent_role=role,
        skill_visibility=SkillVisibility.VISIBLE,
        capacity_half_days=8,
        period=Period(start=date.today(), end=date.today() + timedelta(days=180)),
        possible_half_days=[WeekdayHalfDay(weekday=2, part="am")],
        modality=Modality.EITHER,
        reimbursement_basis=ReimbursementBasis.TIME_EXCHANGE,
        offered_at=datetime.now(UTC),
    )


def _request(commune: Commune, epci: str, theme: str, need: str) -> SkillRequested:
    return SkillRequested(
        request_id=uuid4(),
        collectivite=_where(commune, epci),
        theme=theme,
        need=need,
        period=Period(start=date.today(), end=date.today() + timedelta(days=90)),
        half_days_wanted=2,
        preferred_half_days=[WeekdayHalfDay(weekday=2, part="am")],
        modality=Modality.EITHER,
        requested_at=datetime.now(UTC),
    )


def _diagnosis(person: str, commune: Commune) -> DiagnosisCompleted:
    return DiagnosisCompleted(
        response_id=uuid4(),
        questionnaire_version="demo",
        person_id=person,
        collectivite_siren=commune[1],
        commune_insee=commune[0],
        family="solidaire",
        clear_cut=0.6,
        axis_scores={"reseau": 25.0, "echelle": 35.0, "pratique": 40.0, "vision": 70.0},
        priority_themes=["alimentation"],
        availability=Availability(
            time_slots=[TimeSlot.EVENING], modality=Modality.EITHER, half_days_per_month=1
        ),
        next_steps=[NextStep(recipe_code="t07_groupe_entraide", format="groupe", label="Pairs")],
        completed_at=datetime.now(UTC),
    )


def _membership(person: str, commune: Commune) -> MembershipChanged:
    """A validated membership of the commune, as the portal publishes it."""
    return MembershipChanged(
        membership_id=uuid4(),
        person_id=person,
        siren=commune[1],
        role=MembershipRole.ELECTED,
        status=MembershipStatus.VALIDATED,
        changed_at=datetime.now(UTC),
    )


async def _proposals(
    client: httpx.AsyncClient, headers: dict[str, str], **params: str
) -> list[dict[str, Any]]:
    response = await client.get("/v1/proposals", params=params, headers=headers)
    response.raise_for_status()
    found: list[dict[str, Any]] = response.json()
    return found


def _shared_request_ids(ctx: DemoContext) -> list[str]:
    ids = ctx.shared.get("lending.request_ids", [])
    return [str(i) for i in ids] if isinstance(ids, list | tuple) else []


async def play(ctx: DemoContext) -> None:
    say = ctx.say
    run = uuid4().hex[:6]
    operator = ctx.auth("demo-operateur", roles=("operator",))
    here = ctx.places.home
    offers = [
        _offer(
            here.lends_food,
            here.epci,
            "alimentation",
            "Notre technicienne de la cuisine centrale accompagne "
            "l'introduction de produits bio et locaux en restauration scolaire.",
            "Technicienne restauration collective",
        ),
        _offer(
            here.lends_energy,
            here.epci,
            "energie",
            "Notre économe de flux aide à suivre les consommations "
            "d'énergie des bâtiments communaux et l'éclairage public.",
            "Économe de flux",
        ),
    ]
    requests = [_request(c, here.epci, "alimentation", NEED) for c in here.asks_food]
    requests.append(
        _request(
            here.asks_energy,
            here.epci,
            "energie",
            "Réduire la facture d'éclairage public et de chauffage.",
        )
    )
    people = {f"demo-elu-{slug}-{run}": c for slug, c in here.elus().items()}
    # The neighbours of the speed-dating evening: matching invites only validated members
    # of the EPCI's communes (their memberships, as the portal publishes them), on a theme
    # that keeps them out of the peer group below.
    voisins = {f"demo-voisin-{run}-{i}": c for i, c in enumerate(here.voisins())}
    neighbours = [
        _diagnosis(p, c).model_copy(update={"priority_themes": ["energie"]})
        for p, c in voisins.items()
    ]
    memberships: list[EventData] = [_membership(p, c) for p, c in voisins.items()]
    await _publish(
        ctx,
        [*offers, *[_diagnosis(p, c) for p, c in people.items()], *neighbours, *requests],
    )
    await _publish(ctx, memberships)

    async with ctx.client("matching") as client:
        ids = [str(r.request_id) for r in requests] + _shared_request_ids(ctx)

        async def all_proposed() -> bool:
            if all([await _proposals(client, operator, request_id=i) for i in ids[:4]]):
                return True
            # A request that came before its offers is served by the global re-match.
            (await client.post("/v1/operator/rematch", headers=operator)).raise_for_status()
            return False

        await _until(all_proposed, "need ↔ offer proposal")
        say("Matching — propositions besoin ↔ offre (hypers voisins d'abord) :")
        for request_id in ids:
            found = await _proposals(client, operator, request_id=request_id, kind="need_offer")
            for p in found[:2]:
                say(
                    f"  demande {request_id[:8]} ↔ offre {p['offer']['offer_id'][:8]} "
                    f"score {p['score']:.2f}"
                )
                for reason in p["reasons"][:4]:
                    say(f"      · {reason}")
        round_ = await client.post("/v1/operator/rematch", headers=operator)
        round_.raise_for_status()
        say(f"Ré-appariement global : {round_.json()}")
        for p in await _proposals(client, operator, kind="grouped_offer"):
            say(
                f"  Offre groupée pour {len(p['requests'])} communes : "
                + " ; ".join(p["reasons"][:2])
            )

        caller = next(iter(people))
        call = await client.post(
            "/v1/peer-calls",
            json={
                "theme": "alimentation",
                "problem": "Comment convaincre le conseil de passer "
                "la cantine en bio local sans exploser le budget ?",
            },
            headers=ctx.auth(caller, roles=("elected",)),
        )
        call.raise_for_status()
        group = await client.post(
            f"/v1/peer-calls/{call.json()['call_id']}/group",
            headers=ctx.auth(caller, roles=("elected",)),
        )
        group.raise_for_status()
        group_id = group.json()["group_id"]
        members = next(
            p["members"]
            for p in await _proposals(client, operator, kind="peer_group")
            if p["proposal_id"] == group_id
        )
        for member in members:
            if member != caller:
                answered = await client.post(
                    f"/v1/peer-groups/{group_id}/answer",
                    json={"accept": True},
                    headers=ctx.auth(member, roles=("elected",)),
                )
                answered.raise_for_status()
        first = (datetime.now(UTC) + timedelta(days=14)).replace(
            hour=17, minute=30, second=0, microsecond=0
        )
        scheduled = await client.post(
            f"/v1/peer-groups/{group_id}/sessions",
            json={
                "first_session_at": first.isoformat(),
                "every_weeks": 4,
                "follow_ups": 4,
                "remote": True,
            },
            headers=ctx.auth(caller, roles=("elected",)),
        )
        scheduled.raise_for_status()
        shown = scheduled.json()
        say(f"Groupe d'entraide ({shown['status']}) : {', '.join(shown['members'])}")
        for reason in shown["reasons"]:
            say(f"      · {reason}")
        say("  Séances : " + ", ".join(s[:16] for s in shown["sessions"]))

        participants = [{"person_id": p, "commune_insee": c[0]} for p, c in voisins.items()]
        evening = {
            "epci_siren": here.epci,
            "rounds": 4,
            "seed": 2026,
            "starts_at": (datetime.now(UTC) + timedelta(days=21)).isoformat(),
            "place_label": here.hall,
            "participants": participants,
        }
        planned: list[httpx.Response] = []

        async def evening_planned() -> bool:
            # 403 not_invitable until matching has read the neighbours' memberships.
            response = await client.post(
                "/v1/speed-datings",
                json=evening,
                headers=ctx.auth("demo-formatrice", roles=("trainer",)),
            )
            if response.status_code == 403:
                return False
            planned.append(response)
            return True

        await _until(evening_planned, "the neighbours' memberships")
        plan = planned[0]
        plan.raise_for_status()
        say(f"Speed dating entre voisins ({here.epci_name}) :")
        for round_out in plan.json()["rounds"]:
            pairs = ", ".join(f"{a}–{b}" for a, b in round_out["pairs"])
            say(f"  Tour {round_out['number']} : {pairs}")
        for line in plan.json()["log"]:
            say(f"      · {line}")
    ctx.shared["matching.peer_group_id"] = group_id
    ctx.shared["matching.gathering_id"] = plan.json()["gathering_id"]
    ctx.shared["matching.request_ids"] = [UUID(i) for i in ids]
