"""Matching through events on the real broker: read models, incremental proposals,
out-of-order and unknown things, erasure, the global re-match."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from platform_harness import Platform
from test_matching_api import membership_of
from test_matching_helpers import (
    AOUSTE,
    CREST,
    EPCI,
    MIRABEL,
    PIEGROS,
    SAILLANS,
    diagnosed,
    drain,
    offered,
    publish,
    requested,
)

from deformations_contracts.events.lending import OfferWithdrawn, RequestWithdrawn
from deformations_contracts.events.people import PersonErasureRequested
from deformations_contracts.registry import examples
from deformations_devtools.testing import wait_until
from deformations_matching.service.rematch import REMATCH_LOCK
from deformations_matching.subscribers import handlers

pytestmark = pytest.mark.integration


async def count(platform: Platform, sql: str, *args: object) -> int:
    value: int = await platform.services["matching"].runtime.pool.fetchval(sql, *args)
    return value


async def test_a_new_request_gets_explained_proposals_at_once(platform: Platform) -> None:
    matching = await platform.start("matching")
    tap = await platform.tap("match.proposed.v1")
    near, far = offered(CREST), offered(("32208", "213202088"))  # Crest (same EPCI), Lectoure
    off_theme = offered(AOUSTE, theme="mobilite", description="Un agent anime le covoiturage.")
    for offer in (near, far, off_theme):
        await publish(platform, offer)

    async def offers_stored() -> bool:
        return await count(platform, "SELECT count(*) FROM offers") == 3

    await wait_until(offers_stored, what="the offers in the read model")
    request = requested(SAILLANS)
    cause = await publish(platform, request)

    headers: list[dict[str, object]] = []
    proposals = await drain(tap, "match.proposed.v1", 2, headers=headers)
    # CloudEvents from matching, caused by the request's event.
    for sent in headers:
        assert sent["ce-source"] == "matching"
        assert sent["ce-type"] == "fr.deformations.match.proposed.v1"
        assert sent["ce-causationid"] == str(cause)
    assert {p["kind"] for p in proposals} == {"need_offer"}
    assert {p["requests"][0]["request_id"] for p in proposals} == {str(request.request_id)}
    by_offer = {p["offer"]["offer_id"]: p for p in proposals}
    assert set(by_offer) == {str(near.offer_id), str(far.offer_id)}  # never off-theme
    best, other = by_offer[str(near.offer_id)], by_offer[str(far.offer_id)]
    assert best["score"] > other["score"]  # "hypers voisins": same EPCI first
    assert any("intercommunalité" in r or "EPCI" in r for r in best["reasons"]), best["reasons"]
    assert all(0 <= p["score"] <= 1 for p in proposals)

    listed = await matching.client.get(
        "/v1/proposals",
        params={"request_id": str(request.request_id)},
        headers=matching.auth("agent-saillans", authority=SAILLANS[1], roles=("agent",)),
    )
    assert listed.status_code == 200
    assert {p["proposal_id"] for p in listed.json()} == {p["proposal_id"] for p in proposals}
    stranger = await matching.client.get(
        "/v1/proposals", headers=matching.auth("x", authority="213202088")
    )
    assert [p for p in stranger.json() if p["kind"] == "need_offer"] == [
        by_offer[str(far.offer_id)]
    ]


async def test_withdrawals_before_their_offer_or_request_leave_a_tombstone(
    platform: Platform,
) -> None:
    await platform.start("matching")
    tap = await platform.tap("match.proposed.v1")
    gone, kept = offered(CREST), offered(MIRABEL)
    now = datetime.now(UTC)
    # The withdrawal overtakes the offer; the offer then arrives and stays withdrawn.
    await publish(
        platform,
        OfferWithdrawn(offer_id=gone.offer_id, collectivite_siren=CREST[1], withdrawn_at=now),
    )
    for offer in (gone, kept):
        await publish(platform, offer)
    cancelled = requested(SAILLANS)
    await publish(
        platform,
        RequestWithdrawn(
            request_id=cancelled.request_id, collectivite_siren=SAILLANS[1], withdrawn_at=now
        ),
    )

    async def read() -> bool:
        return (
            await count(platform, "SELECT count(*) FROM offers WHERE description IS NOT NULL") == 2
            and await count(platform, "SELECT count(*) FROM requests") == 1
        )

    await wait_until(read, what="the tombstones and the offers")
    await publish(platform, cancelled)  # withdrawn already: no proposal
    live = requested(PIEGROS)
    await publish(platform, live)
    [proposal] = await drain(tap, "match.proposed.v1", 1)
    assert proposal["requests"][0]["request_id"] == str(live.request_id)
    assert proposal["offer"]["offer_id"] == str(kept.offer_id)
    assert await count(platform, "SELECT count(*) FROM offers WHERE status = 'withdrawn'") == 1
    assert (
        await count(
            platform,
            "SELECT count(*) FROM proposals WHERE $1 = ANY(request_ids)",
            cancelled.request_id,
        )
        == 0
    )


async def test_a_request_about_an_unknown_place_is_stored_without_proposal(
    platform: Platform,
) -> None:
    await platform.start("matching")
    await publish(platform, offered(CREST))
    odd = requested(SAILLANS).model_copy(
        update={
            "collectivite": requested().collectivite.model_copy(
                update={"siren": "999999999", "insee_code": "99999", "epci_siren": None}
            )
        }
    )
    await publish(platform, odd)

    async def stored() -> bool:
        return await count(platform, "SELECT count(*) FROM requests") == 1

    await wait_until(stored, what="the request about an unknown commune")
    assert await count(platform, "SELECT count(*) FROM proposals") == 0


async def test_erasure_removes_the_person_everywhere(platform: Platform) -> None:
    matching = await platform.start("matching")
    person = f"elu-{uuid4().hex[:8]}"
    for diagnosis in (diagnosed(person), diagnosed("other", SAILLANS)):
        await publish(platform, diagnosis)
        await publish(platform, membership_of(diagnosis))  # a member: so it may be invited

    async def known() -> bool:
        return (
            await count(platform, "SELECT count(*) FROM diagnoses WHERE person_id = $1", person)
            == 1
            and await count(platform, "SELECT count(*) FROM diagnoses") == 2
            and await count(platform, "SELECT count(*) FROM memberships") == 2
        )

    await wait_until(known, what="the diagnosis")
    call = await matching.client.post(
        "/v1/peer-calls",
        json={"theme": "alimentation", "problem": "Je suis seul face à la cantine bio."},
        headers=matching.auth(person, roles=("elected",)),
    )
    assert call.status_code == 201, call.text
    trainer = matching.auth("formateur", roles=("trainer",))
    plan = await matching.client.post(
        "/v1/speed-datings",
        json={
            "epci_siren": EPCI,
            "starts_at": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
            "rounds": 1,
            "remote": True,
            "participants": [
                {"person_id": person, "commune_insee": CREST[0]},
                {"person_id": "other", "commune_insee": SAILLANS[0]},
            ],
        },
        headers=trainer,
    )
    assert plan.status_code == 201, plan.text
    await publish(
        platform,
        PersonErasureRequested(person_id=person, requested_at=datetime.now(UTC)),
        source="portal",
    )

    async def erased() -> bool:
        return await count(platform, "SELECT count(*) FROM peer_calls") == 0

    await wait_until(erased, what="the erasure")
    assert await count(platform, "SELECT count(*) FROM diagnoses WHERE person_id = $1", person) == 0
    assert (
        await count(platform, "SELECT count(*) FROM memberships WHERE person_id = $1", person) == 0
    )
    # Kept, anonymous, for statistics.
    assert await count(platform, "SELECT count(*) FROM diagnoses WHERE person_id IS NULL") == 1
    stored = await matching.client.get(
        f"/v1/speed-datings/{plan.json()['gathering_id']}", headers=trainer
    )
    assert person not in stored.text and "personne-effacee" in stored.text
    for table in ("proposals", "sessions"):
        column = "members" if table == "proposals" else "participants"
        assert (
            await count(platform, f"SELECT count(*) FROM {table} WHERE $1 = ANY({column})", person)
            == 0
        )
    assert (
        await count(
            platform,
            "SELECT count(*) FROM proposals WHERE payload::text LIKE '%' || $1 || '%'",
            person,
        )
        == 0
    )


async def test_the_global_rematch_groups_near_duplicate_needs_and_serves_everyone(
    platform: Platform,
) -> None:
    matching = await platform.start("matching", rematch_interval_s=0)
    tap = await platform.tap("match.proposed.v1")
    await publish(platform, offered(CREST, capacity=10))

    async def offer_stored() -> bool:
        return await count(platform, "SELECT count(*) FROM offers") == 1

    # Queues are consumed side by side: a request before its offer waits for the re-match.
    await wait_until(offer_stored, what="the offer")
    need = "Introduire des produits bio et locaux à la cantine scolaire de la commune."
    asks = [requested(c, need=need) for c in (SAILLANS, AOUSTE, MIRABEL)]
    for ask in asks:
        await publish(platform, ask)

    async def proposed() -> bool:
        return await count(platform, "SELECT count(*) FROM proposals") == 3

    await wait_until(proposed, what="the incremental proposals")
    assert {p["kind"] for p in await drain(tap, "match.proposed.v1", 3)} == {"need_offer"}
    denied = await matching.client.post(
        "/v1/operator/rematch", headers=matching.auth("elu", roles=("elected",))
    )
    assert denied.status_code == 403
    ran = await matching.client.post(
        "/v1/operator/rematch", headers=matching.auth("ops", roles=("operator",))
    )
    assert ran.status_code == 200, ran.text
    summary = ran.json()
    assert summary["ran"] and summary["requests"] == 3 and summary["unserved"] == 0
    assert summary["emitted"] == 0  # the same pairs were already proposed one by one
    assert summary["grouped"] == 1
    [grouped] = await drain(tap, "match.proposed.v1", 1)
    assert grouped["kind"] == "grouped_offer"
    assert {r["request_id"] for r in grouped["requests"]} == {str(a.request_id) for a in asks}
    assert any("offre groupée" in r for r in grouped["reasons"])
    again = await matching.client.post(
        "/v1/operator/rematch", headers=matching.auth("ops", roles=("operator",))
    )
    assert again.json()["grouped"] == 0  # proposed once


async def test_every_producer_example_is_read_into_the_read_models(platform: Platform) -> None:
    await platform.start("matching")
    for routing_key, registration in handlers.registrations.items():
        for payload in examples(routing_key):
            await publish(platform, registration.model.model_validate(payload))

    async def all_read() -> bool:
        return (
            await count(platform, "SELECT count(*) FROM offers") == 2
            and await count(platform, "SELECT count(*) FROM diagnoses") == 2
            and await count(platform, "SELECT count(*) FROM loans") >= 2
            and await count(platform, "SELECT count(*) FROM requests WHERE need IS NOT NULL") == 2
        )

    await wait_until(all_read, what="every example in the read models")
    # The examples withdraw both example offers, whichever came first: nothing to propose.
    assert await count(platform, "SELECT count(*) FROM offers WHERE status = 'open'") == 0
    assert await count(platform, "SELECT count(*) FROM proposals") == 0


async def test_one_replica_at_a_time_runs_the_rematch(platform: Platform) -> None:
    matching = await platform.start("matching", rematch_interval_s=0)
    operator = matching.auth("ops", roles=("operator",))
    async with matching.runtime.transaction() as conn:
        await conn.execute("SELECT pg_advisory_xact_lock($1)", REMATCH_LOCK)  # another replica
        busy = await matching.client.post("/v1/operator/rematch", headers=operator)
    assert busy.json()["ran"] is False
    assert (await matching.client.post("/v1/operator/rematch", headers=operator)).json()["ran"]


async def test_who_was_left_unserved_is_served_next_round(platform: Platform) -> None:
    matching = await platform.start("matching", rematch_interval_s=0)
    await publish(platform, offered(CREST, capacity=2))
    first, second = requested(SAILLANS, half_days=2), requested(AOUSTE, half_days=2)
    for ask in (first, second):
        await publish(platform, ask)

    async def stored() -> bool:
        return await count(platform, "SELECT count(*) FROM requests") == 2 and (
            await count(platform, "SELECT count(*) FROM offers") == 1
        )

    await wait_until(stored, what="the offer and both requests")
    operator = matching.auth("ops", roles=("operator",))
    left_out = []
    for _ in range(3):
        ran = (await matching.client.post("/v1/operator/rematch", headers=operator)).json()
        assert ran["unserved"] == 1  # one offer of two half-days for two requests of two
        left_out.append(
            await platform.services["matching"].runtime.pool.fetchval(
                "SELECT unserved_ids[1] FROM rematch_rounds WHERE round_id = $1",
                UUID(ran["round_id"]),
            )
        )
    assert left_out[0] != left_out[1] and left_out[1] != left_out[2]


async def test_the_rematch_runs_periodically(platform: Platform) -> None:
    await platform.start("matching", rematch_interval_s=0.2)

    async def ran() -> bool:
        return await count(platform, "SELECT count(*) FROM rematch_rounds") >= 2

    await wait_until(ran, what="two periodic rounds")


async def test_statistics_count_anonymous_diagnoses_and_hide_small_groups(
    platform: Platform,
) -> None:
    matching = await platform.start("matching")
    events = [diagnosed(f"p{i}", themes=("alimentation", "eau")) for i in range(3)]
    events[0] = events[0].model_copy(update={"person_id": None})
    events.append(diagnosed("p9", themes=("mobilite",)))
    for event in events:
        await publish(platform, event)

    async def stored() -> bool:
        return await count(platform, "SELECT count(*) FROM diagnoses") == 4

    await wait_until(stored, what="the diagnoses")
    shown = await matching.client.get(
        "/v1/statistics/themes", params={"departement": "26"}, headers=matching.auth("x")
    )
    assert [(t["theme"], t["diagnoses"]) for t in shown.json()] == [
        ("alimentation", 3),
        ("eau", 3),
    ]
    elsewhere = await matching.client.get(
        "/v1/statistics/themes", params={"departement": "32"}, headers=matching.auth("x")
    )
    assert elsewhere.json() == []


async def test_a_request_sent_twice_is_proposed_once(platform: Platform) -> None:
    await platform.start("matching")
    tap = await platform.tap("match.proposed.v1")
    await publish(platform, offered(CREST))

    async def offer_stored() -> bool:
        return await count(platform, "SELECT count(*) FROM offers") == 1

    await wait_until(offer_stored, what="the offer")
    request = requested(SAILLANS)
    await publish(platform, request)
    await drain(tap, "match.proposed.v1", 1)
    await publish(platform, request)  # another ce-id: not an inbox duplicate
    marker = requested(AOUSTE)
    await publish(platform, marker)

    async def all_handled() -> bool:
        handled = "SELECT count(*) FROM inbox WHERE subscription LIKE '%skill.requested.v1'"
        return await count(platform, handled) == 3

    await wait_until(all_handled, what="the three requests handled")
    [after] = await drain(tap, "match.proposed.v1", 1)
    assert after["requests"][0]["request_id"] == str(marker.request_id)
    assert await count(platform, "SELECT count(*) FROM proposals") == 2

    async def all_published() -> bool:
        return await count(platform, "SELECT count(*) FROM outbox") == 0

    await wait_until(all_published, what="the outbox to empty")
    assert await tap.get(fail=False) is None  # and the repeat published nothing
