"""Cafés élus–techniciens and speed dating entre voisins through the portal's pages, against
the real matching service: organised by clicking among the collectivité's members, seen
by the participants, and the « atomes crochus » marked after the evening."""

from __future__ import annotations

import re
from datetime import UTC, timedelta

import pytest
from matching_site import (
    AGENT,
    ELU,
    ELUE,
    MORE,
    RH,
    TRAINER,
    UUID,
    Site,
    csrf,
    person_of,
    seen,
    site,
)

from deformations_common.vocabulary.french import as_paris
from deformations_devtools.portal import demo

pytestmark = pytest.mark.integration

__all__ = ["site"]


async def test_the_rh_of_crest_pairs_elus_and_technicians_for_a_monthly_cafe(site: Site) -> None:
    day = (as_paris(site.clock()) + timedelta(days=20)).date().isoformat()
    agent = str(person_of(AGENT))
    async with site.person(RH) as rh:
        form = await rh.get("/cafes/nouveau")
        assert form.status_code == 200
        # The organiser recognises the members of Crest by name, else by address.
        assert "Julien Girard (agent)" in seen(form)
        assert "adjointe@crest.demo.deformations.fr (élu·e)" in seen(form)
        # Élus come as élus, the agent as technicien, the others are left out by default.
        select = re.search(rf'id="role_{agent}".*?</select>', form.text, re.DOTALL)
        assert select and 'value="technicien" selected' in select.group(0)
        data = {
            "csrf": csrf(form),
            "premier_jour": day,
            "lieu": "Mairie de Crest",
            # As the form's selects send them.
            f"role_{person_of(ELUE)}": "elu",
            f"role_{person_of(MORE[0][0])}": "elu",
            f"role_{agent}": "technicien",
            f"role_{person_of(RH)}": "",
        }
        no_subject = await rh.post("/cafes", data=data)
        assert no_subject.status_code == 422
        assert "Choisissez au moins un sujet" in seen(no_subject)
        data["sujet"] = "energie"
        nobody = await rh.post("/cafes", data={**data, f"role_{agent}": ""})
        assert nobody.status_code == 422 and "au moins un·e élu·e et un·e technicien·ne" in seen(
            nobody
        )
        # The portal offers only Crest's validated members: a forged field naming the élu
        # of Aouste is not sent to matching.
        data[f"role_{person_of(ELU)}"] = "elu"

    # Matching invites only the members the portal published to it.
    for email in (ELUE, AGENT, MORE[0][0]):
        await site.member_known(email, demo.CREST)
    async with site.person(RH) as rh:
        form = await rh.get("/cafes/nouveau")
        planned = await rh.post("/cafes", data={**data, "csrf": csrf(form)})
        # Planned, not refused: the forged élu of Aouste never reached matching.
        assert planned.status_code == 303, seen(planned)
        cafe = await rh.get(planned.headers["location"])
        assert "Les binômes" in seen(cafe) and "Sans binôme ce cycle" in seen(cafe)
        assert "Sujets : Énergie" in seen(cafe)
        cycle_id = planned.headers["location"].removeprefix("/cafes/")
        # The topics log: a wrong field is shown beside it and nothing is noted.
        short = await rh.post(
            f"/cafes/{cycle_id}/sujets", data={"csrf": csrf(cafe), "jour": day, "sujet": "a"}
        )
        assert short.status_code == 422 and 'id="sujet-erreur"' in short.text
        assert "Aucun sujet noté pour le moment." in seen(short)
        noted = await rh.post(
            f"/cafes/{cycle_id}/sujets",
            data={"csrf": csrf(cafe), "jour": day, "sujet": "Le chauffage de l'école"},
        )
        assert noted.status_code == 303, seen(noted)
        log = seen(await rh.get(noted.headers["location"]))
        assert "Le sujet est noté dans le journal du cycle." in log
        assert "Le chauffage de l'école" in log

    async with site.person(AGENT) as technician:
        # Every member of Crest finds the cycles of Crest; the cycle is coming.
        cycles = await technician.get("/cafes")
        assert cycles.status_code == 200
        coming, past = seen(cycles).split("<h2>Passés</h2>")
        assert f"/cafes/{cycle_id}" in coming and "1 binôme · 1 sans binôme · à venir" in coming
        assert "Aucun cycle de cafés terminé." in past
        meetings = await technician.get("/rencontres")
        assert "Énergie : sobriété" in seen(meetings)
        assert "Petit café élu–technicien (1/3)" in seen(meetings)
        assert (await technician.get("/cafes/nouveau")).status_code == 403
        # The technician of a pair notes a topic too.
        page = await technician.get(f"/cafes/{cycle_id}")
        assert "Le chauffage de l'école" in seen(page)
        noted = await technician.post(
            f"/cafes/{cycle_id}/sujets",
            data={"csrf": csrf(page), "jour": day, "sujet": "Le plan vélo"},
        )
        assert noted.status_code == 303
    site.clock.advance(timedelta(days=120))  # matching's: past the third café
    async with site.person(RH) as rh:
        coming, past = seen(await rh.get("/cafes")).split("<h2>Passés</h2>")
        assert "Aucun cycle de cafés à venir." in coming
        assert f"/cafes/{cycle_id}" in past and "terminé" in past
    async with site.person(ELU) as elu:
        # The élu of Aouste sees Aouste's cycles: none; nor Crest's café, nor can he write.
        assert f"/cafes/{cycle_id}" not in (await elu.get("/cafes")).text
        page = await elu.get("/cafes")
        assert (await elu.get(f"/cafes/{cycle_id}")).status_code == 403
        forged = await elu.post(
            f"/cafes/{cycle_id}/sujets",
            data={"csrf": csrf(page), "jour": day, "sujet": "Un sujet d'ailleurs"},
        )
        assert forged.status_code == 403
    async with site.person(RH) as rh:
        log = seen(await rh.get(f"/cafes/{cycle_id}"))
        assert "Le plan vélo" in log and "Un sujet d'ailleurs" not in log


