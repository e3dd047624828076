"""In-memory tombstones for the fake units of work of fast tests."""

from collections.abc import Iterable
from datetime import datetime


class InMemoryErasedPeople:
    """Same behaviour as ``deformations_common.erasure.ErasedPeopleRepository``."""

    def __init__(self) -> None:
        self.rows: dict[str, datetime] = {}

    async def record(self, person_id: str, erased_at: datetime) -> None:
        self.rows.setdefault(person_id, erased_at)

    async def is_erased(self, person_id: str) -> bool:
        return person_id in self.rows

    async def erased_among(self, person_ids: Iterable[str]) -> set[str]:
        return set(person_ids) & self.rows.keys()
