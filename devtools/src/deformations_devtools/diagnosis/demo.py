"""``make run``'s demo: a trainer opens a campaign for an EPCI of the platform's Région
(``deformations_devtools.places``: the CC du Diois by default, the CC Pays de Nemours
for Île-de-France) and élus of five of its communes answer, most of them sharing their
result with the team, so that both events are published and the collective page has data
to show."""

from typing import Any
from uuid import uuid4

from deformations_common.geography import load_geography
from deformations_common.vocabulary.roles import Role
from deformations_devtools.demo import DemoContext
from deformations_devtools.diagnosis.synthetic import synthetic_team
from deformations_diagnosis.content.loader import load_questionnaire


async def play(ctx: DemoContext) -> None:
    geo = load_geography()
    q = load_questionnaire()
    here = ctx.places.diagnosis
    respondents = here.respondents
    team = synthetic_team(q, list(respondents), list(respondents.values()), seed=2026)
    base = ctx.urls["diagnosis"]
    trainer = ctx.auth(here.trainer, roles=(Role.TRAINER,))
    async with ctx.client("diagnosis") as http:
        opened = await http.post(
            "/v1/campaigns",
            json={
                "team_kind": "intercommunality",
                "collectivite_siren": here.epci,
                # The demo shows anonymous answers beside signed-in ones.
                "signed_in_only": False,
            },
            headers=trainer,
        )
        opened.raise_for_status()
        campaign: dict[str, Any] = opened.json()
        people: list[str] = []
        result_page = ""
        for insee, submissions in team.items():
            commune = geo.commune(insee)
            for rank, submission in enumerate(submissions):
                # Half of the élus answer signed in (they get a notification), the rest
                # anonymously; one in four keeps their result to themselves.
                signed = rank % 2 == 0
                person = f"demo-elu-{insee}-{rank}"
                headers = (
                    ctx.auth(person, authority=commune.siren, roles=(Role.ELECTED,))
                    if signed
                    else {}
                )
                response = await http.post(
                    "/v1/responses",
                    json={
                        "submission_id": str(uuid4()),
                        "questionnaire_version": submission.questionnaire_version,
                        "answers": {k: list(v) for k, v in submission.answers.items()},
                        "campaign_token": campaign["token"],
                        "commune_insee": insee,
                        "share_with_team": rank % 4 != 3,
                    },
                    headers=headers,
                )
                response.raise_for_status()
                result_page = response.json()["result_page"]
                if signed:
                    people.append(person)
        collective = await http.get(campaign["collective_api"], headers=trainer)
        collective.raise_for_status()
    total = collective.json()["total"]
    ctx.shared["diagnosis.campaign_id"] = campaign["id"]
    ctx.shared["diagnosis.campaign_token"] = campaign["token"]
    ctx.shared["diagnosis.people"] = people
    leading = max(total["families"], key=lambda f: f["count"])
    ctx.say(
        f"diagnosis: campagne « {campaign['team_label']} », {total['respondents']} réponses "
        f"partagées sur {sum(respondents.values())} ; famille la plus présente : {leading['name']}"
    )
    ctx.say(f"diagnosis: questionnaire      {base}/quiz")
    ctx.say(f"diagnosis: lien de campagne   {base}{campaign['quiz_page']}")
    ctx.say(f"diagnosis: page collective    {base}{campaign['collective_page']}")
    ctx.say(f"diagnosis: page de résultat   {base}{result_page}")
