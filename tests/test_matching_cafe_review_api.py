"""The café cycle's three-month review over HTTP: closed before three months (409, French),
answered again replaces, problem+json on bad input, and the shared view counts only the
shared answers, from three of them."""

from datetime import UTC, date, datetime, timedelta

import pytest
from platform_harness import Platform, RunningService
from test_matching_api import cafe_body, with_diagnoses
from test_matching_helpers import CREST, diagnosed, publish

from deformations_common.service import create_app
from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.events.people import PersonErasureRequested
from deformations_devtools.testing import running, wait_until

pytestmark = pytest.mark.integration

SCORES = ("comprehension", "rituel", "roles", "projets")


def answers(score: int, **more: object) -> dict[str, object]:
    return {"scores": dict.fromkeys(SCORES, score), **more}


async def test_the_review_of_a_cafe_cycle(platform: Platform) -> None:
    clock = ManualClock(datetime(2031, 5, 4, 6, 0, tzinfo=UTC))
    definition = platform.definition("matching")
    definition.clock = clock
    app = create_app(definition)
    client = await platform.stack.enter_async_context(running(app))
    service = RunningService("matching", app, client, definition.settings)
    platform.services["matching"] = service
    hr = service.auth("rh-crest", authority=CREST[1], roles=("hr",))
    people = [
        ("elu-a", "elu", ["energie"]),
        ("elu-b", "elu", ["mobilite"]),
        ("tech-a", "technicien", ["energie"]),
        ("tech-b", "technicien", ["mobilite"]),
    ]
    await with_diagnoses(platform, {p: diagnosed(p) for p, _, _ in people})
    planned = await client.post("/v1/cafes", json=cafe_body(date(2031, 5, 12), people), headers=hr)
    assert planned.status_code == 201, planned.text
    cycle = planned.json()["cycle_id"]

    def as_(person: str) -> dict[str, str]:
        return service.auth(person, authority=CREST[1], roles=("agent",))

    mine = f"/v1/cafes/{cycle}/review/mine"
    early = await client.put(mine, json=answers(4, shared=True), headers=as_("elu-a"))
    assert early.status_code == 409 and early.json()["code"] == "review_not_open"
    assert early.headers["content-type"].startswith("application/problem+json")
    assert "12 août 2031" in early.json()["detail"]
    clock.advance(timedelta(days=100))
    bad = await client.put(mine, json=answers(7), headers=as_("elu-a"))
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    stranger = await client.put(mine, json=answers(3), headers=hr)
    assert stranger.status_code == 403

    put = await client.put(mine, json=answers(1, free_text="Privé"), headers=as_("elu-a"))
    assert put.status_code == 200, put.text
    replaced = await client.put(
        mine,
        json=answers(5, free_text="Des clés communes", shared=True, share_text=True),
        headers=as_("elu-a"),
    )
    assert replaced.json()["scores"]["roles"] == 5
    own = (await client.get(mine, headers=as_("elu-a"))).json()
    assert own["open"] and own["mine"]["free_text"] == "Des clés communes"
    assert (await client.get(mine, headers=as_("tech-a"))).json()["mine"] is None
    await client.put(mine, json=answers(4, shared=True), headers=as_("tech-a"))
    await client.put(
        mine, json=answers(2, free_text="Jamais montré", share_text=True), headers=as_("elu-b")
    )
    shared = (await client.get(f"/v1/cafes/{cycle}/review", headers=hr)).json()
    assert shared["shared"] == 2 and all(q["counts"] is None for q in shared["questions"])
    assert shared["texts"] == ["Des clés communes"]
    await client.put(mine, json=answers(4, shared=True), headers=as_("tech-b"))
    shared = (await client.get(f"/v1/cafes/{cycle}/review", headers=hr)).json()
    assert shared["shared"] == 3
    roles = next(q for q in shared["questions"] if q["code"] == "roles")
    assert roles["counts"] == {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1}
    assert "Jamais montré" not in str(shared)
    pool = service.runtime.pool
    assert await pool.fetchval("SELECT count(*) FROM cafe_reviews") == 4  # the first one replaced

    # An erased person's answers go, shared ones included.
    await publish(
        platform,
        PersonErasureRequested(person_id="elu-a", requested_at=clock.now),
        source="portal",
    )

    async def erased() -> bool:
        return await pool.fetchval("SELECT count(*) FROM cafe_reviews") == 3

    await wait_until(erased, what="the erasure of the answers")
    shared = (await client.get(f"/v1/cafes/{cycle}/review", headers=hr)).json()
    assert shared["shared"] == 2 and shared["texts"] == []
