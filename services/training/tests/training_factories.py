"""Small builders of training domain objects for tests."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from deformations_training.domain.offers import Format, Offer, PriceTier, Session, new_offer

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BODY = "775671356"
CREST = "212601082"  # commune of Crest, in the CC du Crestois
SAILLANS = "938438454"  # commune of Saillans, same EPCI
CC_CRESTOIS = "200040509"


def session(days: int = 21, hour: int = 8, minutes: int = 210) -> Session:
    # 08:00 UTC = 09:00 or 10:00 in Paris: a morning.
    starts = NOW.replace(hour=hour) + timedelta(days=days)
    return Session(uuid4(), starts, starts + timedelta(minutes=minutes))


def offer(
    *,
    capacity: int = 12,
    price_cents: int = 30_000,
    tiers: Sequence[PriceTier] = (),
    sessions: Sequence[Session] | None = None,
    fmt: Format = Format.HALF_DAY,
    theme: str = "alimentation",
    place_insee: str | None = "26108",
    video_url: str | None = None,
    offer_id: UUID | None = None,
    closes: datetime | None = None,
) -> Offer:
    return new_offer(
        offer_id=offer_id or uuid4(),
        body_siren=BODY,
        title="Une cantine bio et locale en régie",
        description="Module socle.",
        theme=theme,
        format=fmt,
        duration_minutes=210,
        capacity=capacity,
        price_cents=price_cents,
        sessions=[session()] if sessions is None else sessions,
        place_insee=place_insee,
        place_label="Salle du conseil, mairie de Crest" if place_insee else None,
        video_url=video_url,
        group_tiers=tiers,
        registration_closes_at=closes,
        now=NOW,
    )
