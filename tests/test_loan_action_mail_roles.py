"""Who gets « Un prêt attend votre accord », on the real broker and database with a real
SMTP server: the memberships the portal publishes (``membership.changed.v1``) tell
notifications who holds which role, and lending's ``loan.action_requested.v1`` goes to the
validated members holding an awaited role only — never to the others registered for the
collectivité, nor to the other side of the loan."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from platform_harness import Platform
from test_notifications_e2e import MORNING, publish, register, smtp, start_notifications

from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.events.lending import (
    ActingRole,
    LoanAction,
    LoanActionRequested,
    LoanParty,
)
from deformations_contracts.events.people import (
    MembershipChanged,
    MembershipRole,
    MembershipStatus,
)
from deformations_devtools.notifications.catchers import MailCatcher
from deformations_devtools.testing import wait_until

pytestmark = pytest.mark.integration
__all__ = ["smtp"]  # the fixture, shared with the other notifications tests

CREST, AOUSTE = "212601082", "212600118"
ELUE, RH, AGENT, ELU_AOUSTE = (str(uuid4()) for _ in range(4))
PEOPLE = {
    ELUE: (CREST, MembershipRole.ELECTED),
    RH: (CREST, MembershipRole.HR),
    AGENT: (CREST, MembershipRole.AGENT),
    ELU_AOUSTE: (AOUSTE, MembershipRole.ELECTED),
}


def membership(
    person: str, membership_id: UUID, status: MembershipStatus, minutes: int
) -> MembershipChanged:
    siren, role = PEOPLE[person]
    return MembershipChanged(
        membership_id=membership_id,
        person_id=person,
        siren=siren,
        role=role,
        status=status,
        changed_at=MORNING - timedelta(hours=1) + timedelta(minutes=minutes),
    )


def asked(loan_id: UUID, action: LoanAction, roles: list[ActingRole]) -> LoanActionRequested:
    return LoanActionRequested(
        loan_id=loan_id,
        offer_id=uuid4(),
        lender_siren=CREST,
        borrower_siren=AOUSTE,
        agent_role="Technicienne énergie",
        theme="energie",
        half_days_agreed=2,
        action=action,
        party=LoanParty.LENDER,
        collectivite_siren=CREST,
        roles=roles,
        requested_at=MORNING,
    )


async def test_the_approval_and_consent_mails_go_to_the_holders_of_the_roles(
    platform: Platform, smtp: MailCatcher
) -> None:
    service = await start_notifications(platform, ManualClock(MORNING), smtp)
    for person, (siren, _) in PEOPLE.items():
        await register(service, person, authority=siren)
    # Each membership requested then validated; the RH's validation arrives before its
    # request, which must not undo it.
    ids = {person: uuid4() for person in PEOPLE}
    changes = [
        (person, status, minutes)
        for person in (ELUE, AGENT, ELU_AOUSTE)
        for status, minutes in ((MembershipStatus.REQUESTED, 0), (MembershipStatus.VALIDATED, 5))
    ] + [(RH, MembershipStatus.VALIDATED, 5), (RH, MembershipStatus.REQUESTED, 0)]
    for person, status, minutes in changes:
        await publish(platform, membership(person, ids[person], status, minutes), source="portal")

    async def all_consumed() -> bool:
        consumed = await service.runtime.pool.fetchval(
            "SELECT count(*) FROM inbox WHERE subscription LIKE '%membership.changed.v1'"
        )
        return bool(consumed == 8)

    await wait_until(all_consumed, what="the eight membership changes consumed")
    held = await service.runtime.pool.fetch(
        "SELECT person_id, role FROM memberships WHERE status = 'validated'"
    )
    assert {r["person_id"] for r in held} == set(PEOPLE)

    loan_id = uuid4()
    await publish(platform, asked(loan_id, LoanAction.APPROVE, [ActingRole.ELECTED, ActingRole.HR]))
    # The consent is personal: asked of the agent the RH named, not of a role.
    consent = asked(loan_id, LoanAction.AGENT_CONSENT, [ActingRole.AGENT])
    await publish(platform, consent.model_copy(update={"agent_person_id": AGENT}))
    await wait_until(lambda: len(smtp.messages()) >= 3, what="three action mails")

    actions: Counter[tuple[str, str]] = Counter()
    for mail in smtp.messages():
        assert str(mail["Subject"]).startswith("Un prêt attend votre")
        body = mail.get_body(("plain",))
        assert body is not None
        found = re.search(rf"/prets/{loan_id}\?action=([a-z-]+)&jeton=", body.get_content())
        assert found is not None, body.get_content()
        actions[(str(mail["To"]), found[1])] += 1
    assert actions == {
        (f"{ELUE}@example.org", "accord"): 1,
        (f"{RH}@example.org", "accord"): 1,
        (f"{AGENT}@example.org", "accord-agent"): 1,
    }
    # Nothing more is on its way: Aouste's élu has no notification at all, the agent only
    # their own consent.
    recipients = await service.runtime.pool.fetch(
        "SELECT DISTINCT recipient_id FROM notifications WHERE event_type = $1",
        "loan.action_requested.v1",
    )
    assert {r["recipient_id"] for r in recipients} == {ELUE, RH, AGENT}
