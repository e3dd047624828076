"""The programmes demo: one non-conférence (in the CC du Diois by default, the CC Pays
de Nemours for Île-de-France: ``deformations_devtools.places``), from its call for
contributions to the agenda of the day, its notes, a demonstrator project and the closing
review; and one élus enquêteurs programme on méthanisation, its question, interview guide,
interview notes and learnings shared with the network the enquiry built.

``play(ctx)`` needs a running training service at ``ctx.urls["training"]``.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from deformations_common.vocabulary.collectivites import of
from deformations_devtools.demo import DemoContext


def _day(days: int, hour: int) -> datetime:
    start = datetime.now(UTC).replace(hour=hour - 1, minute=0, second=0, microsecond=0)
    return start + timedelta(days=days)


async def _call(
    client: httpx.AsyncClient, method: str, path: str, headers: dict[str, str], body: Any = None
) -> Any:
    response = await client.request(method, path, json=body, headers=headers)
    response.raise_for_status()
    return response.json()


async def play(ctx: DemoContext) -> None:
    async with ctx.client("training") as client:
        await _non_conference(ctx, client)
        await _elus_enqueteurs(ctx, client)


async def _with_demo_elue(
    ctx: DemoContext, client: httpx.AsyncClient, pid: str, coach: dict[str, str]
) -> None:
    """The demo's élue of the lending commune (Crest) joins too: signed in as her, the
    programme's pages show."""
    crest, name = ctx.places.lender.siren, ctx.places.people.elue
    await _call(
        client,
        "POST",
        f"/v1/programmes/{pid}/invitations",
        coach,
        {"people": [{"person_id": ctx.person(name), "collectivite_siren": crest}]},
    )
    elue = ctx.auth(name, authority=crest, roles=("elected",))
    await _call(client, "POST", f"/v1/programmes/{pid}/invitation", elue, {"accept": True})


async def _non_conference(ctx: DemoContext, client: httpx.AsyncClient) -> None:
    here = ctx.places.programmes
    coach = ctx.auth(here.nc_coach, authority=here.nc_epci, roles=("elected",))
    elus = [
        (
            f"elu-{commune.name.lower()}-{i}",
            commune.siren,
            ctx.auth(
                f"elu-{commune.name.lower()}-{i}", authority=commune.siren, roles=("elected",)
            ),
        )
        for commune in here.nc_communes
        for i in (1, 2)
    ]
    first, second = (c.name for c in here.nc_communes)
    programme = await _call(
        client,
        "POST",
        "/v1/programmes",
        coach,
        {
            "recipe_code": "t10_non_conference",
            "territory_siren": here.nc_epci,
            "title": here.nc_title,
        },
    )
    pid = programme["id"]
    base = f"/v1/programmes/{pid}/open-space"
    await _call(
        client,
        "POST",
        f"/v1/programmes/{pid}/invitations",
        coach,
        {"people": [{"person_id": p, "collectivite_siren": s} for p, s, _ in elus]},
    )
    for _, _, headers in elus:
        await _call(client, "POST", f"/v1/programmes/{pid}/invitation", headers, {"accept": True})
    await _with_demo_elue(ctx, client, pid, coach)
    await _call(client, "POST", f"/v1/programmes/{pid}/steps/attendus/start", coach)
    subjects = [
        "Une cantine bio et locale",
        "Rénover l'école sans se ruiner",
        "Le covoiturage entre villages",
        "Parler de transition au conseil",
    ]
    contributions = [
        await _call(client, "POST", f"{base}/contributions", h, {"title": t, "pitch": ""})
        for (_, _, h), t in zip(elus, subjects, strict=True)
    ]
    await _call(client, "POST", f"{base}/call/close", coach)
    await _call(client, "POST", f"/v1/programmes/{pid}/steps/attendus/finish", coach, {})
    day = _day(45, 9)
    await _call(
        client,
        "POST",
        f"/v1/programmes/{pid}/sessions",
        coach,
        {
            "step_key": "jour_j",
            "title": here.nc_title,
            "starts_at": day.isoformat(),
            "ends_at": (day + timedelta(hours=4)).isoformat(),
            "place_label": here.nc_place.label,
            "place_insee": here.nc_place.insee,
        },
    )
    ctx.say(f"training: non-conférence {here.nc_of}, {len(contributions)} contributions reçues")
    await _call(
        client,
        "PUT",
        f"{base}/frame",
        coach,
        {
            "rooms": list(here.nc_rooms),
            "slots": [
                {
                    "starts_at": (day + timedelta(hours=h)).isoformat(),
                    "ends_at": (day + timedelta(hours=h, minutes=50)).isoformat(),
                }
                for h in (1, 2)
            ],
        },
    )
    proposals = [
        await _call(
            client,
            "POST",
            f"{base}/proposals",
            h,
            {"title": c["title"], "contribution_id": c["id"]},
        )
        for (_, _, h), c in zip(elus, contributions, strict=True)
    ]
    for index, (_, _, headers) in enumerate(elus):
        for proposal in proposals[: index + 1]:
            await _call(
                client, "POST", f"{base}/proposals/{proposal['id']}/vote", headers, {"wanted": True}
            )
    agenda = await _call(client, "POST", f"{base}/agenda", coach)
    first = proposals[0]["id"]
    for _, _, headers in elus[:3]:
        await _call(client, "POST", f"{base}/proposals/{first}/join", headers)
    await _call(
        client,
        "POST",
        f"{base}/proposals/{first}/notes",
        elus[0][2],
        {"text": f"{first} et {second} achètent ensemble : un groupement de commandes bio."},
    )
    await _call(
        client,
        "POST",
        f"{base}/proposals/{first}/demonstrators",
        elus[0][2],
        {
            "title": f"Groupement de commandes bio {first}–{second}",
            "carriers": [elus[0][0], elus[2][0]],
            "collectivite_sirens": [c.siren for c in here.nc_communes],
        },
    )
    await _call(client, "POST", f"/v1/programmes/{pid}/close", coach)
    for _, _, headers in elus:
        await _call(
            client,
            "POST",
            f"/v1/programmes/{pid}/review",
            headers,
            {"answers": [{"score": 4}, {"score": 3}]},
        )
    placed = sum(1 for row in agenda["agenda"] for cell in row if cell)
    ctx.shared["programmes_non_conference"] = pid
    ctx.say(
        f"training: agenda de {placed} ateliers, un projet démonstrateur, bilan rendu"
        f" (page /programmes/{pid}/non-conference)"
    )


