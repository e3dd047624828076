"""The in-memory offer index of one process, kept in step with the committed read model.

The database is the source of truth: the index is rebuilt from it at start and then
catches up with every offer or loan change committed since (by this replica's handlers
or another's), before each use. Nothing enters the index before it is committed, so a
rolled-back handler leaves no trace in it.

Needs and offers of collectivités outside the platform's territory are never read into
the book (unless the platform allows them), so no need ↔ offer proposal, one at a time,
global or grouped, can involve them.
"""

import asyncio
import heapq
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from deformations_common.geography import Geography, load_geography
from deformations_common.logging import get_logger
from deformations_common.scope import PlatformScope
from deformations_common.settings import ServiceSettings
from deformations_contracts.types import Modality
from deformations_matching.domain.index import OfferIndex
from deformations_matching.domain.locate import locate
from deformations_matching.domain.model import Availability, SkillOffer, SkillRequest, Standing
from deformations_matching.domain.territory import collectivite_proposable
from deformations_matching.domain.text import TextModel
from deformations_matching.repositories.offers import OfferRepository, OfferRow
from deformations_matching.repositories.requests import RequestRow

log = get_logger()


def standing_of(row: dict[str, object]) -> Standing:
    return Standing(
        hours_lent=float(row["hours_lent"]),  # type: ignore[arg-type]
        hours_received=float(row["hours_received"]),  # type: ignore[arg-type]
        feedback_sum=float(row["feedback_sum"]),  # type: ignore[arg-type]
        feedback_count=int(row["feedback_count"]),  # type: ignore[call-overload]
    )


@dataclass
class OfferBook:
    geography: Geography
    scope: PlatformScope = field(default_factory=PlatformScope)
    index: OfferIndex | None = None
    horizon: int = 0
    _seen: dict[UUID, OfferRow] = field(default_factory=dict)
    # The period ends of the offers in the index, earliest first: past its end, an offer
    # leaves the index though nothing changed in the read model.
    _ends: list[tuple[date, UUID]] = field(default_factory=list)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def offer_of(self, row: OfferRow) -> SkillOffer | None:
        place = locate(self.geography, row.siren, row.insee_code, row.epci_siren)
        if place is None or row.theme is None or row.description is None:
            return None
        if not collectivite_proposable(self.scope, self.geography, row.siren, place):
            return None
        return SkillOffer(
            offer_id=str(row.offer_id),
            lender_siren=row.siren,
            place=place,
            themes=frozenset({row.theme}),
            description=row.description,
            capacity_half_days=row.capacity_half_days or 0,
            availability=Availability(frozenset(row.half_days), Modality(row.modality or "either")),
        )

    def request_of(self, row: RequestRow) -> SkillRequest | None:
        place = locate(self.geography, row.siren, row.insee_code, row.epci_siren)
        if place is None or row.theme is None or row.need is None:
            return None
        if not collectivite_proposable(self.scope, self.geography, row.siren, place):
            return None
        return SkillRequest(
            request_id=str(row.request_id),
            requester_siren=row.siren,
            place=place,
            themes=frozenset({row.theme}),
            description=row.need,
            half_days=row.half_days or 1,
            availability=Availability(frozenset(row.preferred), Modality(row.modality or "either")),
        )

    async def refreshed(self, offers: OfferRepository, today: date) -> OfferIndex:
        """The index, after catching up with what was committed (call before any write),
        without the offers whose period ended before ``today``."""
        async with self._lock:
            changes = await offers.changes_since(self.horizon)
            if self.index is None:
                corpus = [o.description for o in changes.offers if o.description]
                self.index = OfferIndex(TextModel(corpus))
                log.info("matching.index_rebuilt", offers=len(changes.offers))
            index = self.index
            for row in changes.offers:
                if self._seen.get(row.offer_id) == row:
                    continue  # read again only because it was in flight last time
                self._seen[row.offer_id] = row
                offer = self.offer_of(row) if _lendable(row, today) else None
                if offer is None:
                    index.withdraw(str(row.offer_id))
                else:
                    index.add(offer)
                    if row.period_end is not None:
                        heapq.heappush(self._ends, (row.period_end, row.offer_id))
            while self._ends and self._ends[0][0] < today:
                _, offer_id = heapq.heappop(self._ends)
                seen = self._seen.get(offer_id)
                if seen is not None and not _lendable(seen, today):
                    index.withdraw(str(offer_id))
            for standing in changes.standings:
                index.set_standing(str(standing["siren"]), standing_of(standing))
            for booked in changes.booked:
                index.set_booked(str(booked["offer_id"]), int(booked["booked"]))
            self.horizon = changes.horizon
            return index


def _lendable(row: OfferRow, today: date) -> bool:
    return row.status == "open" and (row.period_end is None or row.period_end >= today)


_books: dict[tuple[str, str, PlatformScope], OfferBook] = {}


def book_for(settings: ServiceSettings) -> OfferBook:
    """The book of this process for a database schema and a territory (one cache per
    source of truth and what may be read from it)."""
    scope = settings.platform_scope()
    key = (settings.database_url, settings.schema_name, scope)
    book = _books.get(key)
    if book is None:
        book = _books[key] = OfferBook(load_geography(), scope)
    return book
