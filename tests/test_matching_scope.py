"""One platform per Région, on the real broker: an Île-de-France matching never proposes a
Drôme offer, neither at once nor in the global re-match, unless it welcomes elsewhere; its
groupes d'entraide and its statistics keep to the Région too."""

from pathlib import Path
from typing import TypeVar

import pytest
from platform_harness import Platform, RunningService
from test_matching_helpers import CREST, diagnosed, offered, publish, requested

from deformations_common.geography import load_geography
from deformations_contracts.events.lending import SkillOffered, SkillRequested
from deformations_contracts.values import CollectiviteRef
from deformations_devtools.portal.platforms import ILE_DE_FRANCE
from deformations_devtools.testing import wait_until

pytestmark = pytest.mark.integration

PARIS = ("75056", "217500016")
SAINT_DENIS = ("93066", "929939411")
MELUN = ("77288", "217702885")
SAILLANS = ("26289", "938438454")
IDF_MORE = (("78646", "217806462"), ("91228", "200083525"))  # Versailles, Évry-Courcouronnes
Event = TypeVar("Event", SkillOffered, SkillRequested)


def at(event: Event, commune: tuple[str, str]) -> Event:
    """The event, from this commune (and its own EPCI)."""
    epci = load_geography().commune(commune[0]).epci_siren
    where = CollectiviteRef(siren=commune[1], insee_code=commune[0], epci_siren=epci)
    return event.model_copy(update={"collectivite": where})


async def count(matching: RunningService, sql: str, *args: object) -> int:
    value: int = await matching.runtime.pool.fetchval(sql, *args)
    return value


async def offers_then_requests(
    platform: Platform,
    matching: RunningService,
    offers: list[SkillOffered],
    requests: list[SkillRequested],
) -> None:
    for offer in offers:
        await publish(platform, offer)

    async def offers_stored() -> bool:
        return await count(matching, "SELECT count(*) FROM offers") == len(offers)

    await wait_until(offers_stored, what="the offers in the read model")
    for request in requests:
        await publish(platform, request)

    async def requests_stored() -> bool:
        return await count(matching, "SELECT count(*) FROM requests WHERE need IS NOT NULL") == len(
            requests
        )

    await wait_until(requests_stored, what="the requests in the read model")
    ran = await matching.client.post(
        "/v1/operator/rematch", headers=matching.auth("ops", roles=("operator",))
    )
    assert ran.status_code == 200 and ran.json()["ran"], ran.text


async def test_an_ile_de_france_platform_never_proposes_a_drome_offer(
    platform: Platform,
) -> None:
    matching = await platform.start(
        "matching", platform_file=str(ILE_DE_FRANCE), rematch_interval_s=0
    )
    drome, saint_denis = at(offered(), CREST), at(offered(), SAINT_DENIS)
    paris, melun, saillans = (at(requested(), c) for c in (PARIS, MELUN, SAILLANS))
    await offers_then_requests(platform, matching, [drome, saint_denis], [paris, melun, saillans])

    async def both_served() -> bool:
        return await count(matching, "SELECT count(*) FROM proposals") >= 2

    await wait_until(both_served, what="the Île-de-France needs served")
    rows = await matching.runtime.pool.fetch("SELECT offer_id, sirens FROM proposals")
    assert {r["offer_id"] for r in rows} == {saint_denis.offer_id}
    proposed_to = {s for r in rows for s in r["sirens"]}
    assert CREST[1] not in proposed_to and SAILLANS[1] not in proposed_to
    assert {PARIS[1], MELUN[1]} <= proposed_to


async def test_it_proposes_one_when_the_platform_welcomes_elsewhere(
    platform: Platform, tmp_path: Path
) -> None:
    welcoming = tmp_path / "idf-ouverte.toml"
    welcoming.write_text('region = "11"\noutside_allowed = true\n', encoding="utf-8")
    matching = await platform.start("matching", platform_file=str(welcoming), rematch_interval_s=0)
    drome = at(offered(), CREST)
    await offers_then_requests(platform, matching, [drome], [at(requested(), PARIS)])

    async def proposed() -> bool:
        return await count(matching, "SELECT count(*) FROM proposals") >= 1

    await wait_until(proposed, what="the Drôme offer proposed to Paris")
    offers = await matching.runtime.pool.fetch("SELECT DISTINCT offer_id FROM proposals")
    assert [r["offer_id"] for r in offers] == [drome.offer_id]


async def test_groups_and_theme_statistics_keep_to_the_region(platform: Platform) -> None:
    matching = await platform.start("matching", platform_file=str(ILE_DE_FRANCE))
    franciliens = {f"idf-{i}": c for i, c in enumerate((PARIS, SAINT_DENIS, MELUN, *IDF_MORE))}
    drome = {f"drome-{i}": c for i, c in enumerate((CREST, SAILLANS, CREST))}
    for person, commune in {**franciliens, **drome}.items():
        await publish(platform, diagnosed(person, commune))

    async def stored() -> bool:
        return await count(matching, "SELECT count(*) FROM diagnoses") == 8

    await wait_until(stored, what="the diagnoses")
    themes = await matching.client.get("/v1/statistics/themes", headers=matching.auth("x"))
    assert [(t["theme"], t["diagnoses"]) for t in themes.json()] == [("alimentation", 5)]
    elected = {"roles": ("elected",)}
    caller = "idf-0"
    call = await matching.client.post(
        "/v1/peer-calls",
        json={"theme": "alimentation", "problem": "Comment passer la cantine en bio local ?"},
        headers=matching.auth(caller, **elected),
    )
    assert call.status_code == 201, call.text
    formed = await matching.client.post(
        f"/v1/peer-calls/{call.json()['call_id']}/group", headers=matching.auth(caller, **elected)
    )
    assert formed.status_code == 201, formed.text
    [members] = await matching.runtime.pool.fetch(
        "SELECT members FROM proposals WHERE kind = 'peer_group'"
    )
    assert caller in members["members"] and set(members["members"]) <= set(franciliens)
    refused = await matching.client.post(
        "/v1/peer-calls",
        json={"theme": "alimentation", "problem": "Comment passer la cantine en bio local ?"},
        headers=matching.auth("drome-0", **elected),
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "commune_outside_scope"