async def _elus_enqueteurs(ctx: DemoContext, client: httpx.AsyncClient) -> None:
    here = ctx.places.programmes
    home = here.enqueteurs_commune
    coach = ctx.auth("animateur-enquete", authority=here.enquiry_epci, roles=("trainer",))
    enqueteurs = [
        (f"enqueteur-{i}", ctx.auth(f"enqueteur-{i}", authority=home, roles=("elected",)))
        for i in (1, 2, 3)
    ]
    pid = (
        await _call(
            client,
            "POST",
            "/v1/programmes",
            coach,
            {
                "recipe_code": "t04_elus_enqueteurs",
                "territory_siren": here.enquiry_epci,
                "title": "Enquête : les communes qui ont fait un méthaniseur",
            },
        )
    )["id"]
    await _call(
        client,
        "POST",
        f"/v1/programmes/{pid}/invitations",
        coach,
        {"people": [{"person_id": p, "collectivite_siren": home} for p, _ in enqueteurs]},
    )
    for _, headers in enqueteurs:
        await _call(client, "POST", f"/v1/programmes/{pid}/invitation", headers, {"accept": True})
    await _with_demo_elue(ctx, client, pid, coach)
    steps: list[tuple[str, list[tuple[str, str, str]]]] = [
        (
            "question",
            [
                (
                    "note",
                    "La question d'enquête",
                    "Qu'ont appris les communes rurales qui ont porté un méthaniseur agricole ?",
                )
            ],
        ),
        (
            "terrain",
            [
                (
                    "note",
                    "Liste de terrain",
                    here.terrain,
                )
            ],
        ),
        (
            "enquete",
            [
                (
                    "file",
                    "Guide d'entretien",
                    "1. Le déclencheur. 2. Les partenaires. 3. Les oppositions. 4. Les chiffres.",
                ),
                (
                    "note",
                    f"Entretien à {here.interviewed.name}",
                    "Le portage par une SAS agricole a rassuré ; les odeurs ont été le débat.",
                ),
            ],
        ),
        (
            "cartographier",
            [("link", "Carte des apprentissages", "https://pad.deformations.fr/methanisation")],
        ),
    ]
    for key, materials in steps:
        await _call(client, "POST", f"/v1/programmes/{pid}/steps/{key}/start", coach)
        for (kind, title, body), (_, headers) in zip(materials, enqueteurs, strict=False):
            await _call(
                client,
                "POST",
                f"/v1/programmes/{pid}/materials",
                headers,
                {"step_key": key, "kind": kind, "title": title, "body": body},
            )
        await _call(client, "POST", f"/v1/programmes/{pid}/steps/{key}/finish", coach, {})
    base = f"/v1/programmes/{pid}/enquete"
    lead = enqueteurs[0][1]
    await _call(
        client,
        "PUT",
        f"{base}/question",
        lead,
        {
            "question": "Qu'ont appris les communes rurales qui ont porté un méthaniseur ?",
            "guide": ["Le déclencheur ?", "Les partenaires ?", "Les oppositions ?"],
        },
    )
    entry = await _call(
        client,
        "POST",
        f"{base}/field",
        lead,
        {
            "collectivite_siren": here.interviewed.siren,
            "whom": "La maire et l'agriculteur porteur",
            "place": f"Mairie {of(here.interviewed.name)}",
        },
    )
    await _call(
        client,
        "POST",
        f"{base}/field/{entry['id']}/interview",
        lead,
        {"notes": "Le portage par une SAS agricole a rassuré ; les odeurs ont été le débat."},
    )
    await _call(
        client,
        "POST",
        f"{base}/learnings",
        lead,
        {"text": "Associer les agriculteurs et les riverains dès le départ.", "share": True},
    )
    debrief = _day(100, 18)
    await _call(
        client,
        "POST",
        f"/v1/programmes/{pid}/sessions",
        coach,
        {
            "step_key": "debrief",
            "title": "Débrief des élus enquêteurs",
            "starts_at": debrief.isoformat(),
            "ends_at": (debrief + timedelta(hours=2)).isoformat(),
            "remote": True,
        },
    )
    ctx.shared["programmes_elus_enqueteurs"] = pid
    ctx.say(
        "training: élus enquêteurs sur la méthanisation, 4 étapes sur 5 et leur débrief planifié"
        f" (page /programmes/{pid}/enquete)"
    )
