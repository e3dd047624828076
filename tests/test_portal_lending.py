"""The skill-lending pages of the portal over HTTP, against the real lending service: bad
forms change nothing, each role gets its actions, documents come through the portal."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from uuid import UUID as UUID_
from uuid import uuid4

import httpx
import pytest
from portal_lending_support import (
    AGENT,
    BORROWER,
    HR,
    LENDER,
    UUID,
    WEEK,
    Site,
    csrf,
    lending_site,
    next_monday,
)

from deformations_common.codec import encode
from deformations_common.messaging import publish_once
from deformations_contracts.events.matching import (
    MatchProposed,
    OfferParty,
    ProposalKind,
    RequestParty,
)
from deformations_devtools.portal import demo
from deformations_devtools.testing import Infra, wait_until

pytestmark = pytest.mark.integration


@pytest.fixture
async def site(infra: Infra, database_url: str, namespace: str) -> AsyncIterator[Site]:
    async with lending_site(infra, database_url, namespace) as running:
        yield running


async def post(client: httpx.AsyncClient, page: str, action: str, data: dict) -> httpx.Response:
    """Open ``page``, then post ``data`` to ``action`` with its CSRF token."""
    shown = await client.get(page)
    assert shown.status_code == 200, shown.text
    return await client.post(action, data={**data, "csrf": csrf(shown)})


def shown(response: httpx.Response) -> str:
    """The page as read: apostrophes are escaped in the HTML."""
    return html.unescape(response.text)


def offer_form(site: Site, **changes: str) -> dict:
    start = (site.clock() + timedelta(days=1)).date()
    form = {
        "theme": "energie",
        "agent_role": "Technicienne énergie",
        "description": "Un diagnostic des bâtiments communaux et un plan de sobriété.",
        "visibilite": "visible",
        "agent_ref": "M-042",
        "capacite": "6",
        "du": start.isoformat(),
        "au": (start + timedelta(days=120)).isoformat(),
        "modalite": "either",
        "remboursement": "full_salary",
        "creneau": WEEK,
    }
    return form | changes


async def test_a_loan_from_offer_to_feedback_over_the_pages(site: Site) -> None:
    async with site.person(LENDER) as lender:
        # Bad input: a message beside each wrong field, and nothing is published.
        refused = await post(
            lender,
            "/competences/proposer",
            "/competences/proposer",
            offer_form(site, capacite="beaucoup", creneau=[]),
        )
        assert refused.status_code == 422
        assert 'id="capacite-erreur"' in refused.text and 'aria-invalid="true"' in refused.text
        assert "Cochez au moins une demi-journée" in refused.text
        assert "Aucune pour le moment" in (await lender.get("/competences/publications")).text
        stale = await lender.post("/competences/proposer", data=offer_form(site))
        assert stale.status_code == 403 and "Ce formulaire a expiré" in stale.text

        published = await post(
            lender, "/competences/proposer", "/competences/proposer", offer_form(site)
        )
        assert published.status_code == 303, published.text
        offer_id = re.findall(UUID, published.headers["location"])[0]
        own = await lender.get(published.headers["location"])
        assert "Votre offre est publiée" in own.text and "Retirer l'offre" in shown(own)

    async with site.person(BORROWER) as borrower:
        found = await borrower.get("/competences", params={"pres": "departement"})
        assert f"/competences/offres/{offer_id}" in found.text
        none = await borrower.get("/competences", params={"theme": "alimentation"})
        assert "Aucune compétence proposée ne correspond" in none.text
        remote = await borrower.get("/competences", params={"modalite": "remote"})
        assert f"/competences/offres/{offer_id}" in remote.text  # « either » fits both

        offer_page = f"/competences/offres/{offer_id}"
        day = next_monday(site.clock(), 14)
        ask = {
            "demi_journees": "2",
            "du": (day - timedelta(days=7)).isoformat(),
            "au": (day + timedelta(days=30)).isoformat(),
            "perimetre": "",
            "modalite": "on_site",
        }
        wrong = await post(borrower, offer_page, f"{offer_page}/demande", ask)
        assert wrong.status_code == 422 and 'id="perimetre-erreur"' in wrong.text
        assert "Aucun prêt pour le moment" in (await borrower.get("/prets")).text
        ask["perimetre"] = "Diagnostic de l'école et de la mairie."
        asked = await post(borrower, offer_page, f"{offer_page}/demande", ask)
        assert asked.status_code == 303, asked.text
        loan_id = re.findall(UUID, asked.headers["location"])[0]
        loan_page = f"/prets/{loan_id}"
        assert "en attente des accords" in (await borrower.get(loan_page)).text

        # A need, published then withdrawn; no proposal yet without matching.
        need = {
            "theme": "alimentation",
            "besoin": "Revoir les menus de la cantine scolaire.",
            "du": ask["du"],
            "au": ask["au"],
            "demi_journees": "3",
            "modalite": "either",
        }
        made = await post(borrower, "/competences/besoin", "/competences/besoin", need)
        assert made.status_code == 303, made.text
        mine = await borrower.get(made.headers["location"])
        assert "Votre besoin est publié" in mine.text
        request_id = re.findall(r"/competences/besoins/(" + UUID + ")/retrait", mine.text)[0]
        withdrawn = await borrower.post(
            f"/competences/besoins/{request_id}/retrait",
            data={"csrf": csrf(mine), "motif": "Besoin couvert autrement."},
        )
        assert withdrawn.status_code == 303
        assert "retirée" in (await borrower.get("/competences/publications")).text
        assert "Aucune proposition" in (await borrower.get("/competences/propositions")).text

    async with site.person(LENDER) as lender:
        page = await lender.get(loan_page)
        assert "Donner l'accord de l'élu·e de la collectivité d'origine" in shown(page)
        assert "Je donne mon accord" not in shown(page)  # the agent's own
        agreed = await lender.post(f"{loan_page}/accord", data={"csrf": csrf(page)})
        assert agreed.headers["location"] == f"{loan_page}?fait=accord"

    async with site.person(HR) as hr:
        page = await hr.get(loan_page)
        agent = re.search(r'<option value="(' + UUID + r')"[^>]*>[^<]*agent@crest', page.text)
        assert agent, page.text
        unnamed = await hr.post(
            f"{loan_page}/accord", data={"csrf": csrf(page), "formulaire": "rh"}
        )
        assert unnamed.status_code == 422 and "Choisissez l'agent" in shown(unnamed)
        approved = await hr.post(
            f"{loan_page}/accord",
            data={"csrf": csrf(page), "formulaire": "rh", "agent": agent.group(1)},
        )
        assert approved.status_code == 303, approved.text
        page = await hr.get(loan_page)
        assert "doit maintenant donner son accord, en personne" in shown(page)
        assert "Je donne mon accord" not in shown(page)
        # The RH forging the agent's consent: lending refuses, nothing changes.
        forged = await hr.post(f"{loan_page}/accord-agent", data={"csrf": csrf(page)})
        assert forged.status_code == 403 and "réservée au rôle : agent" in shown(forged)
        assert "Accord de l'agent (en personne) : en attente" in shown(forged)

    async with site.person(AGENT) as named:
        page = await named.get(loan_page)
        assert "Je donne mon accord" in shown(page)
        # Their page shows their answer and nothing else to do.
        assert "Refuser le prêt" not in shown(page) and "Annuler ce prêt" not in shown(page)
        consented = await named.post(f"{loan_page}/accord-agent", data={"csrf": csrf(page)})
        assert consented.status_code == 303, consented.text
        assert "convenu" in (await named.get(loan_page)).text

    async with site.person(BORROWER) as borrower:
        page = await borrower.get(loan_page)
        session = {"formulaire": "seance", "jour": day.isoformat(), "moment": "soir"}
        wrong = await borrower.post(f"{loan_page}/seances", data={**session, "csrf": csrf(page)})
        assert wrong.status_code == 422 and 'id="seance-moment-erreur"' in wrong.text
        session["moment"] = "am"
        scheduled = await borrower.post(
            f"{loan_page}/seances", data={**session, "csrf": csrf(page)}
        )
        assert scheduled.status_code == 303, scheduled.text
        for name, kind in (("convention.pdf", "application/pdf"), ("convention.html", "text/html")):
            document = await borrower.get(f"{loan_page}/documents/{name}")
            assert document.status_code == 200 and document.headers["content-type"].startswith(kind)
            assert b"Bearer" not in document.content
        refused = await borrower.get(f"{loan_page}/documents/attestation.pdf")
        assert refused.status_code == 403  # the lender's HR's or agent's

    async with site.person(LENDER) as lender:
        page = await lender.get(loan_page)
        session_id = re.findall(rf"{loan_page}/seances/({UUID})/confirmer", page.text)[0]
        confirmed = await lender.post(
            f"{loan_page}/seances/{session_id}/confirmer", data={"csrf": csrf(page)}
        )
        assert confirmed.status_code == 303

    site.clock.advance(timedelta(days=30))
    async with site.person(BORROWER) as borrower:
        page = await borrower.get(loan_page)
        held = await borrower.post(
            f"{loan_page}/seances/{session_id}/effectuee", data={"csrf": csrf(page)}
        )
        assert held.status_code == 303, held.text
        form = await borrower.get(f"{loan_page}/avis")
        assert "Terminer le prêt et envoyer notre avis" in form.text
        missing = await borrower.post(f"{loan_page}/avis", data={"csrf": csrf(form), "useful": "4"})
        assert missing.status_code == 422 and 'id="q-again-erreur"' in missing.text
        assert "terminé" not in (await borrower.get("/prets")).text
        answers = {"useful": "4", "need_met": "5", "autonomy": "4", "again": "oui"}
        done = await borrower.post(f"{loan_page}/avis", data={**answers, "csrf": csrf(form)})
        assert done.status_code == 303, done.text
        assert "terminé" in (await borrower.get("/prets")).text

    async with site.person(LENDER) as lender:
        form = await lender.get(f"{loan_page}/avis")
        assert "Envoyer mon avis" in form.text
        answers = {"burden": "3", "relations": "5", "framework": "4", "again": "oui"}
        given = await lender.post(f"{loan_page}/avis", data={**answers, "csrf": csrf(form)})
        assert given.headers["location"] == f"{loan_page}?fait=avis"
        after = await lender.get(f"{loan_page}/avis")
        assert "L&#39;avis de votre collectivité est déjà donné : merci." in after.text

    async with site.person(AGENT) as agent:
        page = await agent.get(loan_page)
        assert "Donner votre avis sur ce prêt" in page.text
        attestation = await agent.get(f"{loan_page}/documents/attestation.html")
        assert attestation.status_code == 200
        assert "sandbox" in attestation.headers["content-security-policy"]

    # What the loan adds up to: Crest lent a half-day to Aouste, inside one EPCI.
    async with site.person(LENDER) as lender:
        assert "/prets/heures" in (await lender.get(loan_page)).text
        ledger = shown(await lender.get("/prets/heures"))
        mine, epci = ledger.split("<h2>Mon intercommunalité")
        assert "collectivité prêteuse" in mine and "Solde : <strong>-" not in mine
        assert "Solde : <strong>0 h" not in mine
        # Loans between communes of one EPCI cancel out there.
        assert "Solde : <strong>0 h</strong> — intercommunalité à l'équilibre" in epci
        rows = re.findall(r'<th scope="row">([^<]+)</th><td>([^<]+)</td><td>([^<]+)</td>', epci)
        assert [(name, position) for name, _, position in rows] == [
            ("Crest", "prêteuse"),
            ("Aouste-sur-Sye", "emprunteuse"),
        ]
    async with site.person(BORROWER) as borrower:
        ledger = shown(await borrower.get("/prets/heures"))
        assert "collectivité emprunteuse" in ledger.split("<h2>Mon intercommunalité")[0]
        offer_page = await borrower.get(f"/competences/offres/{offer_id}")
        assert f"/competences/offres/{offer_id}/retours" in offer_page.text
        results = shown(await borrower.get(f"/competences/offres/{offer_id}/retours"))
        welcome, origin, agents = results.split("<h2>")[1:]
        assert welcome.startswith("La collectivité d'accueil")
        assert "1 questionnaire rempli" in welcome and "4,0 sur 5" in welcome
        assert "100 % de oui" in origin
        assert agents.startswith("Les agents") and "Pas encore de réponse" in agents
        assert (await borrower.get(f"/competences/offres/{uuid4()}/retours")).status_code == 404


async def test_who_may_not_approve_sees_no_button_and_a_forged_post_changes_nothing(
    site: Site,
) -> None:
    async with site.person(LENDER) as lender:
        published = await post(
            lender, "/competences/proposer", "/competences/proposer", offer_form(site)
        )
        offer_id = re.findall(UUID, published.headers["location"])[0]
    day = next_monday(site.clock(), 14)
    async with site.person(BORROWER) as borrower:
        offer_page = f"/competences/offres/{offer_id}"
        ask = {
            "demi_journees": "2",
            "du": (day - timedelta(days=7)).isoformat(),
            "au": (day + timedelta(days=30)).isoformat(),
            "perimetre": "Diagnostic de l'école et de la mairie.",
            "modalite": "on_site",
        }
        asked = await post(borrower, offer_page, f"{offer_page}/demande", ask)
        loan_page = f"/prets/{re.findall(UUID, asked.headers['location'])[0]}"
        # The élu of Aouste may not approve for Crest: no button, and lending refuses.
        page = await borrower.get(loan_page)
        assert "Donner l'accord" not in shown(page)
        forged = await borrower.post(f"{loan_page}/accord", data={"csrf": csrf(page)})
        assert forged.status_code == 403, shown(forged)

    async with site.person(AGENT) as agent:
        # The agent sees the loan but not the approvals; nor their consent before the RH
        # names them.
        page = await agent.get(loan_page)
        assert page.status_code == 200
        assert "Donner l'accord" not in shown(page)
        assert "Je donne mon accord" not in shown(page)
        as_hr = await agent.post(
            f"{loan_page}/accord", data={"csrf": csrf(page), "agent": str(UUID_(int=0))}
        )
        assert as_hr.status_code == 403
        assert "Votre rôle ne donne pas d'accord" in shown(as_hr)
        too_soon = await agent.post(f"{loan_page}/accord-agent", data={"csrf": csrf(page)})
        assert too_soon.status_code == 403, shown(too_soon)

    # Nothing changed: the élue of Crest still has the first approval to give.
    async with site.person(LENDER) as lender:
        page = shown(await lender.get(loan_page))
        assert "Donner l'accord de l'élu·e de la collectivité d'origine" in page
        assert "en attente des accords" in page


async def test_a_proposal_from_matching_is_taken_from_propositions_pour_vous(site: Site) -> None:
    async with site.person(LENDER) as lender:
        published = await post(
            lender,
            "/competences/proposer",
            "/competences/proposer",
            offer_form(site, theme="alimentation"),
        )
        assert published.status_code == 303, published.text
        offer_id = re.findall(UUID, published.headers["location"])[0]
    async with site.person(BORROWER) as borrower:
        start = (site.clock() + timedelta(days=7)).date()
        need = {
            "theme": "alimentation",
            "besoin": "Revoir les menus de la cantine scolaire.",
            "du": start.isoformat(),
            "au": (start + timedelta(days=60)).isoformat(),
            "demi_journees": "2",
            "modalite": "either",
        }
        made = await post(borrower, "/competences/besoin", "/competences/besoin", need)
        assert made.status_code == 303, made.text
        mine = await borrower.get(made.headers["location"])
        request_id = re.findall(r"/competences/besoins/(" + UUID + ")/retrait", mine.text)[0]

        # Matching finds the offer for the need (its event, as matching publishes it).
        event = MatchProposed(
            proposal_id=uuid4(),
            kind=ProposalKind.NEED_OFFER,
            score=0.8,
            reasons=["Même intercommunalité"],
            theme="alimentation",
            offer=OfferParty(offer_id=UUID_(offer_id), collectivite_siren=demo.CREST),
            requests=[RequestParty(request_id=UUID_(request_id), collectivite_siren=demo.AOUSTE)],
            proposed_at=site.clock(),
        )
        await publish_once(site.amqp_url, site.exchange, [encode(event, source="matching")])

        async def shown_to_her() -> bool:
            return "Donner suite" in (await borrower.get("/competences/propositions")).text

        await wait_until(shown_to_her, what="the proposal on « Propositions pour vous »")
        page = await borrower.get("/competences/propositions")
        assert "Même intercommunalité" in page.text
        taken = await borrower.post(
            f"/competences/propositions/{event.proposal_id}",
            data={"csrf": csrf(page), "request_id": request_id},
        )
        assert taken.status_code == 303, taken.text
        loan = await borrower.get(taken.headers["location"])
        assert "en attente des accords" in loan.text
        again = await borrower.get("/competences/propositions")
        assert "Voir la demande de prêt" in again.text and "Donner suite" not in again.text


async def test_half_days_move_and_loans_are_declined_or_cancelled_with_a_reason(
    site: Site,
) -> None:
    async with site.person(LENDER) as lender:
        published = await post(
            lender, "/competences/proposer", "/competences/proposer", offer_form(site)
        )
        offer_page = published.headers["location"].split("?")[0]
    day = next_monday(site.clock(), 14)
    ask = {
        "demi_journees": "2",
        "du": (day - timedelta(days=7)).isoformat(),
        "au": (day + timedelta(days=30)).isoformat(),
        "perimetre": "Diagnostic de l'école et de la mairie.",
        "modalite": "either",
    }
    async with site.person(BORROWER) as borrower:
        first = await post(borrower, offer_page, f"{offer_page}/demande", ask)
        second = await post(borrower, offer_page, f"{offer_page}/demande", ask)
    declined_page = first.headers["location"].split("?")[0]
    loan_page = second.headers["location"].split("?")[0]

    async with site.person(LENDER) as lender:
        page = await lender.get(declined_page)
        blank = await lender.post(
            f"{declined_page}/refus", data={"csrf": csrf(page), "formulaire": "refus"}
        )
        assert blank.status_code == 422 and 'id="refus-motif-erreur"' in blank.text
        assert "en attente des accords" in (await lender.get(declined_page)).text
        declined = await lender.post(
            f"{declined_page}/refus",
            data={"csrf": csrf(page), "formulaire": "refus", "motif": "Agent indisponible."},
        )
        assert declined.headers["location"] == f"{declined_page}?fait=refuse"
        assert "refusé" in (await lender.get(declined_page)).text
        await lender.post(f"{loan_page}/accord", data={"csrf": csrf(page)})
    async with site.person(HR) as hr:
        page = await hr.get(loan_page)
        agent = re.findall(r'<option value="(' + UUID + r')"', page.text)[0]
        named = {"formulaire": "rh", "agent": agent, "csrf": csrf(page)}
        assert (await hr.post(f"{loan_page}/accord", data=named)).status_code == 303
    async with site.person(AGENT) as consenting:
        page = await consenting.get(loan_page)
        consented = await consenting.post(f"{loan_page}/accord-agent", data={"csrf": csrf(page)})
        assert consented.status_code == 303

    async with site.person(BORROWER) as borrower:
        page = await borrower.get(loan_page)
        session = {"formulaire": "seance", "jour": day.isoformat(), "moment": "pm"}
        await borrower.post(f"{loan_page}/seances", data={**session, "csrf": csrf(page)})
        page = await borrower.get(loan_page)
        session_id = re.findall(rf"{loan_page}/seances/({UUID})/deplacer", page.text)[0]
        key = f"deplacer-{session_id}"
        move = f"{loan_page}/seances/{session_id}/deplacer"
        # Saturday is not a half-day the offer has: lending refuses, in French.
        saturday = (day + timedelta(days=5)).isoformat()
        refused = await borrower.post(
            move, data={"csrf": csrf(page), "formulaire": key, "jour": saturday, "moment": "am"}
        )
        assert refused.status_code == 422 and 'class="erreurs"' in refused.text
        later = (day + timedelta(days=7)).isoformat()
        moved = await borrower.post(
            move, data={"csrf": csrf(page), "formulaire": key, "jour": later, "moment": "am"}
        )
        assert moved.headers["location"] == f"{loan_page}?fait=deplacee"
        cancelled = await borrower.post(
            f"{loan_page}/seances/{session_id}/annuler",
            data={"csrf": csrf(page), "formulaire": f"annuler-{session_id}", "motif": "Conseil"},
        )
        assert cancelled.headers["location"] == f"{loan_page}?fait=seance-annulee"
        assert "annulée" in (await borrower.get(loan_page)).text
        ended = await borrower.post(
            f"{loan_page}/annulation",
            data={"csrf": csrf(page), "formulaire": "annulation", "motif": "Projet reporté."},
        )
        assert ended.headers["location"] == f"{loan_page}?fait=annule"
        assert "annulé" in (await borrower.get("/prets")).text

    async with site.person(LENDER) as lender:
        page = await lender.get(offer_page)
        withdrawn = await lender.post(
            f"{offer_page}/retrait", data={"csrf": csrf(page), "motif": "Agent muté."}
        )
        assert withdrawn.headers["location"] == f"{offer_page}?retiree=1"
        assert "Cette offre est retirée" in (await lender.get(offer_page)).text
    async with site.person(BORROWER) as borrower:
        assert offer_page not in (await borrower.get("/competences")).text


async def test_the_named_agent_refuses_in_person_with_a_reason(site: Site) -> None:
    async with site.person(LENDER) as lender:
        published = await post(
            lender, "/competences/proposer", "/competences/proposer", offer_form(site)
        )
        offer_page = published.headers["location"].split("?")[0]
    day = next_monday(site.clock(), 14)
    ask = {
        "demi_journees": "1",
        "du": (day - timedelta(days=7)).isoformat(),
        "au": (day + timedelta(days=30)).isoformat(),
        "perimetre": "Diagnostic de l'école.",
        "modalite": "either",
    }
    async with site.person(BORROWER) as borrower:
        asked = await post(borrower, offer_page, f"{offer_page}/demande", ask)
    loan_page = asked.headers["location"].split("?")[0]
    async with site.person(HR) as hr:
        page = await hr.get(loan_page)
        agent = re.findall(r'<option value="(' + UUID + r')"[^>]*>[^<]*agent@crest', page.text)[0]
        named = {"formulaire": "rh", "agent": agent, "csrf": csrf(page)}
        assert (await hr.post(f"{loan_page}/accord", data=named)).status_code == 303
        # Nor can the RH refuse for the agent.
        forged = await hr.post(
            f"{loan_page}/refus-agent", data={"csrf": csrf(page), "motif": "À sa place."}
        )
        assert forged.status_code == 403 and "réservée au rôle : agent" in shown(forged)

    async with site.person(AGENT) as named_agent:
        page = await named_agent.get(loan_page)
        blank = await named_agent.post(
            f"{loan_page}/refus-agent", data={"csrf": csrf(page), "formulaire": "refus-agent"}
        )
        assert blank.status_code == 422 and 'id="refus-agent-motif-erreur"' in blank.text
        assert "en attente des accords" in shown(await named_agent.get(loan_page))
        refused = await named_agent.post(
            f"{loan_page}/refus-agent",
            data={"csrf": csrf(page), "formulaire": "refus-agent", "motif": "Congé parental."},
        )
        assert refused.headers["location"] == f"{loan_page}?fait=refus-agent"
        after = shown(await named_agent.get(refused.headers["location"]))
        assert "Votre refus est enregistré : le prêt est refusé." in after
        assert "Refus de l'agent : Congé parental." in after
        assert "Je donne mon accord" not in after
