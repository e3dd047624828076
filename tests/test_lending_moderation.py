"""Operators moderate lending's offers and requests over its HTTP API, on the real
PostgreSQL and RabbitMQ: a hidden offer leaves the lists and leads to no loan, its lender
still sees it with the reason, and the events leave through the outbox."""

from typing import Any

import httpx
import pytest
from authorization_walk_support import fingerprint
from platform_harness import Platform
from test_lending_support import (
    AOUSTE,
    CREST,
    PERIOD,
    Actors,
    created,
    ok,
    publish_offer,
    request_body,
    take,
)

pytestmark = pytest.mark.integration

MODERATION = "/v1/operations/moderation"
REASON = "Publicité pour un prestataire privé"
LOAN = {
    "half_days": 2,
    "period": PERIOD,
    "scope": "Deux demi-journées pour former l'équipe de la cantine au bio local.",
    "accept": True,
}


async def test_a_hidden_offer_leaves_the_lists_and_leads_to_no_loan(platform: Platform) -> None:
    lending = await platform.start("lending")
    actors = Actors(lending)
    operator = actors.of(None, "operator")
    hidden_tap = await platform.tap("content.hidden.v1")
    shown_tap = await platform.tap("content.shown.v1")
    offer = await publish_offer(lending, CREST)

    queue = ok_list(await lending.client.get(f"{MODERATION}/offers", headers=operator))
    assert [(q["content_id"], q["kind"]) for q in queue] == [(offer["id"], "offer")]
    assert queue[0]["collectivite"]["siren"] == CREST and queue[0]["hidden_reason"] is None
    hidden = ok(
        await lending.client.post(
            f"{MODERATION}/offers/{offer['id']}/hide", json={"reason": REASON}, headers=operator
        )
    )

    assert hidden["hidden_reason"] == REASON
    [told] = await take(hidden_tap, 1)
    assert (told["content_id"], told["kind"]) == (offer["id"], "offer")
    assert (told["collectivite_siren"], told["reason"]) == (CREST, REASON)
    assert ok_list(await lending.client.get("/v1/offers", headers=actors.borrower())) == []
    missing = await lending.client.get(f"/v1/offers/{offer['id']}", headers=actors.borrower())
    assert missing.status_code == 404
    refused = await lending.client.post(
        "/v1/loans", json={"offer_id": offer["id"], **LOAN}, headers=actors.borrower()
    )
    assert refused.status_code == 409 and "masquée" in refused.json()["detail"]
    # Its lender's people still see it, marked hidden with the reason.
    mine = ok_list(
        await lending.client.get(
            "/v1/offers",
            params={"collectivite": CREST, "include_closed": "true"},
            headers=actors.of(CREST, "agent"),
        )
    )
    assert [(o["id"], o["hidden_reason"]) for o in mine] == [(offer["id"], REASON)]

    shown = ok(
        await lending.client.post(f"{MODERATION}/offers/{offer['id']}/show", headers=operator)
    )
    assert shown["hidden_reason"] is None
    [back] = await take(shown_tap, 1)
    assert (back["content_id"], back["kind"]) == (offer["id"], "offer")
    listed = ok_list(await lending.client.get("/v1/offers", headers=actors.borrower()))
    assert [o["id"] for o in listed] == [offer["id"]]
    created(
        await lending.client.post(
            "/v1/loans", json={"offer_id": offer["id"], **LOAN}, headers=actors.borrower()
        )
    )


async def test_only_operators_moderate_and_bad_input_changes_nothing(platform: Platform) -> None:
    lending = await platform.start("lending")
    actors = Actors(lending)
    offer = await publish_offer(lending, CREST)
    request = created(
        await lending.client.post("/v1/requests", json=request_body(), headers=actors.borrower())
    )
    targets = [f"{MODERATION}/offers/{offer['id']}", f"{MODERATION}/requests/{request['id']}"]
    before = await fingerprint(lending.runtime)

    for headers in (actors.lender_hr(), actors.lender_elected(), actors.of(AOUSTE, "hr")):
        for target in targets:
            for action, body in (("hide", {"reason": REASON}), ("show", None)):
                answer = await lending.client.post(f"{target}/{action}", json=body, headers=headers)
                assert answer.status_code == 403, answer.text
        listed = await lending.client.get(f"{MODERATION}/offers", headers=headers)
        assert listed.status_code == 403
    operator = actors.of(CREST, "operator")
    for reason in ("", "  ", "x" * 301):
        bad = await lending.client.post(
            f"{targets[0]}/hide", json={"reason": reason}, headers=operator
        )
        assert bad.status_code == 422, bad.text
    not_hidden = await lending.client.post(f"{targets[1]}/show", headers=operator)
    assert not_hidden.status_code == 409

    assert await fingerprint(lending.runtime) == before


def ok_list(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found
