"""The meeting pages of the portal over HTTP, against the real matching service: an appel à
pairs answered, a group formed, invitations answered, sessions proposed, moved, cancelled.
Every bad input gets a French message and changes nothing."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import httpx
import pytest
from matching_site import ELU, ELUE, MORE, PROBLEM, RH, UUID, Site, csrf, post_call, seen, site

from deformations_common.vocabulary.french import as_paris

pytestmark = pytest.mark.integration

__all__ = ["site"]


def call_ids(page: httpx.Response) -> list[str]:
    return re.findall(rf"/pairs/nouveau\?appel=({UUID})", page.text)


async def test_joining_an_appel_once_by_its_button_and_what_cannot_be_joined(
    site: Site,
) -> None:
    async with site.person(ELUE) as elue:
        posted = await post_call(elue)
        assert posted.status_code == 303
        mine = await elue.get("/pairs")
        call_id = re.findall(rf"/pairs/appels/({UUID})/groupe", seen(mine))[0]
        # Her own call offers no join, and a forged one is refused in French.
        assert f"/pairs/appels/{call_id}/rejoindre" not in mine.text
        own = await elue.post(f"/pairs/appels/{call_id}/rejoindre", data={"csrf": csrf(mine)})
        assert own.status_code == 409 and "C'est votre propre appel" in seen(own)

    async with site.person(ELU) as elu:
        listed = await elu.get("/pairs")
        assert f"/pairs/appels/{call_id}/rejoindre" in listed.text
        no_token = await elu.post(f"/pairs/appels/{call_id}/rejoindre", data={})
        assert no_token.status_code == 403 and "Ce formulaire a expiré" in seen(no_token)
        for _ in range(2):  # a second press (a double click, a reload) joins once
            joined = await elu.post(
                f"/pairs/appels/{call_id}/rejoindre", data={"csrf": csrf(listed)}
            )
            assert joined.status_code == 303 and joined.headers["location"] == (
                "/pairs?notice=rejoint"
            )
        page = await elu.get(joined.headers["location"])
        assert "Vous avez rejoint l'appel" in seen(page)
        assert seen(page).count("Vous avez rejoint cet appel") == 2  # in mine, and on the call
        assert f"/pairs/appels/{call_id}/rejoindre" not in page.text
        unknown = await elu.post(
            f"/pairs/appels/{uuid.uuid4()}/rejoindre", data={"csrf": csrf(listed)}
        )
        assert unknown.status_code == 404

    async with site.person(ELUE) as elue:
        # The élue sees her call only: the join repeats her words, it is not listed again.
        assert seen(await elue.get("/pairs")).count(PROBLEM) == 1
    async with site.person(MORE[0][0]) as other:
        assert seen(await other.get("/pairs")).count(PROBLEM) == 1


async def test_an_appel_a_pairs_becomes_a_group_that_fixes_its_sessions(site: Site) -> None:
    async with site.person(ELUE) as elue:
        empty = await elue.get("/pairs")
        assert empty.status_code == 200
        assert "Vous n'avez aucun appel ouvert." in seen(empty)
        assert "Aucun autre appel ouvert pour le moment." in seen(empty)
        short = await post_call(elue, probleme="Aidez-moi")
        assert short.status_code == 422 and "Décrivez votre difficulté" in seen(short)
        no_theme = await post_call(elue, theme="")
        assert no_theme.status_code == 422 and "Choisissez le thème" in seen(no_theme)
        forged = await elue.post("/pairs/appels", data={"theme": "energie", "probleme": PROBLEM})
        assert forged.status_code == 403 and "Ce formulaire a expiré" in seen(forged)
        assert "Vous n'avez aucun appel ouvert." in seen(await elue.get("/pairs"))

        posted = await post_call(elue)
        assert posted.status_code == 303 and posted.headers["location"] == "/pairs?notice=appel"
        mine = await elue.get(posted.headers["location"])
        assert "Votre appel à pairs est publié." in seen(mine)
        assert PROBLEM in seen(mine) and "Retirer mon appel" in seen(mine)
        call_id = re.findall(rf"/pairs/appels/({UUID})/groupe", seen(mine))[0]

    for email, _siren in (MORE[0], (ELU, "")):
        async with site.person(email) as other:
            listed = await other.get("/pairs")
            assert call_id in call_ids(listed)
            answering = await other.get("/pairs/nouveau", params={"appel": call_id})
            assert "Répondre à un appel à pairs" in seen(answering) and PROBLEM in seen(answering)
            answered = await post_call(other, appel=call_id, creneau=["evening"])
            assert answered.status_code == 303, seen(answered)

    async with site.person(ELUE) as elue:
        listed = await elue.get("/pairs")
        too_few = await elue.post(f"/pairs/appels/{call_id}/groupe", data={"csrf": csrf(listed)})
        assert too_few.status_code == 409 and "Pas encore assez d" in seen(too_few)

    async with site.person(MORE[1][0]) as fourth:
        assert (await post_call(fourth, appel=call_id, creneau=["evening"])).status_code == 303

    async with site.person(ELUE) as elue:
        listed = await elue.get("/pairs")
        formed = await elue.post(f"/pairs/appels/{call_id}/groupe", data={"csrf": csrf(listed)})
        assert formed.status_code == 303, seen(formed)
        group_id = re.findall(UUID, formed.headers["location"])[0]
        group = await elue.get(formed.headers["location"])
        assert "Le groupe est proposé" in seen(group)
        assert "en attente des réponses (1 sur 4 ont accepté)" in seen(group)
        assert "3 autres membres, dont le nom sera révélé" in seen(group)
        assert "Créneaux communs</dt><dd>en soirée" in seen(group)
        # The calls are grouped: none is open any more.
        assert "Aucun autre appel ouvert" in seen(await elue.get("/pairs"))

    async with site.person(ELU) as elu:
        meetings = await elu.get("/rencontres")
        assert f"/pairs/groupes/{group_id}" in seen(meetings)
        page = await elu.get(f"/pairs/groupes/{group_id}")
        assert "J'accepte ma place" in seen(page)
        nothing = await elu.post(f"/pairs/groupes/{group_id}/reponse", data={"csrf": csrf(page)})
        assert nothing.status_code == 422 and "Choisissez d'accepter" in seen(nothing)
        accepted = await elu.post(
            f"/pairs/groupes/{group_id}/reponse", data={"csrf": csrf(page), "choix": "accepter"}
        )
        assert accepted.status_code == 303
        page = await elu.get(accepted.headers["location"])
        assert "Vous avez accepté votre place" in seen(page)
        assert "Proposer les séances" not in seen(page)  # not everyone has accepted yet
        again = await elu.post(
            f"/pairs/groupes/{group_id}/reponse", data={"csrf": csrf(page), "choix": "decliner"}
        )
        assert again.status_code == 409 and "Vous avez déjà répondu." in seen(again)

    for email, _siren in MORE:
        async with site.person(email) as other:
            page = await other.get(f"/pairs/groupes/{group_id}")
            answered = await other.post(
                f"/pairs/groupes/{group_id}/reponse",
                data={"csrf": csrf(page), "choix": "accepter"},
            )
            assert answered.status_code == 303

    day = (as_paris(site.clock()) + timedelta(days=14)).date().isoformat()
    async with site.person(ELU) as elu:
        page = await elu.get(f"/pairs/groupes/{group_id}")
        assert "confirmé : tout le monde a accepté (4 sur 4 ont accepté)" in seen(page)
        assert "dont le nom sera révélé" not in seen(page)
        # Revealed by their names (the demo's élue of Crest has one; the two more élus
        # gave none: « membre n »), never by their addresses.
        assert "<li>Claire Faure</li>" in page.text
        assert re.search(r"<li>membre \d</li>", page.text) and "demo.deformations.fr" not in seen(
            page
        )
        form = {"csrf": csrf(page), "jour": day, "heure": "18:30", "lieu": "Mairie de Crest"}
        bad_day = await elu.post(
            f"/pairs/groupes/{group_id}/seances", data={**form, "jour": "14/12"}
        )
        assert bad_day.status_code == 422 and "Première séance : indiquez une date" in seen(bad_day)
        no_place = await elu.post(f"/pairs/groupes/{group_id}/seances", data={**form, "lieu": ""})
        assert no_place.status_code == 422 and "Indiquez le lieu des séances" in seen(no_place)
        assert "Aucune séance pour le moment." in seen(no_place)
        fixed = await elu.post(f"/pairs/groupes/{group_id}/seances", data=form)
        assert fixed.status_code == 303, seen(fixed)
        page = await elu.get(fixed.headers["location"])
        assert "Les séances du groupe sont fixées" in seen(page)
        assert "(séance 1/5)" in seen(page) and "(séance 5/5)" in seen(page)
        assert "Proposer les séances" not in seen(page)
        sessions = re.findall(rf"/rencontres/seances/({UUID})", seen(page))
        assert len(sessions) == 5

    async with site.person(ELUE) as elue:
        meetings = await elue.get("/rencontres")
        assert "Mes rencontres" in seen(meetings) and "(séance 1/5)" in seen(meetings)
        # The mailed links lead to the same pages.
        mailed = await elue.get(f"/seances/{sessions[0]}")
        assert mailed.headers["location"] == f"/rencontres/seances/{sessions[0]}"
        proposal = await elue.get(f"/propositions/{group_id}")
        assert proposal.headers["location"] == f"/pairs/groupes/{group_id}"
        session = await elue.get(f"/rencontres/seances/{sessions[0]}")
        assert "Mairie de Crest" in seen(session) and "prévue" in seen(session)
        assert "Seule la personne qui organise la séance" in seen(session)
        assert ">Annuler la séance</button>" not in session.text
        refused = await elue.post(
            f"/rencontres/seances/{sessions[0]}/annuler",
            data={"csrf": csrf(session), "raison": "Conseil municipal ce soir-là"},
        )
        assert refused.status_code == 403 and "Seul l'organisateur" in seen(refused)

    async with site.person(ELU) as elu:
        session = await elu.get(f"/rencontres/seances/{sessions[1]}")
        assert "Vous organisez cette séance" in seen(session)
        no_reason = await elu.post(
            f"/rencontres/seances/{sessions[1]}/annuler", data={"csrf": csrf(session)}
        )
        assert no_reason.status_code == 422 and "pourquoi la séance est annulée" in seen(no_reason)
        cancelled = await elu.post(
            f"/rencontres/seances/{sessions[1]}/annuler",
            data={"csrf": csrf(session), "raison": "Conseil municipal ce soir-là"},
        )
        assert cancelled.status_code == 303
        shown = await elu.get(cancelled.headers["location"])
        assert "La séance est annulée" in seen(shown) and "annulée</dd>" in seen(shown)
        moved = await elu.post(
            f"/rencontres/seances/{sessions[2]}/deplacer",
            data={"csrf": csrf(session), "jour": day, "heure": "12:15", "a_distance": "oui"},
        )
        assert moved.status_code == 303, seen(moved)
        shown = await elu.get(moved.headers["location"])
        assert "12 h 15 – 13 h 45" in seen(shown)
        assert "à distance" in seen(shown)

        # Leaving: the group falls below four; nobody else is open on the theme.
        page = await elu.get(f"/pairs/groupes/{group_id}")
        left = await elu.post(f"/pairs/groupes/{group_id}/depart", data={"csrf": csrf(page)})
        assert left.status_code == 303
        page = await elu.get(left.headers["location"])
        assert "Vous avez quitté le groupe." in seen(
            page
        ) and "Quitter le groupe</button>" not in seen(page)


async def test_a_call_is_withdrawn_and_only_elus_post_calls(site: Site) -> None:
    async with site.person(ELUE) as elue:
        assert (await post_call(elue, theme="eau")).status_code == 303
        page = await elue.get("/pairs")
        call_id = re.findall(rf"/pairs/appels/({UUID})/retrait", seen(page))[0]
        withdrawn = await elue.post(f"/pairs/appels/{call_id}/retrait", data={"csrf": csrf(page)})
        assert withdrawn.status_code == 303
        page = await elue.get(withdrawn.headers["location"])
        assert "Votre appel à pairs est retiré." in seen(page) and PROBLEM not in seen(page)
        twice = await elue.post(f"/pairs/appels/{call_id}/retrait", data={"csrf": csrf(page)})
        assert twice.status_code == 410 and "déjà retiré" in seen(twice)
        unknown = await elue.get("/pairs/groupes/pas-un-groupe")
        assert unknown.status_code == 404

    async with site.person(RH) as rh:
        refused = await post_call(rh)
        assert refused.status_code == 403
        assert "Vous n'avez aucun appel ouvert." in seen(await rh.get("/pairs"))
