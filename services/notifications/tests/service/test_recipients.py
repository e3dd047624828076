"""Registering, reading and erasing a recipient, over the fake unit of work."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta

import pytest

from deformations_common.vocabulary.clock import ManualClock
from deformations_notifications.domain.errors import NotRegistered
from deformations_notifications.domain.planning import IncomingEvent
from deformations_notifications.domain.preferences import (
    Channel,
    DigestFrequency,
    DigestSchedule,
    QuietHours,
)
from deformations_notifications.service import recipients
from deformations_notifications.service.recipients import Registration, consent_wording
from deformations_notifications.service.recording import record_plan
from deformations_notifications.settings import NotificationsSettings

from .conftest import MORNING
from .fakes import FakeUow

CREST = "212601082"


def registration(
    person: str = "elue-1", *, consent: bool = True, **changes: object
) -> Registration:
    base = Registration(
        person_id=person,
        email=f"{person}@example.org",
        language="fr",
        channels=frozenset({Channel.EMAIL}),
        quiet_hours=QuietHours(time(21, 0), time(7, 0)),
        digest=DigestSchedule(DigestFrequency.IMMEDIATE),
        consent=consent,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def loan_notice(event_id: str = "e-1") -> IncomingEvent:
    return IncomingEvent("lending", event_id, "loan.agreed.v1", MORNING, {"loan_id": "l-1"})


async def test_registering_with_consent_records_the_wording_and_the_time(uow: FakeUow) -> None:
    registered = await recipients.register(uow, registration(authority=CREST))
    assert registered.created
    consent = registered.preferences.consent
    assert consent is not None and (consent.given_at, consent.wording) == (
        MORNING,
        consent_wording("Déformations"),
    )
    assert registered.collectivites == [CREST]
    assert uow.emitted == []


async def test_the_consent_names_the_platform_that_will_write(clock: ManualClock) -> None:
    uow = FakeUow(NotificationsSettings(platform_name="Déformations Île-de-France"), clock)
    consent = (await recipients.register(uow, registration())).preferences.consent
    assert consent is not None
    assert consent.wording.startswith("J'accepte que Déformations Île-de-France m'écrive")


async def test_the_first_consent_stays_on_record(uow: FakeUow, clock: ManualClock) -> None:
    await recipients.register(uow, registration())
    clock.advance(timedelta(days=3))
    again = await recipients.register(uow, registration(email="new@example.org"))
    assert not again.created
    assert again.preferences.email == "new@example.org"
    assert again.preferences.consent is not None
    assert again.preferences.consent.given_at == MORNING


async def test_what_waited_for_a_person_is_planned_when_they_consent(uow: FakeUow) -> None:
    await record_plan(uow, loan_notice(), {"elue-1"}, MORNING)
    [waiting] = uow.notifications.of("elue-1")
    assert (waiting["status"], waiting["send_at"], waiting["skip_reason"]) == (
        "pending",
        None,
        "not_registered",
    )
    without = await recipients.register(uow, registration(consent=False))
    assert without.scheduled == 0 and waiting["send_at"] is None
    registered = await recipients.register(uow, registration())
    assert registered.scheduled == 1
    assert waiting["send_at"] == MORNING and waiting["skip_reason"] is None


async def test_night_registration_plans_after_the_quiet_hours(
    uow: FakeUow, clock: ManualClock
) -> None:
    clock.set(MORNING.replace(hour=23))
    await record_plan(uow, loan_notice(), {"elue-1"}, clock())
    await recipients.register(uow, registration())
    [planned] = uow.notifications.of("elue-1")
    assert planned["send_at"] == (MORNING + timedelta(days=1)).replace(hour=7)


async def test_consenting_again_undoes_an_unsubscribe(uow: FakeUow) -> None:
    await recipients.register(uow, registration())
    prefs = uow.recipients.people["elue-1"]
    uow.recipients.people["elue-1"] = replace(prefs, unsubscribed_at=MORNING)
    again = await recipients.register(uow, registration())
    assert again.preferences.unsubscribed_at is None


async def test_reading_an_unknown_recipient_is_a_404_not_registered(uow: FakeUow) -> None:
    with pytest.raises(NotRegistered) as refused:
        await recipients.recipient(uow, "nobody")
    assert (refused.value.code, refused.value.status) == ("not_registered", 404)


async def test_erasure_removes_contact_details_and_notifications(uow: FakeUow) -> None:
    await recipients.register(uow, registration(authority=CREST))
    await record_plan(uow, loan_notice(), {"elue-1", "elu-2"}, MORNING)
    await recipients.erase_person(uow, "elue-1")
    assert "elue-1" not in uow.recipients.people
    assert uow.notifications.of("elue-1") == []
    assert len(uow.notifications.of("elu-2")) == 1
