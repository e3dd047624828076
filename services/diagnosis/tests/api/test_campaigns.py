"""Campaigns, collective results and team events over HTTP, on the real broker and DB."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import aio_pika
import pytest
from platform_harness import Platform, RunningService

from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.events.diagnosis import DiagnosisCompleted, DiagnosisTeamUpdated
from deformations_devtools.diagnosis.synthetic import synthetic_submissions
from deformations_devtools.testing import wait_until
from deformations_diagnosis.content.loader import load_questionnaire

from ..conftest import start_at  # noqa: TID252 (shared helpers)

pytestmark = pytest.mark.integration

CLUNY_SIREN, CLUNY_INSEE = "217101377", "71137"
TAIZE_INSEE, LOURNAND_INSEE, JALOGNY_INSEE = "71532", "71264", "71241"
CLUNISOIS = "200040293"
OPERATOR = {"roles": ("operator",)}


def answers(seed: int) -> dict[str, list[str]]:
    _, submission = synthetic_submissions(load_questionnaire(), 1, seed=seed)[0]
    return {item: list(options) for item, options in submission.answers.items()}


def body(seed: int, **extra: Any) -> dict[str, Any]:
    return {
        "submission_id": str(uuid4()),
        "questionnaire_version": load_questionnaire().version,
        "answers": answers(seed),
        **extra,
    }


async def open_campaign(
    diagnosis: RunningService,
    sub: str = "operator-1",
    claims: dict[str, Any] | None = None,
    **team: Any,
) -> dict[str, Any]:
    team = team or {"team_kind": "municipal_council", "collectivite_siren": CLUNY_SIREN}
    # Most tests answer through the anonymous link; signed-in-only ones say so.
    team.setdefault("signed_in_only", False)
    response = await diagnosis.client.post(
        "/v1/campaigns", json=team, headers=diagnosis.auth(sub, **(claims or OPERATOR))
    )
    assert response.status_code == 201, response.text
    campaign: dict[str, Any] = response.json()
    return campaign


async def respond(diagnosis: RunningService, token: str, seed: int, **extra: Any) -> dict[str, Any]:
    response = await diagnosis.client.post(
        "/v1/responses", json=body(seed, campaign_token=token, **extra)
    )
    assert response.status_code == 201, response.text
    out: dict[str, Any] = response.json()
    return out


async def drain(queue: aio_pika.abc.AbstractQueue, n: int) -> list[dict[str, Any]]:
    """The bodies of the next ``n`` messages of a tap queue (waits for each)."""
    bodies: list[dict[str, Any]] = []

    async def got_one() -> bool:
        message = await queue.get(fail=False)
        if message is None:
            return False
        await message.ack()
        bodies.append(json.loads(message.body))
        return True

    for _ in range(n):
        await wait_until(got_one, what="an event on the tap queue")
    return bodies


async def nothing_more(queue: aio_pika.abc.AbstractQueue) -> bool:
    return await queue.get(fail=False) is None


async def test_an_operator_opens_a_council_campaign_with_a_shareable_link(
    platform: Platform,
) -> None:
    diagnosis = await platform.start("diagnosis")
    campaign = await open_campaign(diagnosis)
    assert campaign["team_label"] == "Conseil municipal de Cluny"
    assert campaign["commune_insee"] == CLUNY_INSEE
    assert campaign["quiz_page"] == f"/c/{campaign['token']}"
    public = await diagnosis.client.get(f"/v1/campaigns/by-token/{campaign['token']}")
    assert public.status_code == 200
    assert "token" not in public.json() and "id" not in public.json()
    assert (await diagnosis.client.get("/v1/campaigns/by-token/nope-nope-nope")).status_code == 404


@pytest.mark.parametrize(
    ("claims", "team", "status", "code"),
    [
        ({"roles": ("elected",), "authority": CLUNY_SIREN}, None, 201, None),
        ({"roles": ("elected",), "authority": "217105329"}, None, 403, "not_your_collectivite"),
        ({"roles": ("agent",), "authority": CLUNY_SIREN}, None, 403, None),
        (
            OPERATOR,
            {"team_kind": "intercommunality", "collectivite_siren": "999999999"},
            422,
            "unknown_collectivite",
        ),
        (OPERATOR, {"team_kind": "municipal_council"}, 422, "collectivite_required"),
        (
            OPERATOR,
            {
                "team_kind": "municipal_council",
                "commune_insee": CLUNY_INSEE,
                "expires_at": "2020-01-01T00:00:00Z",
            },
            422,
            "bad_expiry",
        ),
    ],
)
async def test_who_may_open_a_campaign_and_for_what(
    platform: Platform,
    claims: dict[str, Any],
    team: dict[str, Any] | None,
    status: int,
    code: str | None,
) -> None:
    diagnosis = await platform.start("diagnosis")
    team = team or {"team_kind": "municipal_council", "collectivite_siren": CLUNY_SIREN}
    # Most tests answer through the anonymous link; signed-in-only ones say so.
    team.setdefault("signed_in_only", False)
    response = await diagnosis.client.post(
        "/v1/campaigns", json=team, headers=diagnosis.auth("someone", **claims)
    )
    assert response.status_code == status, response.text
    if code:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == code
    assert (await diagnosis.client.post("/v1/campaigns", json=team)).status_code == 401


async def test_the_team_result_shows_from_three_shared_responses_and_is_published(
    platform: Platform,
) -> None:
    diagnosis = await platform.start("diagnosis")
    completed = await platform.tap(DiagnosisCompleted.routing_key)
    updated = await platform.tap(DiagnosisTeamUpdated.routing_key)
    campaign = await open_campaign(diagnosis)
    token, url = campaign["token"], campaign["collective_api"]
    headers = diagnosis.auth("operator-1", **OPERATOR)

    await respond(diagnosis, token, 1, share_with_team=True)
    await respond(diagnosis, token, 2, share_with_team=True)
    await respond(diagnosis, token, 3, share_with_team=False)
    early = await diagnosis.client.get(url, headers=headers)
    assert early.status_code == 409
    assert early.json()["code"] == "not_enough_responses"
    assert early.json()["missing"] == 1
    assert "families" not in early.text

    await respond(diagnosis, token, 4, share_with_team=True)
    result = await diagnosis.client.get(url, headers=headers)
    assert result.status_code == 200, result.text
    total = result.json()["total"]
    assert total["respondents"] == 3  # the one who did not consent is not counted
    # No family of one or two people is shown: it would point at them.
    assert all(f["count"] >= 3 for f in total["families"])
    # Nor an axis's extreme values: each is one person's own score.
    assert all(set(a).isdisjoint({"minimum", "maximum"}) for a in total["axes"])
    assert sum(f["count"] for f in total["families"]) <= 3

    events = await drain(completed, 4)
    assert [e["shared_with_team"] for e in events] == [True, True, False, True]
    assert {e["campaign_id"] for e in events} == {campaign["id"]}
    assert {e["collectivite_siren"] for e in events} == {CLUNY_SIREN}
    [team] = await drain(updated, 1)
    assert team["response_count"] == 3
    assert team["team_kind"] == "municipal_council"
    assert team["collectivite_siren"] == CLUNY_SIREN
    assert team["commune_insee"] == CLUNY_INSEE
    assert team["family_distribution"] == {f["family"]: f["count"] for f in total["families"]}

    # A response not shared changes nothing the team sees: no new team event.
    await respond(diagnosis, token, 5, share_with_team=False)
    await drain(completed, 1)
    await respond(diagnosis, token, 6, share_with_team=True)
    [team] = await drain(updated, 1)
    assert team["response_count"] == 4
    assert await nothing_more(updated)


async def test_a_signed_in_person_counts_once_however_often_she_shares(
    platform: Platform,
) -> None:
    diagnosis = await platform.start("diagnosis")
    updated = await platform.tap(DiagnosisTeamUpdated.routing_key)
    campaign = await open_campaign(diagnosis)
    token, url = campaign["token"], campaign["collective_api"]
    headers = diagnosis.auth("operator-1", **OPERATOR)
    stuffer = diagnosis.auth("elu-1", roles=("elected",))

    # Five shared answers from one person: one voice, still under the threshold of 3.
    for seed in range(5):
        answered = await diagnosis.client.post(
            "/v1/responses",
            json=body(seed, campaign_token=token, share_with_team=True),
            headers=stuffer,
        )
        assert answered.status_code == 201, answered.text
    refused = await diagnosis.client.get(url, headers=headers)
    assert refused.status_code == 409 and refused.json()["missing"] == 2
    assert await nothing_more(updated)

    # Two other people make three: her newest answer is the one that counts.
    await respond(diagnosis, token, 11, share_with_team=True)
    await respond(diagnosis, token, 12, share_with_team=True)
    result = await diagnosis.client.get(url, headers=headers)
    assert result.status_code == 200, result.text
    assert result.json()["total"]["respondents"] == 3
    [team] = await drain(updated, 1)
    assert team["response_count"] == 3
    # Her own list still holds all five.
    mine = await diagnosis.client.get("/v1/me/responses", headers=stuffer)
    assert len(mine.json()["responses"]) == 5


async def test_a_trainer_sees_the_results_of_their_own_campaigns_only(platform: Platform) -> None:
    diagnosis = await platform.start("diagnosis")
    trainer = {"roles": ("trainer",)}
    campaign = await open_campaign(diagnosis, "trainer-1", trainer)
    for seed in range(3):
        await respond(diagnosis, campaign["token"], seed, share_with_team=True)
    url = campaign["collective_api"]
    mine = await diagnosis.client.get(url, headers=diagnosis.auth("trainer-1", **trainer))
    assert mine.status_code == 200
    other = await diagnosis.client.get(url, headers=diagnosis.auth("trainer-2", **trainer))
    assert other.status_code == 403
    mayor = diagnosis.auth("maire", roles=("elected",), authority=CLUNY_SIREN)
    assert (await diagnosis.client.get(url, headers=mayor)).status_code == 200
    listed = await diagnosis.client.get("/v1/campaigns", headers=mayor)
    assert [c["id"] for c in listed.json()] == [campaign["id"]]
    assert listed.json()[0]["shared_responses"] == 3
    stranger = diagnosis.auth("maire-crest", roles=("elected",), authority="212601082")
    assert (await diagnosis.client.get("/v1/campaigns", headers=stranger)).json() == []
    # Roles of Cluny that the single read refuses do not get the campaign (and its token)
    # from the list either.
    for role in ("trainer", "hr", "partner"):
        headers = diagnosis.auth(f"{role}-cluny", roles=(role,), authority=CLUNY_SIREN)
        single = await diagnosis.client.get(f"/v1/campaigns/{campaign['id']}", headers=headers)
        assert single.status_code == 403, (role, single.text)
        listed = await diagnosis.client.get("/v1/campaigns", headers=headers)
        assert listed.status_code == 200 and listed.json() == [], role


async def test_an_intercommunality_campaign_pools_small_communes(platform: Platform) -> None:
    diagnosis = await platform.start("diagnosis")
    updated = await platform.tap(DiagnosisTeamUpdated.routing_key)
    campaign = await open_campaign(
        diagnosis, team_kind="intercommunality", collectivite_siren=CLUNISOIS
    )
    assert campaign["team_label"] == "CC du Clunisois"
    assert len(campaign["members"]) == 41
    token = campaign["token"]

    missing = await diagnosis.client.post("/v1/responses", json=body(1, campaign_token=token))
    assert missing.status_code == 422
    assert missing.json()["code"] == "commune_required"
    outsider = await diagnosis.client.post(
        "/v1/responses", json=body(1, campaign_token=token, commune_insee="26108")
    )
    assert outsider.json()["code"] == "not_a_member"

    for seed, insee in enumerate([CLUNY_INSEE] * 3 + [TAIZE_INSEE, LOURNAND_INSEE]):
        await respond(diagnosis, token, seed, commune_insee=insee, share_with_team=True)
    result = await diagnosis.client.get(
        campaign["collective_api"], headers=diagnosis.auth("op", **OPERATOR)
    )
    assert result.status_code == 200, result.text
    view = result.json()
    assert view["kind"] == "intercommunality"
    assert view["total"]["respondents"] == 5
    # Taizé and Lournand (1 each) are too small: pooled with Cluny so nothing is recoverable.
    assert view["communes"] == []
    assert view["pooled_communes"] == sorted([CLUNY_INSEE, TAIZE_INSEE, LOURNAND_INSEE])
    # The relay publishes batches side by side: the updates may arrive in any order.
    events = sorted(await drain(updated, 3), key=lambda e: e["response_count"])
    assert [e["response_count"] for e in events] == [3, 4, 5]
    assert events[-1]["team_kind"] == "intercommunality"
    assert "217105329" in events[-1]["member_sirens"]


async def test_an_expired_campaign_answers_410_and_stores_nothing(platform: Platform) -> None:
    clock = ManualClock(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    diagnosis = await start_at(platform, clock)
    campaign = await open_campaign(diagnosis)
    closed = await diagnosis.client.post(
        f"/v1/campaigns/{campaign['id']}/close", headers=diagnosis.auth("operator-1", **OPERATOR)
    )
    assert closed.status_code == 200 and closed.json()["expired"] is True
    late = await diagnosis.client.post(
        "/v1/responses", json=body(1, campaign_token=campaign["token"])
    )
    assert late.status_code == 410
    assert late.json()["code"] == "campaign_expired"
    assert (
        await diagnosis.client.get(f"/v1/campaigns/by-token/{campaign['token']}")
    ).status_code == 410
    # Only the organiser (or an operator) moves the end; reopening takes answers again.
    later = {"expires_at": (clock.now + timedelta(days=7)).isoformat()}
    url = f"/v1/campaigns/{campaign['id']}"
    mayor = diagnosis.auth("maire", roles=("elected",), authority=CLUNY_SIREN)
    assert (await diagnosis.client.patch(url, json=later, headers=mayor)).status_code == 403
    organiser = diagnosis.auth("operator-1", **OPERATOR)
    too_far = {"expires_at": (clock.now + timedelta(days=367)).isoformat()}
    refused = await diagnosis.client.patch(url, json=too_far, headers=organiser)
    assert refused.json()["code"] == "bad_expiry"
    reopened = await diagnosis.client.patch(url, json=later, headers=organiser)
    assert reopened.status_code == 200 and reopened.json()["expired"] is False
    assert (
        await diagnosis.client.patch(url, json={"expires_at": "demain"}, headers=organiser)
    ).status_code == 422
    await respond(diagnosis, campaign["token"], 2)
    assert await diagnosis.runtime.pool.fetchval("SELECT count(*) FROM responses") == 1
    unknown = await diagnosis.client.post("/v1/responses", json=body(1, campaign_token="x" * 24))
    assert unknown.status_code == 404
    assert await diagnosis.runtime.pool.fetchval("SELECT count(*) FROM responses") == 1


async def test_sharing_without_a_campaign_is_refused(platform: Platform) -> None:
    diagnosis = await platform.start("diagnosis")
    response = await diagnosis.client.post("/v1/responses", json=body(1, share_with_team=True))
    assert response.status_code == 422
    assert response.json()["code"] == "share_without_campaign"


async def test_a_campaign_takes_only_its_questionnaire_version(platform: Platform) -> None:
    diagnosis = await platform.start("diagnosis")
    campaign = await open_campaign(diagnosis)
    wrong = body(1, campaign_token=campaign["token"])
    wrong["questionnaire_version"] = "1999-01-v1"
    response = await diagnosis.client.post("/v1/responses", json=wrong)
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_version"


async def test_concurrent_shared_responses_publish_each_team_size_once(platform: Platform) -> None:
    diagnosis = await platform.start("diagnosis")
    updated = await platform.tap(DiagnosisTeamUpdated.routing_key)
    campaign = await open_campaign(diagnosis)
    await asyncio.gather(
        *(respond(diagnosis, campaign["token"], seed, share_with_team=True) for seed in range(6))
    )
    events = await drain(updated, 4)
    # The campaign row lock orders the responses: no two events see the same team size.
    assert sorted(e["response_count"] for e in events) == [3, 4, 5, 6]


async def test_a_campaign_ends_when_the_services_clock_reaches_its_expiry(
    platform: Platform,
) -> None:
    clock = ManualClock(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    diagnosis = await start_at(platform, clock)
    campaign = await open_campaign(diagnosis)
    assert campaign["created_at"] == "2026-11-26T09:00:00Z"
    assert campaign["expires_at"] == "2026-12-26T09:00:00Z"  # 30 days by default
    await respond(diagnosis, campaign["token"], 1)

    clock.advance(timedelta(days=30))
    late = await diagnosis.client.post(
        "/v1/responses", json=body(2, campaign_token=campaign["token"])
    )
    assert late.status_code == 410, late.text
    assert late.json()["expired_at"] == "2026-12-26T09:00:00+00:00"
    read = await diagnosis.client.get(
        f"/v1/campaigns/{campaign['id']}", headers=diagnosis.auth("operator-1", **OPERATOR)
    )
    assert read.json()["expired"] is True
    assert read.json()["responses"] == 1


async def test_a_new_campaign_counts_only_signed_in_people_and_refuses_anonymous_answers(
    platform: Platform,
) -> None:
    diagnosis = await platform.start("diagnosis")
    response = await diagnosis.client.post(
        "/v1/campaigns",
        json={"team_kind": "municipal_council", "collectivite_siren": CLUNY_SIREN},
        headers=diagnosis.auth("operator-1", **OPERATOR),
    )
    assert response.status_code == 201, response.text
    campaign = response.json()
    token = campaign["token"]
    assert campaign["signed_in_only"] is True, "on unless turned off"
    assert campaign["quiz_page"] == f"/espace/autodiagnostic?campagne={token}"
    public = (await diagnosis.client.get(f"/v1/campaigns/by-token/{token}")).json()
    assert public["signed_in_only"] is True and public["quiz_page"] == campaign["quiz_page"]

    for seed in range(3):
        refused = await diagnosis.client.post(
            "/v1/responses", json=body(seed, campaign_token=token, share_with_team=True)
        )
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        problem = refused.json()
        assert problem["code"] == "signed_in_only"
        assert "personnes connectées" in problem["detail"]
    assert await diagnosis.runtime.pool.fetchval("SELECT count(*) FROM responses") == 0
    # The anonymous link leads to the portal's quiz; a forged form post is refused too.
    link = await diagnosis.client.get(f"/c/{token}", follow_redirects=False)
    assert link.status_code == 303 and link.headers["location"] == campaign["quiz_page"]
    posted = await diagnosis.client.post(f"/c/{token}", data={"page": "0"})
    assert posted.status_code == 403 and "personnes connectées" in posted.text

    for n in range(3):
        signed = await diagnosis.client.post(
            "/v1/responses",
            json=body(n, campaign_token=token, share_with_team=True),
            headers=diagnosis.auth(f"elu-{n}", roles=("elected",)),
        )
        assert signed.status_code == 201, signed.text
    collective = await diagnosis.client.get(
        f"/v1/campaigns/{campaign['id']}/collective",
        headers=diagnosis.auth("operator-1", **OPERATOR),
    )
    assert collective.status_code == 200, collective.text
    assert collective.json()["signed_in_only"] is True
    page = await diagnosis.client.get(f"/c/{token}/collectif")
    assert "ne compte que des réponses de personnes connectées" in page.text


async def test_a_campaign_may_still_take_anonymous_answers_when_asked(
    platform: Platform,
) -> None:
    diagnosis = await platform.start("diagnosis")
    campaign = await open_campaign(diagnosis)
    assert campaign["signed_in_only"] is False
    assert campaign["quiz_page"] == f"/c/{campaign['token']}"
    await respond(diagnosis, campaign["token"], 1, share_with_team=True)
    page = await diagnosis.client.get(f"/c/{campaign['token']}/collectif")
    assert "compte aussi des réponses anonymes" in page.text
