"""Les élus enquêteurs over HTTP on the real database: the enquiry is kept between
requests, and its shared learnings reach the people it met, not the others."""

from training_service import Service

CC_CRESTOIS = "200040509"
CORMATIN = "217101450"


async def test_an_enquiry_is_kept_and_shares_its_learnings_with_its_network(
    service: Service,
) -> None:
    client = service.client
    coach = service.auth("animateur", CC_CRESTOIS, "trainer")
    elu = service.auth("enqueteur-1", CC_CRESTOIS, "elected")
    met = service.auth("maire-cormatin", CORMATIN, "elected")
    stranger = service.auth("inconnu", CORMATIN, "elected")
    pid = (
        await client.post(
            "/v1/programmes",
            json={"recipe_code": "t04_elus_enqueteurs", "territory_siren": CC_CRESTOIS},
            headers=coach,
        )
    ).json()["id"]
    await client.post(
        f"/v1/programmes/{pid}/invitations",
        json={"people": [{"person_id": "enqueteur-1"}]},
        headers=coach,
    )
    await client.post(f"/v1/programmes/{pid}/invitation", json={"accept": True}, headers=elu)
    base = f"/v1/programmes/{pid}/enquete"
    question = await client.put(
        f"{base}/question",
        json={
            "question": "Qu'ont appris les communes qui ont porté un méthaniseur ?",
            "guide": ["Le déclencheur ?", "Les oppositions ?"],
        },
        headers=elu,
    )
    assert question.status_code == 200, question.text
    entry = await client.post(
        f"{base}/field",
        json={
            "collectivite_siren": CORMATIN,
            "whom": "La maire",
            "place": "Mairie de Cormatin",
            "person_id": "maire-cormatin",
        },
        headers=elu,
    )
    assert entry.status_code == 201 and entry.json()["collectivite"] == "Cormatin"
    notes = await client.post(
        f"{base}/field/{entry.json()['id']}/interview",
        json={"notes": "Le portage par une SAS agricole a rassuré."},
        headers=elu,
    )
    assert notes.json()["status"] == "met"
    await client.post(
        f"{base}/learnings",
        json={"text": "Associer les agriculteurs dès le départ.", "share": True},
        headers=elu,
    )
    kept = (await client.get(base, headers=coach)).json()
    assert kept["guide"] == ["Le déclencheur ?", "Les oppositions ?"]
    assert kept["network"] == ["maire-cormatin"]
    shared = await client.get(f"{base}/learnings/shared", headers=met)
    assert [x["text"] for x in shared.json()] == ["Associer les agriculteurs dès le départ."]
    assert (await client.get(f"{base}/learnings/shared", headers=stranger)).status_code == 403
    assert (await client.get(base, headers=met)).status_code == 403
