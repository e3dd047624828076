"""A boussole de la participation with 10 collectivités from XXS to XXL over HTTP on the
real servers, ending in its ambition × effort grid, a roadmap and its follow-up."""

from training_service import Service

DROME = "200040509"  # CC du Crestois, the territory of the programme
SURVEYED = {
    "212600191": "XXS",  # Aurel
    "938438454": "XS",  # Saillans
    "212601082": "S",  # Crest
    "212601132": "S",  # Die
    "212600589": "M",  # Bourg-lès-Valence
    "212601983": "M",  # Montélimar
    "212602817": "M",  # Romans-sur-Isère
    "212603625": "L",  # Valence
    "213801855": "L",  # Grenoble
    "216901231": "XXL",  # Lyon
}


async def test_a_boussole_of_ten_collectivites_ends_in_its_grid_and_a_roadmap(
    service: Service,
) -> None:
    client = service.client
    coach = service.auth("animateur", DROME, "trainer")
    agent = service.auth("agent-saillans", "938438454", "elected")
    pid = (
        await client.post(
            "/v1/programmes",
            json={"recipe_code": "t09_boussole_participation", "territory_siren": DROME},
            headers=coach,
        )
    ).json()["id"]
    await client.post(
        f"/v1/programmes/{pid}/invitations",
        json={"people": [{"person_id": "agent-saillans", "collectivite_siren": "938438454"}]},
        headers=coach,
    )
    await client.post(f"/v1/programmes/{pid}/invitation", json={"accept": True}, headers=agent)
    base = f"/v1/programmes/{pid}/boussole"

    for index, siren in enumerate(SURVEYED):
        added = await client.post(f"{base}/collectivites", json={"siren": siren}, headers=agent)
        assert added.status_code == 201, added.text
        assert added.json()["size"] == SURVEYED[siren]
        if index == 8:
            early = await client.get(f"{base}/grid", headers=agent)
            assert early.status_code == 409 and "au moins 10" in early.json()["detail"]
        made = await client.post(
            f"{base}/collectivites/{siren}/dispositifs",
            json={
                "name": "Budget participatif" if index % 2 else "Conseil citoyen tiré au sort",
                "ambition": 1 + index % 5,
                "effort": 5 - index % 5,
                "effects": "Des projets votés par les habitants.",
            },
            headers=agent,
        )
        assert made.status_code == 201, made.text
    twice = await client.post(f"{base}/collectivites", json={"siren": "212601082"}, headers=coach)
    assert twice.status_code == 409
    unknown = await client.post(f"{base}/collectivites", json={"siren": "123456789"}, headers=coach)
    assert unknown.status_code == 422
    bad = await client.post(
        f"{base}/collectivites/212601082/dispositifs",
        json={"name": "Hors grille", "ambition": 6, "effort": 1},
        headers=agent,
    )
    assert bad.status_code == 422

    grid = (await client.get(f"{base}/grid", headers=agent)).json()
    assert len(grid) == 10
    assert {p["size"] for p in grid} == {"XXS", "XS", "S", "M", "L", "XXL"}
    lyon = next(p for p in grid if p["siren"] == "216901231")
    assert (lyon["collectivite"], lyon["effort"], lyon["ambition"]) == ("Lyon", 1, 5)

    item = await client.post(
        f"{base}/collectivites/938438454/roadmap",
        json={
            "dispositif": "Budget participatif",
            "advice": "Commencer par 2 % de l'investissement.",
        },
        headers=agent,
    )
    assert item.status_code == 201, item.text
    item_id = item.json()["id"]
    vague = await client.post(
        f"{base}/collectivites/938438454/roadmap/{item_id}",
        json={"status": "tried"},
        headers=agent,
    )
    assert vague.status_code == 422
    tried = await client.post(
        f"{base}/collectivites/938438454/roadmap/{item_id}",
        json={"status": "tried", "effects": "12 projets déposés, 3 votés."},
        headers=agent,
    )
    assert tried.json()["status"] == "tried"

    final = (await client.get(base, headers=coach)).json()
    saillans = next(s for s in final["surveyed"] if s["siren"] == "938438454")
    assert saillans["name"] == "Saillans" and saillans["roadmap"][0]["effects"].startswith("12")
    assert final["sizes_covered"] == ["XXS", "XS", "S", "M", "L", "XXL"]
    outsider = service.auth("dehors", DROME, "elected")
    assert (await client.get(base, headers=outsider)).status_code == 403
