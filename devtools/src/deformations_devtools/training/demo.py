"""The training demo: a programme of the booklet's formats in the platform's Région, one
offre groupée filled by élus of an EPCI of it, and one rebond (``deformations_devtools.places``:
the Drôme and the CC du Crestois et de Pays de Saillans by default, the Seine-et-Marne and
the CC Gâtinais Val de Loing for Île-de-France).

``play(ctx)`` needs a running training service at ``ctx.urls["training"]``.
"""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from deformations_common.vocabulary.collectivites import of
from deformations_devtools.demo import DemoContext
from deformations_devtools.places import Training
from deformations_devtools.training import programmes_demo


def _at(days: int, hour: int, minute: int = 0) -> datetime:
    """A day ahead at a Paris wall-clock hour (UTC+1/+2: close enough for a demo)."""
    day = datetime.now(UTC).replace(hour=hour - 1, minute=minute, second=0, microsecond=0)
    return day + timedelta(days=days)


def _session(start: datetime, minutes: int) -> dict[str, str]:
    return {
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(minutes=minutes)).isoformat(),
    }


def programme(here: Training) -> list[dict[str, Any]]:
    """The body's offers: the half-day's module is the offre groupée's, the visit the
    rebond's."""
    visit = of(here.visit_town)
    return [
        {
            "title": "Une cantine bio et locale en régie",
            "description": f"Module socle du cycle « à la carte » : retours d'expérience {visit}.",
            "theme": "alimentation",
            "format": "half_day",
            "duration_minutes": 210,
            "capacity": 16,
            "price_cents": 30_000,
            "sessions": [_session(_at(21, 9), 210)],
            "place_insee": here.council.insee,
            "place_label": here.council.label,
            # « Si vous venez avec 8 élus de votre territoire, le prix est divisé par 2. »
            "group_tiers": [
                {"min_group_size": 4, "price_cents": 24_000},
                {"min_group_size": 8, "price_cents": 15_000},
            ],
            "registration_closes_at": _at(14, 18).isoformat(),
        },
        {
            "title": "Café formation : la sobriété énergétique",
            "theme": "energie",
            "format": "cafe",
            "duration_minutes": 60,
            "capacity": 30,
            "price_cents": 0,
            "sessions": [_session(_at(30, 8), 60)],
            "video_url": "https://visio.deformations.fr/cafe-formation",
        },
        {
            "title": "Soirée : rénover l'école sans se ruiner",
            "theme": "renovation",
            "format": "evening",
            "duration_minutes": 120,
            "capacity": 25,
            "price_cents": 8_000,
            "sessions": [_session(_at(24, 19), 120)],
            "place_insee": here.evening.insee,
            "place_label": here.evening.label,
        },
        {
            "title": f"Visite de la chaufferie bois {visit}",
            "theme": "energie",
            "format": "visit",
            "duration_minutes": 150,
            "capacity": 12,
            "price_cents": 5_000,
            "sessions": [_session(_at(35, 14), 150)],
            "place_insee": here.visit.insee,
            "place_label": here.visit.label,
        },
        {
            "title": "Sobriété foncière : le ZAN en 6 capsules",
            "theme": "sobriete_fonciere",
            "format": "e_learning",
            "duration_minutes": 90,
            "capacity": 200,
            "price_cents": 4_000,
            "video_url": "https://cours.deformations.fr/zan",
        },
    ]


async def _post(client: httpx.AsyncClient, path: str, body: Any, headers: dict[str, str]) -> Any:
    response = await client.post(path, json=body, headers=headers)
    response.raise_for_status()
    return response.json()


async def play(ctx: DemoContext) -> None:
    here, cast = ctx.places.training, ctx.places.people
    body, lender = here.body_siren, ctx.places.lender.siren
    operator = ctx.auth(cast.operateur, roles=("operator",))
    trainer = ctx.auth(cast.formatrice, authority=body, roles=("trainer",))
    rh = ctx.auth(cast.rh, authority=lender, roles=("hr",))
    async with ctx.client("training") as client:
        bodies = (await client.get("/v1/bodies", headers=operator)).json()
        if not any(b["siren"] == body for b in bodies):
            await _post(
                client,
                "/v1/bodies",
                {
                    "siren": body,
                    "name": here.body_name,
                    "agrement_reference": "Agrément formation des élus (démo)",
                },
                operator,
            )
        offers = [
            await _post(client, f"/v1/bodies/{body}/offers", o, trainer) for o in programme(here)
        ]
        ctx.say(f"training: {len(offers)} formations au programme {here.programme_of}")

        group = await _post(
            client,
            f"/v1/offers/{offers[0]['id']}/groups",
            {
                "territory_siren": ctx.places.epci,
                "members": [
                    {"person_id": f"{here.member_prefix}-{i + 1}", "collectivite_siren": c.siren}
                    for i, c in enumerate(here.group)
                ],
            },
            rh,
        )
        prices = {e["price_cents"] for e in group["enrolments"]}
        ctx.say(
            f"training: offre groupée {here.group_of}, {len(here.group)} élus"
            f" à {prices} centimes chacun"
        )

        # A short module that ends within seconds, so that the trainer can write the
        # debrief and rebond of the cycle right away.
        flash = await _post(
            client,
            f"/v1/bodies/{body}/offers",
            {
                "title": "Module éclair : mobiliser les habitants",
                "theme": "participation",
                "format": "evening",
                "duration_minutes": 15,
                "capacity": 10,
                "price_cents": 0,
                "sessions": [
                    {
                        "starts_at": (datetime.now(UTC) + timedelta(seconds=3)).isoformat(),
                        "ends_at": (datetime.now(UTC) + timedelta(seconds=5)).isoformat(),
                    }
                ],
                "video_url": "https://visio.deformations.fr/eclair",
            },
            trainer,
        )
        elu = f"{here.member_prefix}-1"
        enrolment = await _post(
            client,
            f"/v1/offers/{flash['id']}/enrolments",
            {},
            ctx.auth(elu, authority=lender, roles=("elected",)),
        )
        ends = datetime.fromisoformat(flash["sessions"][0]["ends_at"])
        # The demo waits for its module to end, as a trainer would.
        await asyncio.sleep(max(0.0, (ends - datetime.now(UTC)).total_seconds()) + 0.5)
        await _post(
            client,
            f"/v1/enrolments/{enrolment['id']}/attendance",
            {"session_id": flash["sessions"][0]["id"], "present": True},
            trainer,
        )
        rebond = await _post(
            client,
            f"/v1/enrolments/{enrolment['id']}/rebond",
            {
                "kind": "visit",
                "offer_id": offers[3]["id"],
                "debrief": "Envie d'associer les habitants au projet de chaufferie.",
                "proposal": f"Visiter la chaufferie bois {of(here.visit_town)} avec ses élus.",
            },
            trainer,
        )
        ctx.shared["training_rebond"] = rebond["id"]
        ctx.say(f"training: un rebond proposé après le module éclair (visite à {here.visit_town})")
    await programmes_demo.play(ctx)
