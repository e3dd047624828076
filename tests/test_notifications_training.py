"""Training events through the real broker: the élu concerned gets the mail, linking to the
portal's page it is about; the trainer and the facilitator named in them do not; an élu
not registered yet has it waiting."""

from __future__ import annotations

from uuid import uuid4

import pytest
from platform_harness import Platform
from test_notifications_e2e import (
    MORNING,
    idle_rounds,
    invitation,
    notifications_of,
    publish,
    register,
    smtp,
    start_notifications,
)

from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.events.training import (
    EnrolmentConfirmed,
    EnrolmentPromoted,
    EnrolmentWaitlisted,
)
from deformations_devtools.notifications import training_events as made
from deformations_devtools.notifications.catchers import MailCatcher
from deformations_devtools.testing import wait_until

pytestmark = pytest.mark.integration
__all__ = ["smtp"]  # the fixture, used by name


async def test_training_events_reach_the_elu_with_the_page_they_concern(
    platform: Platform, smtp: MailCatcher
) -> None:
    service = await start_notifications(platform, ManualClock(MORNING), smtp)
    app = service.settings.app_url.rstrip("/")
    elue, trainer = f"elue-{uuid4().hex[:8]}", f"formatrice-{uuid4().hex[:8]}"
    await register(service, elue)
    await register(service, trainer)
    offer = uuid4()
    waitlisted = made.enrolment(EnrolmentWaitlisted, elue, offer, position=1)
    evaluation = made.evaluation(elue, kind="satisfaction")
    session = made.training_session([elue], related_id=str(offer))
    programme = made.invited(elue, trainer)
    events = [
        waitlisted,
        made.enrolment(EnrolmentPromoted, elue, offer, enrolment_id=str(waitlisted.enrolment_id)),
        made.rebond(elue, trainer, offer_id=None),
        evaluation,
        programme,
        session,
    ]
    for count, event in enumerate(events, start=1):
        await publish(platform, event, source="training")
        await wait_until(lambda n=count: len(smtp.received) >= n, what=f"mail {count}")  # type: ignore[misc]
    await idle_rounds(service)

    # Only the élu: the trainer who wrote the rebond and the facilitator who invited her
    # are named in the events, and told nothing.
    assert smtp.recipients == [[f"{elue}@example.org"]] * len(events)
    assert await notifications_of(service, trainer) == []
    mails = {str(m["Subject"]).split(" : ")[0]: m for m in smtp.messages()}
    links = {
        "Liste d'attente, position 1": f"{app}/formations/{offer}",
        "Une place s'est libérée, vous êtes inscrit·e": f"{app}/formations/{offer}",
        "Et après ? Une suite à votre formation": f"{app}/formations/parcours",
        "Questionnaire de satisfaction": (
            f"{app}/formations/questionnaires/{evaluation.evaluation_id}"
        ),
        "Invitation au programme": f"{app}/programmes/{programme.programme_id}",
        "Invitation": f"{app}/formations/{offer}",
    }
    assert set(mails) == set(links)
    for subject, link in links.items():
        body = mails[subject].get_body(("plain",))
        assert body is not None
        assert link in body.get_content(), subject
    # The offer's session comes with its calendar invitation.
    calendar = invitation(mails["Invitation"])
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["summary"]) == "Séance de formation"
    found = await notifications_of(service, elue)
    assert {n["status"] for n in found if n["template"] != "session.reminder"} == {"sent"}
    # The offer's session is still to come: its reminder waits for its time.
    assert {n["status"] for n in found if n["template"] == "session.reminder"} == {"pending"}


async def test_an_elu_not_registered_yet_has_the_enrolment_waiting(
    platform: Platform, smtp: MailCatcher
) -> None:
    service = await start_notifications(platform, ManualClock(MORNING), smtp)
    elu = f"elu-{uuid4().hex[:8]}"
    await publish(platform, made.enrolment(EnrolmentConfirmed, elu), source="training")

    async def recorded() -> bool:
        return len(await notifications_of(service, elu)) == 1

    await wait_until(recorded, what="the enrolment's notification waiting for its élu")
    [waiting] = await notifications_of(service, elu)
    assert (waiting["status"], waiting["skip_reason"]) == ("pending", "not_registered")
    await register(service, elu)
    await wait_until(lambda: len(smtp.received) == 1, what="the mail once registered")
    [mail] = smtp.messages()
    assert str(mail["Subject"]).startswith("Inscription confirmée")
