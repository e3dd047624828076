"""What lending reads from the broker: need↔offer proposals from matching (shown to the
borrower, who turns one into a loan) and erasure requests."""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from platform_harness import Platform, RunningService
from test_lending_support import (
    AOUSTE,
    CREST,
    MIRABEL,
    Actors,
    agreed_loan,
    created,
    publish_event,
    publish_offer,
    request_body,
    take,
)

from deformations_contracts.events.matching import (
    MatchProposed,
    OfferParty,
    ProposalKind,
    RequestParty,
)
from deformations_contracts.events.people import PersonErasureRequested
from deformations_devtools.testing import wait_until

pytestmark = pytest.mark.integration


def proposal(offer_id: UUID, *requests: tuple[UUID, str], **changes: Any) -> MatchProposed:
    return MatchProposed(
        proposal_id=uuid4(),
        kind=ProposalKind.NEED_OFFER if len(requests) == 1 else ProposalKind.GROUPED_OFFER,
        score=0.82,
        reasons=["Même intercommunalité", "Même thème : alimentation"],
        theme="alimentation",
        offer=OfferParty(offer_id=offer_id, collectivite_siren=CREST),
        requests=[RequestParty(request_id=r, collectivite_siren=s) for r, s in requests],
        proposed_at=datetime(2027, 3, 1, 7, 0, tzinfo=UTC),
        **changes,
    )


async def proposals_of(lending: RunningService, siren: str) -> list[dict[str, Any]]:
    response = await lending.client.get(
        "/v1/proposals", headers=Actors(lending).of(siren, "elected")
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


async def shown(lending: RunningService, siren: str, count: int) -> list[dict[str, Any]]:
    async def arrived() -> bool:
        return len(await proposals_of(lending, siren)) >= count

    await wait_until(arrived, what=f"{count} proposal(s) for {siren}")
    return await proposals_of(lending, siren)


async def test_a_proposal_becomes_a_loan_the_borrower_accepted(platform: Platform) -> None:
    lending = await platform.start("lending")
    actors = Actors(lending)
    offer = await publish_offer(lending)
    request = created(
        await lending.client.post("/v1/requests", json=request_body(), headers=actors.borrower())
    )
    event = proposal(UUID(offer["id"]), (UUID(request["id"]), AOUSTE))
    await publish_event(platform, event, "matching")
    await publish_event(platform, event, "matching")  # a second delivery, another ce-id

    [shown_once] = await shown(lending, AOUSTE, 1)
    assert shown_once["lender"]["name"] == "Crest"
    assert shown_once["reasons"] == ["Même intercommunalité", "Même thème : alimentation"]
    assert shown_once["loan_id"] is None
    assert await proposals_of(lending, CREST) == []  # shown to the borrower only

    url = f"/v1/proposals/{event.proposal_id}/loans"
    loan = created(
        await lending.client.post(
            url, json={"request_id": request["id"]}, headers=actors.borrower()
        )
    )
    assert loan["status"] == "accepted"
    assert loan["proposal_id"] == str(event.proposal_id)
    assert loan["request_id"] == request["id"]
    assert loan["half_days"] == 2  # what the request asked for
    assert loan["period"]["start"] == "2027-03-01"
    again = await lending.client.post(
        url, json={"request_id": request["id"]}, headers=actors.borrower()
    )
    assert again.status_code == 409
    assert again.json()["code"] == "already_exists"
    [linked] = await proposals_of(lending, AOUSTE)
    assert linked["loan_id"] == loan["id"]
    # Only the borrower turns its proposal into a loan.
    stranger = await lending.client.post(
        url, json={"request_id": request["id"]}, headers=actors.of(MIRABEL, "elected")
    )
    assert stranger.status_code == 403


async def test_proposals_about_unknown_offers_wait_and_other_kinds_are_ignored(
    platform: Platform,
) -> None:
    lending = await platform.start("lending")
    actors = Actors(lending)
    unknown_offer, first, second = uuid4(), uuid4(), uuid4()
    grouped = proposal(unknown_offer, (first, AOUSTE), (second, MIRABEL))
    peer_group = MatchProposed(
        proposal_id=uuid4(),
        kind=ProposalKind.PEER_GROUP,
        score=0.5,
        reasons=["Mêmes priorités"],
        members=["p-1", "p-2", "p-3"],
        proposed_at=datetime(2027, 3, 1, 7, 0, tzinfo=UTC),
    )
    await publish_event(platform, peer_group, "matching")
    await publish_event(platform, grouped, "matching")

    [for_aouste] = await shown(lending, AOUSTE, 1)
    [for_mirabel] = await shown(lending, MIRABEL, 1)
    assert for_aouste["request_id"] == str(first)
    assert for_mirabel["request_id"] == str(second)
    assert for_aouste["kind"] == "grouped_offer"
    stored = await lending.runtime.pool.fetchval("SELECT count(*) FROM proposals")
    assert stored == 2  # the peer group is not a loan

    early = await lending.client.post(
        f"/v1/proposals/{grouped.proposal_id}/loans",
        json={"request_id": str(first)},
        headers=actors.borrower(),
    )
    assert early.status_code == 409
    assert early.json()["code"] == "proposal_incomplete"

    expired = proposal(uuid4(), (uuid4(), AOUSTE), expires_at=datetime(2027, 2, 1, tzinfo=UTC))
    await publish_event(platform, expired, "matching")
    await shown(lending, AOUSTE, 2)
    late = await lending.client.post(
        f"/v1/proposals/{expired.proposal_id}/loans",
        json={"request_id": str(expired.requests[0].request_id)},
        headers=actors.borrower(),
    )
    assert late.status_code == 409
    assert late.json()["code"] == "proposal_expired"


async def test_an_erased_person_disappears_from_loans_and_later_events(platform: Platform) -> None:
    lending = await platform.start("lending")
    actors = Actors(lending)
    loan = await agreed_loan(lending, agent="agent-a-effacer")
    pool = lending.runtime.pool
    assert await pool.fetchval("SELECT agent_person_id FROM loans") == "agent-a-effacer"

    await publish_event(
        platform,
        PersonErasureRequested(person_id="agent-a-effacer", requested_at=datetime.now(UTC)),
        "portal",
    )
    await publish_event(  # someone never seen: nothing to do, nothing fails
        platform,
        PersonErasureRequested(person_id="inconnu", requested_at=datetime.now(UTC)),
        "portal",
    )

    async def both_handled() -> bool:
        handled = await pool.fetchval(
            "SELECT count(*) FROM inbox WHERE subscription LIKE '%person.erasure_requested.v1'"
        )
        return bool(handled == 2)

    await wait_until(both_handled, what="both erasure requests handled")
    assert await pool.fetchval("SELECT agent_person_id FROM loans") is None
    assert await pool.fetchval("SELECT accepted_by FROM loans") is not None
    tap = await platform.tap("session.scheduled.v1")
    created(
        await lending.client.post(
            f"/v1/loans/{loan['id']}/sessions",
            json={"day": "2027-03-02", "part": "am"},
            headers=actors.borrower(),
        )
    )
    [scheduled] = await take(tap, 1)
    assert "agent-a-effacer" not in scheduled["participants"]
    assert scheduled["participants"]