async def test_an_evening_of_the_crestois_is_drawn_then_marked(site: Site) -> None:
    for email, siren in ((ELUE, demo.CREST), (ELU, demo.AOUSTE), *MORE):
        await site.member_known(email, siren)
    day = as_paris(site.clock()) + timedelta(days=3)
    async with site.person(ELUE) as elue:
        # An élue of a commune takes part; the evening is the EPCI's to organise.
        assert "Organiser un speed dating" not in seen(await elue.get("/rencontres"))
        assert (await elue.get("/speed-dating/nouveau")).status_code == 403
    async with site.person(TRAINER) as trainer:
        assert "Organiser un speed dating" in seen(await trainer.get("/rencontres"))
        form = await trainer.get("/speed-dating/nouveau")
        assert form.status_code == 200
        people = re.findall(rf'name="participant" value="({UUID})"', form.text)
        assert len(people) == 4
        data = {
            "csrf": csrf(form),
            "jour": day.date().isoformat(),
            "heure": "18:30",
            "tours": "2",
            "lieu": "Salle des fêtes de Crest",
        }
        alone = await trainer.post("/speed-dating", data={**data, "participant": people[:1]})
        assert alone.status_code == 422 and "au moins deux élus" in seen(alone)
        drawn = await trainer.post("/speed-dating", data={**data, "participant": people})
        assert drawn.status_code == 303, seen(drawn)
        gathering = drawn.headers["location"]
        evening = await trainer.get(gathering)
        assert "Tour 2" in seen(evening) and "Speed dating entre voisins" in seen(evening)
        assert "Mes atomes crochus" not in seen(evening)  # the organiser marks nobody

    async with site.person(ELUE) as elue:
        evening = await elue.get(gathering)
        assert "Vos rencontres" in seen(evening) and "Salle des fêtes de Crest" in seen(evening)

    async with site.person(ELU) as elu:
        evening = await elu.get(gathering)
        met = re.findall(rf'name="revoir" value="({UUID})"', evening.text)
        assert len(met) == 2  # both élues of Crest, never the other élu of Aouste
        assert str(person_of(MORE[1][0])) not in met
        early = await elu.post(
            f"{gathering}/marques", data={"csrf": csrf(evening), "revoir": met[0]}
        )
        assert early.status_code == 409 and "après la soirée" in seen(early)

    site.clock.set((day.replace(hour=22, minute=0)).astimezone(UTC))
    async with site.person(ELU) as elu:
        evening = await elu.get(gathering)
        marked = await elu.post(
            f"{gathering}/marques", data={"csrf": csrf(evening), "revoir": str(person_of(ELUE))}
        )
        assert marked.status_code == 303
        assert "Vos choix sont enregistrés." in seen(await elu.get(marked.headers["location"]))
    async with site.person(ELUE) as elue:
        evening = await elue.get(gathering)
        assert "Atomes crochus" not in seen(evening)  # one-sided marks are never shown
        marked = await elue.post(
            f"{gathering}/marques", data={"csrf": csrf(evening), "revoir": str(person_of(ELU))}
        )
        assert "Atomes crochus : " in seen(await elue.get(marked.headers["location"]))
