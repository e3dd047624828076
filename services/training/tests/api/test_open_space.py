"""A non-conférence in the CC du Clunisois over HTTP on the real servers: the call for
contributions, the frame of the day, proposals and votes, the agenda, feet and notes."""

from datetime import timedelta

from training_factories import NOW
from training_service import Service

CLUNISOIS = "200040293"
CLUNY = "217101377"
CORMATIN = "217101450"


async def test_a_non_conference_from_its_call_to_the_agenda_and_its_notes(
    service: Service,
) -> None:
    client = service.client
    coach = service.auth("animatrice", CLUNISOIS, "elected")
    elus = [service.auth(f"elu-{i}", CLUNY, "elected") for i in range(4)]
    outsider = service.auth("dehors", CLUNY, "elected")
    pid = (
        await client.post(
            "/v1/programmes",
            json={"recipe_code": "t10_non_conference", "territory_siren": CLUNISOIS},
            headers=coach,
        )
    ).json()["id"]
    base = f"/v1/programmes/{pid}/open-space"
    await client.post(
        f"/v1/programmes/{pid}/invitations",
        json={"people": [{"person_id": f"elu-{i}"} for i in range(4)]},
        headers=coach,
    )
    for elu in elus:
        await client.post(f"/v1/programmes/{pid}/invitation", json={"accept": True}, headers=elu)

    subjects = ["Cantine bio et locale", "Rénovation des écoles", "Mobilités rurales"]
    contributions = []
    for elu, subject in zip(elus, subjects, strict=False):
        answer = await client.post(
            f"{base}/contributions", json={"title": subject, "pitch": "À partager."}, headers=elu
        )
        assert answer.status_code == 201, answer.text
        contributions.append(answer.json()["id"])
    refused = await client.post(f"{base}/contributions", json={"title": "Intrus"}, headers=outsider)
    assert refused.status_code == 403
    await client.post(f"{base}/call/close", headers=coach)
    late = await client.post(f"{base}/contributions", json={"title": "Trop tard"}, headers=elus[3])
    assert late.status_code == 409 and "clos" in late.json()["detail"]

    day = NOW + timedelta(days=40)
    frame_body = {
        "rooms": ["Salle du conseil", "Cour de l'abbaye"],
        "slots": [
            {
                "starts_at": (day + timedelta(hours=h)).isoformat(),
                "ends_at": (day + timedelta(hours=h, minutes=50)).isoformat(),
            }
            for h in (0, 1)
        ],
    }
    by_elu = await client.put(f"{base}/frame", json=frame_body, headers=elus[0])
    assert by_elu.status_code == 403
    frame = await client.put(f"{base}/frame", json=frame_body, headers=coach)
    assert frame.status_code == 200, frame.text

    proposals = []
    for elu, contribution, subject in zip(elus, contributions, subjects, strict=False):
        made = await client.post(
            f"{base}/proposals",
            json={"title": subject, "contribution_id": contribution},
            headers=elu,
        )
        proposals.append(made.json()["id"])
    fresh = await client.post(
        f"{base}/proposals", json={"title": "Élus et réseaux sociaux"}, headers=elus[3]
    )
    proposals.append(fresh.json()["id"])
    # Mobilités: 4 votes, cantine: 3, écoles: 1, réseaux sociaux: 2.
    wanted = {2: elus, 0: elus[:3], 1: elus[:1], 3: elus[:2]}
    for index, voters in wanted.items():
        for elu in voters:
            await client.post(
                f"{base}/proposals/{proposals[index]}/vote", json={"wanted": True}, headers=elu
            )

    agenda = (await client.post(f"{base}/agenda", headers=coach)).json()
    assert agenda["agenda"] == [
        [proposals[2], proposals[0]],
        [proposals[3], proposals[1]],
    ]
    slot_1 = agenda["slots"][1]["id"]
    taken = await client.post(
        f"{base}/proposals/{proposals[1]}/place",
        json={"slot_id": slot_1, "room": "Cour de l'abbaye"},
        headers=coach,
    )
    assert taken.status_code == 200  # staying in its own cell is fine
    clash = await client.post(
        f"{base}/proposals/{proposals[1]}/place",
        json={"slot_id": slot_1, "room": "Salle du conseil"},
        headers=coach,
    )
    assert clash.status_code == 409 and "déjà prise" in clash.json()["detail"]

    await client.post(f"{base}/proposals/{proposals[2]}/join", headers=elus[0])
    moved = await client.post(f"{base}/proposals/{proposals[0]}/join", headers=elus[0])
    assert moved.json()["attendees"] == ["elu-0"]
    note = await client.post(
        f"{base}/proposals/{proposals[0]}/notes",
        json={"text": "Groupement de commandes entre Cluny et Cormatin : à lancer."},
        headers=elus[0],
    )
    assert note.status_code == 201, note.text
    demonstrator = await client.post(
        f"{base}/proposals/{proposals[0]}/demonstrators",
        json={
            "title": "Groupement de commandes bio",
            "carriers": ["elu-0", "elu-1"],
            "collectivite_sirens": [CLUNY, CORMATIN],
        },
        headers=elus[0],
    )
    assert demonstrator.status_code == 201, demonstrator.text
    bad = await client.post(
        f"{base}/proposals/{proposals[0]}/demonstrators",
        json={"title": "Fantôme", "carriers": ["elu-0"], "collectivite_sirens": ["123456789"]},
        headers=elus[0],
    )
    assert bad.status_code == 422

    final = (await client.get(base, headers=elus[2])).json()
    by_id = {p["id"]: p for p in final["proposals"]}
    assert by_id[proposals[0]]["notes"] == [
        "Groupement de commandes entre Cluny et Cormatin : à lancer."
    ]
    assert by_id[proposals[2]]["attendees"] == [] and by_id[proposals[2]]["votes"] == 4
    assert [d["title"] for d in final["demonstrators"]] == ["Groupement de commandes bio"]
    assert len(final["contributions"]) == 3 and final["call_open"] is False
    assert (await client.get(base, headers=outsider)).status_code == 403
