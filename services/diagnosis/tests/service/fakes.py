"""A unit of work over in-memory repositories, for use-case tests without servers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.base import EventData
from deformations_devtools.erasure import InMemoryErasedPeople
from deformations_diagnosis.domain.campaigns import Campaign, TokenTakenError
from deformations_diagnosis.repositories import CampaignRepository, ResponseRepository
from deformations_diagnosis.repositories.questionnaire_versions import (
    PublishedSource,
    QuestionnaireVersionRepository,
    StoredVersion,
)
from deformations_diagnosis.repositories.responses import NewResponse, StoredResponse
from deformations_diagnosis.service.uow import DiagnosisUnitOfWork
from deformations_diagnosis.settings import DiagnosisSettings


class FakeResponses(ResponseRepository):
    def __init__(self) -> None:
        self.rows: dict[UUID, NewResponse] = {}

    async def add(self, response: NewResponse) -> bool:
        if any(r.submission_id == response.submission_id for r in self.rows.values()):
            return False
        self.rows[response.id] = response
        return True

    async def get(self, response_id: UUID) -> StoredResponse | None:
        r = self.rows.get(response_id)
        if r is None:
            return None
        return StoredResponse(
            r.id,
            r.questionnaire_version,
            r.person_id,
            r.result,
            r.created_at,
            r.campaign_id,
            r.commune_insee,
            r.shared,
        )

    async def of_person(self, person_id: str, limit: int) -> list[StoredResponse]:
        mine = [r for r in self.rows.values() if r.person_id == person_id]
        mine.sort(key=lambda r: (r.created_at, r.id), reverse=True)
        return [s for r in mine[:limit] if (s := await self.get(r.id)) is not None]

    async def id_of_submission(self, submission_id: UUID) -> UUID | None:
        return next((r.id for r in self.rows.values() if r.submission_id == submission_id), None)

    def _of(self, campaign_id: UUID) -> list[NewResponse]:
        return [r for r in self.rows.values() if r.campaign_id == campaign_id]

    async def shared_results(self, campaign_id: UUID) -> list[tuple[str, dict[str, Any]]]:
        return [(r.commune_insee or "", r.result) for r in self._of(campaign_id) if r.shared]

    async def count_for_campaign(self, campaign_id: UUID) -> tuple[int, int]:
        rows = self._of(campaign_id)
        return len(rows), sum(r.shared for r in rows)

    async def answers_of_version(self, version: str, limit: int) -> list[dict[str, list[str]]]:
        rows = [r for r in self.rows.values() if r.questionnaire_version == version]
        return [r.answers for r in reversed(rows)][:limit]

    async def detach_person(self, person_id: str) -> int:
        theirs = [r for r in self.rows.values() if r.person_id == person_id]
        for r in theirs:
            self.rows[r.id] = replace(r, person_id=None)
        return len(theirs)


class FakeCampaigns(CampaignRepository):
    def __init__(self) -> None:
        self.rows: dict[UUID, Campaign] = {}

    async def add(self, campaign: Campaign) -> None:
        if any(c.token == campaign.token for c in self.rows.values()):
            raise TokenTakenError()
        self.rows[campaign.id] = campaign

    async def get(self, campaign_id: UUID) -> Campaign | None:
        return self.rows.get(campaign_id)

    async def by_token(self, token: str, *, for_update: bool = False) -> Campaign | None:
        return next((c for c in self.rows.values() if c.token == token), None)

    async def visible_to(
        self, *, everyone: bool, person: str, authority: str | None, limit: int = 100
    ) -> list[Campaign]:
        found = [
            c
            for c in self.rows.values()
            if everyone or c.created_by == person or (authority in c.team.sirens)
        ]
        return sorted(found, key=lambda c: c.created_at, reverse=True)[:limit]

    async def set_expiry(self, campaign_id: UUID, expires_at: datetime) -> None:
        self.rows[campaign_id] = replace(self.rows[campaign_id], expires_at=expires_at)

    async def close(self, campaign_id: UUID, now: datetime) -> None:
        c = self.rows[campaign_id]
        self.rows[campaign_id] = replace(c, expires_at=min(c.expires_at, now))

    async def forget_organiser(self, person_id: str) -> int:
        theirs = [c for c in self.rows.values() if c.created_by == person_id]
        for c in theirs:
            self.rows[c.id] = replace(c, created_by=None)
        return len(theirs)


class FakeQuestionnaireVersions(QuestionnaireVersionRepository):
    def __init__(self) -> None:
        self.rows: dict[str, tuple[StoredVersion, str]] = {}

    async def get(self, version: str, *, for_update: bool = False) -> StoredVersion | None:
        found = self.rows.get(version)
        return found[0] if found else None

    async def source(self, version: str) -> str | None:
        found = self.rows.get(version)
        return found[1] if found else None

    async def save_draft(
        self, version: str, title: str, source: str, by: str, at: datetime
    ) -> bool:
        found = self.rows.get(version)
        if found and found[0].published:
            return False
        self.rows[version] = (StoredVersion(version, title, at, None), source)
        return True

    async def publish(self, version: str, by: str, at: datetime) -> None:
        stored, source = self.rows[version]
        self.rows[version] = (replace(stored, published_at=at), source)

    async def listing(self) -> list[StoredVersion]:
        return sorted((s for s, _ in self.rows.values()), key=lambda s: s.uploaded_at)[::-1]

    async def published(self, known: Sequence[str]) -> list[PublishedSource]:
        done = [(s, src) for s, src in self.rows.values() if s.published_at is not None]
        done.sort(key=lambda row: (row[0].published_at, row[0].version))
        return [PublishedSource(s.version, None if s.version in known else src) for s, src in done]

    async def forget_person(self, person_id: str) -> None:
        return None


class FakeUnitOfWork(DiagnosisUnitOfWork):
    """The service's unit of work with its state in memory and its events in a list."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__(None, DiagnosisSettings(), clock, self._record)
        self.emitted: list[EventData] = []
        self._responses = FakeResponses()
        self._campaigns = FakeCampaigns()
        self._versions = FakeQuestionnaireVersions()
        self._erased_people = InMemoryErasedPeople()

    async def _record(self, conn: object, events: Sequence[EventData]) -> list[UUID]:
        self.emitted.extend(events)
        return [uuid4() for _ in events]

    @property
    def erased_people(self) -> Any:
        return self._erased_people

    @property
    def responses(self) -> FakeResponses:
        return self._responses

    @property
    def campaigns(self) -> FakeCampaigns:
        return self._campaigns

    @property
    def questionnaire_versions(self) -> FakeQuestionnaireVersions:
        return self._versions

    def of_type(self, kind: type[EventData]) -> list[Any]:
        return [e for e in self.emitted if isinstance(e, kind)]
