"""Erasure over a fake unit of work: the person leaves, their anonymous results stay."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from deformations_common.auth import Principal
from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.events.diagnosis import TeamKind
from deformations_devtools.diagnosis.synthetic import synthetic_submissions
from deformations_diagnosis.content.loader import load_questionnaire
from deformations_diagnosis.service.campaigns import open_campaign
from deformations_diagnosis.service.people import erase_person
from deformations_diagnosis.service.responses import submit

from .fakes import FakeUnitOfWork

Q = load_questionnaire()


async def test_erasure_detaches_responses_and_campaigns_of_that_person_only() -> None:
    uow = FakeUnitOfWork(ManualClock(datetime(2026, 11, 26, tzinfo=UTC)))
    for n, (_, s) in enumerate(synthetic_submissions(Q, 3, seed=2)):
        person = "maire" if n < 2 else "other"
        await submit(
            uow, submission_id=uuid4(), version=Q.version, answers=s.answers, person_id=person
        )
    mayor = Principal(sub="maire", authority="217101377", roles=frozenset({"elected"}))
    view = await open_campaign(
        uow,
        mayor,
        team_kind=TeamKind.MUNICIPAL_COUNCIL,
        collectivite_siren="217101377",
        commune_insee=None,
        expires_at=None,
        questionnaire_version=Q.version,
    )
    assert await erase_person(uow, "maire") == 2
    assert sorted(str(r.person_id) for r in uow.responses.rows.values()) == [
        "None",
        "None",
        "other",
    ]
    assert uow.campaigns.rows[view.campaign.id].created_by is None
    assert await erase_person(uow, "maire") == 0
