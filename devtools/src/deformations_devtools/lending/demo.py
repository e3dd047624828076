"""``make run``'s lending scenario: a full loan between two neighbouring communes of the
platform's Région (``deformations_devtools.places``): in the CC du Crestois et de Pays de
Saillans Cœur de Drôme, Crest (26108) lending its restauration collective technician to
Aouste-sur-Sye (26011); in the CC Gâtinais Val de Loing, Souppes-sur-Loing (77458) to
Beaumont-du-Gâtinais (77027).

Half-days have to be in the past to be declared held: the scenario plays the weeks ahead
by setting the clock of those requests (``X-Deformations-Now``, refused in production).
"""

import asyncio
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import uuid4

import httpx

from deformations_common.vocabulary.clock import system_clock
from deformations_common.vocabulary.collectivites import of
from deformations_common.vocabulary.french import PARIS
from deformations_devtools.demo import DemoContext

# The header that sets one request's clock outside production (lending's ``api.deps``).
CLOCK_HEADER = "x-deformations-now"
# How long to wait for matching's proposal before choosing the offer directly.
PROPOSAL_WAIT_S = 10.0


def _next(weekday: int, after: date) -> date:
    return after + timedelta(days=(weekday - after.weekday() - 1) % 7 + 1)


def _body(response: httpx.Response) -> Any:
    if response.is_error:
        raise RuntimeError(f"{response.request.method} {response.request.url}: {response.text}")
    return response.json()


async def play(ctx: DemoContext) -> None:
    today = system_clock().astimezone(PARIS).date()
    period = {"start": today.isoformat(), "end": (today + timedelta(days=90)).isoformat()}
    here = ctx.places
    lender, borrower, cast = here.lender, here.borrower, here.people
    # The headers keep the default Région's names (Crest lends, Aouste-sur-Sye borrows).
    crest_hr = ctx.auth(cast.rh, authority=lender.siren, roles=("hr",))
    crest_elected = ctx.auth(cast.elue, authority=lender.siren, roles=("elected",))
    aouste = ctx.auth(cast.elu, authority=borrower.siren, roles=("elected",))
    agent = ctx.auth(cast.agent, authority=lender.siren, roles=("agent",))
    async with ctx.client("lending") as client:
        offer = _body(
            await client.post(
                "/v1/offers",
                headers=crest_hr,
                json={
                    "theme": "alimentation",
                    "description": (
                        "Accompagner une cantine scolaire vers 50 % de produits durables, "
                        "dont bio et locaux : menus, marchés publics, lutte contre le gaspillage."
                    ),
                    "agent_role": "Technicienne restauration collective",
                    # A fresh reference per run: a replayed demo books the same Tuesdays.
                    "agent_ref": f"restauration-{uuid4().hex[:6]}",
                    "capacity_half_days": 4,
                    "period": period,
                    "possible_half_days": [
                        {"weekday": 2, "part": "am"},
                        {"weekday": 4, "part": "pm"},
                    ],
                    "modality": "on_site",
                    "reimbursement": "full_salary",
                },
            )
        )
        ctx.say(f"{lender.name} prête une {offer['agent_role'].lower()} ({offer['id']}).")
        request = _body(
            await client.post(
                "/v1/requests",
                headers=aouste,
                json={
                    "theme": "alimentation",
                    "need": (
                        "Élu de petite commune avec peu d'agents cherche mise à niveau au sujet "
                        "de l'alimentation durable pour la cantine."
                    ),
                    "period": period,
                    "half_days": 2,
                    "possible_half_days": [{"weekday": 2, "part": "am"}],
                    "modality": "on_site",
                },
            )
        )
        ctx.say(f"{borrower.name} demande deux demi-journées ({request['id']}).")
        loan = await _proposal_or_choice(ctx, client, aouste, offer, request, period)
        base = f"/v1/loans/{loan['id']}"
        _body(await client.post(f"{base}/approvals/elected", headers=crest_elected))
        # The RH names the agent; she then consents herself, signed in as herself.
        _body(
            await client.post(
                f"{base}/approvals/hr",
                headers=crest_hr,
                json={"agent_person_id": ctx.person(cast.agent)},
            )
        )
        loan = _body(await client.post(f"{base}/approvals/agent", headers=agent))
        ctx.say(f"Prêt {loan['status_label']} : élue, RH et agente {of(lender.name)} ont dit oui.")
        days = [_next(1, today), _next(1, _next(1, today))]
        for day in days:
            session = _body(
                await client.post(
                    f"{base}/sessions", headers=aouste, json={"day": day.isoformat(), "part": "am"}
                )
            )
            _body(await client.post(f"{base}/sessions/{session['id']}/confirm", headers=crest_hr))
            later = datetime.combine(day, time(18), tzinfo=PARIS).isoformat()
            _body(
                await client.post(
                    f"{base}/sessions/{session['id']}/held",
                    headers={**aouste, CLOCK_HEADER: later},
                )
            )
            ctx.say(f"Séance du {session['label']} : effectuée.")
        after = {CLOCK_HEADER: datetime.combine(days[-1], time(19), tzinfo=PARIS).isoformat()}
        loan = _body(
            await client.post(
                f"{base}/complete",
                headers={**aouste, **after},
                json={
                    "answers": {
                        "useful": 5,
                        "need_met": 4,
                        "autonomy": 4,
                        "again": True,
                        "comment": "Les menus de printemps sont déjà revus avec le cuisinier.",
                    }
                },
            )
        )
        _body(
            await client.post(
                f"{base}/feedback/lender",
                headers={**crest_hr, **after},
                json={"answers": {"burden": 4, "relations": 5, "framework": 4, "again": True}},
            )
        )
        _body(
            await client.post(
                f"{base}/feedback/agent",
                headers={**agent, **after},
                json={"answers": {"interest": 5, "recognition": 5, "conditions": 4, "again": True}},
            )
        )
        ctx.say(f"Prêt {loan['status_label']}, avec les avis des deux communes et de l'agente.")
        ctx.say(f"Convention (HTML) : {client.base_url.join(loan['documents']['convention_html'])}")
        ctx.say(f"Convention (PDF) : {client.base_url.join(loan['documents']['convention_pdf'])}")
        for balance in _body(await client.get("/v1/ledger/balances", headers=aouste)):
            ctx.say(
                f"Solde {of(balance['name'])} : {balance['hours_label']} ({balance['position']})"
            )
        for balance in _body(await client.get("/v1/ledger/balances/epci", headers=aouste)):
            ctx.say(f"Solde de l'intercommunalité {balance['name']} : {balance['hours_label']}")
    ctx.shared.update(
        {
            "lending.offer_id": offer["id"],
            "lending.request_id": request["id"],
            "lending.loan_id": loan["id"],
            "lending.lender_siren": lender.siren,
            "lending.borrower_siren": borrower.siren,
        }
    )


