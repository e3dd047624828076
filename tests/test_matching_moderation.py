"""Matching reads lending's moderation on the real broker: an offer hidden by lending's
operators is proposed to nobody until it is shown again, whatever order the events of
the offer, its hiding and its showing arrive in."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from platform_harness import Platform
from test_matching_helpers import CREST, MIRABEL, PIEGROS, SAILLANS, drain, offered, publish
from test_matching_helpers import requested as requested_in

from deformations_contracts.events.moderation import ContentHidden, ContentKind, ContentShown
from deformations_devtools.testing import wait_until

pytestmark = pytest.mark.integration


async def count(platform: Platform, sql: str, *args: object) -> int:
    value: int = await platform.services["matching"].runtime.pool.fetchval(sql, *args)
    return value


def hidden(offer_id: UUID, at: datetime) -> ContentHidden:
    return ContentHidden(
        content_id=offer_id,
        kind=ContentKind.OFFER,
        collectivite_siren=CREST[1],
        reason="Publicité pour un prestataire privé",
        hidden_at=at,
    )


def shown(offer_id: UUID, at: datetime) -> ContentShown:
    return ContentShown(content_id=offer_id, kind=ContentKind.OFFER, shown_at=at)


async def test_a_hidden_offer_is_not_proposed_until_shown_again(platform: Platform) -> None:
    await platform.start("matching")
    tap = await platform.tap("match.proposed.v1")
    near, kept = offered(CREST), offered(MIRABEL)
    now = datetime.now(UTC)
    # The hiding overtakes its offer, and a showing older than the hiding comes last.
    await publish(platform, hidden(near.offer_id, now), source="lending")
    for offer in (near, kept):
        await publish(platform, offer)
    await publish(platform, shown(near.offer_id, now - timedelta(minutes=1)), source="lending")

    async def read() -> bool:
        return (
            await count(platform, "SELECT count(*) FROM offers") == 2
            and await count(platform, "SELECT count(*) FROM inbox") >= 4
        )

    await wait_until(read, what="the offers and the moderation in the read models")
    first = requested_in(SAILLANS)
    await publish(platform, first)
    [proposal] = await drain(tap, "match.proposed.v1", 1)
    assert proposal["offer"]["offer_id"] == str(kept.offer_id)
    assert await proposed(platform, near.offer_id) == 0

    await publish(platform, shown(near.offer_id, now + timedelta(minutes=5)), source="lending")

    async def back() -> bool:
        return not await platform.services["matching"].runtime.pool.fetchval(
            "SELECT hidden FROM offer_moderation WHERE offer_id = $1", near.offer_id
        )

    await wait_until(back, what="the offer shown again")
    second = requested_in(PIEGROS)
    await publish(platform, second)
    proposals = await drain(tap, "match.proposed.v1", 2)
    assert {p["offer"]["offer_id"] for p in proposals} == {str(near.offer_id), str(kept.offer_id)}
    assert {p["requests"][0]["request_id"] for p in proposals} == {str(second.request_id)}


async def proposed(platform: Platform, offer_id: UUID) -> int:
    return await count(platform, "SELECT count(*) FROM proposals WHERE offer_id = $1", offer_id)