async def _proposal_or_choice(
    ctx: DemoContext,
    client: httpx.AsyncClient,
    borrower: dict[str, str],
    offer: dict[str, Any],
    request: dict[str, Any],
    period: dict[str, str],
) -> Any:
    """Matching's proposal when it comes in time, else the borrower chooses the offer."""
    wait = float(str(ctx.shared.get("lending.proposal_wait_s", PROPOSAL_WAIT_S)))
    deadline = asyncio.get_running_loop().time() + wait
    while True:
        for proposal in _body(await client.get("/v1/proposals", headers=borrower)):
            if proposal["offer_id"] == offer["id"] and proposal["request_id"] == request["id"]:
                ctx.say(f"Proposition de mise en relation reçue (score {proposal['score']:.2f}).")
                return _body(
                    await client.post(
                        f"/v1/proposals/{proposal['proposal_id']}/loans",
                        headers=borrower,
                        json={"request_id": request["id"]},
                    )
                )
        if asyncio.get_running_loop().time() >= deadline:
            break
        await asyncio.sleep(0.5)
    ctx.say(f"Pas de proposition à temps : {ctx.places.borrower.name} choisit l'offre elle-même.")
    return _body(
        await client.post(
            "/v1/loans",
            headers=borrower,
            json={
                "offer_id": offer["id"],
                "request_id": request["id"],
                "half_days": 2,
                "period": period,
                "scope": (
                    "Former l'équipe de la cantine aux achats durables et revoir les menus "
                    "avec le cuisinier."
                ),
                "accept": True,
            },
        )
    )
