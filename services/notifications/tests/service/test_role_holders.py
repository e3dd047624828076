"""A loan's action request goes to the collectivité's validated members holding an awaited
role (``membership.changed.v1`` keeps who they are), over the fake unit of work."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

from deformations_contracts.events.lending import LoanActionRequested
from deformations_contracts.events.people import MembershipChanged, PersonErasureRequested
from deformations_notifications.service import incoming, recipients

from .conftest import MORNING
from .fakes import FakeUow
from .test_incoming import attributes, event, registered

CREST = "212601082"


async def member(
    uow: FakeUow,
    person: str,
    role: str,
    *,
    status: str = "validated",
    siren: str = CREST,
    membership: UUID | None = None,
    minutes: int = 0,
) -> UUID:
    membership = membership or uuid4()
    changed = event(
        MembershipChanged,
        membership_id=str(membership),
        person_id=person,
        siren=siren,
        role=role,
        status=status,
        changed_at=(MORNING + timedelta(minutes=minutes)).isoformat(),
    )
    await incoming.handle_membership_changed(uow, changed, attributes(changed, "portal"))
    return membership


async def ask(uow: FakeUow, action: str, roles: list[str]) -> None:
    asked: Any = event(
        LoanActionRequested,
        action=action,
        party="lender",
        lender_siren=CREST,
        collectivite_siren=CREST,
        roles=roles,
        loan_id=str(uuid4()),
    )
    await incoming.handle_event(uow, asked, attributes(asked))


def told(uow: FakeUow, person: str) -> list[str]:
    return [
        r["payload"]["action"]
        for r in uow.notifications.of(person)
        if r["template"] == "loan.action_requested"
    ]


async def crest(uow: FakeUow) -> None:
    """Its élue, RH and agent, each registered for Crest; a secretary who left."""
    for person, role in (("elue", "elected"), ("rh", "hr"), ("agent", "agent")):
        await registered(uow, person, quiet=False)
        await uow.recipients.add_collectivite(person, CREST)
        await member(uow, person, role)
    await member(uow, "secretaire", "secretary", status="revoked")


async def test_each_request_goes_to_the_holders_of_the_awaited_roles_only(uow: FakeUow) -> None:
    await crest(uow)
    await ask(uow, "accord", ["elected", "hr"])
    await ask(uow, "accord-agent", ["hr"])
    assert told(uow, "elue") == ["accord"]
    assert sorted(told(uow, "rh")) == ["accord", "accord-agent"]
    assert told(uow, "agent") == [] and told(uow, "secretaire") == []


async def test_a_holder_not_registered_yet_finds_the_mail_waiting(uow: FakeUow) -> None:
    await member(uow, "rh", "hr")
    await ask(uow, "accord-agent", ["hr"])
    [waiting] = uow.notifications.of("rh")
    assert (waiting["send_at"], waiting["skip_reason"]) == (None, "not_registered")


async def test_nobody_in_the_role_falls_back_to_the_referents_then_to_everyone(
    uow: FakeUow,
) -> None:
    await registered(uow, "agent", quiet=False)
    await uow.recipients.add_collectivite("agent", CREST)
    await member(uow, "agent", "agent")
    secretary = await member(uow, "secretaire", "secretary")
    await ask(uow, "accord", ["elected"])
    assert told(uow, "secretaire") == ["accord"] and told(uow, "agent") == []

    # No référent either: everyone registered for the collectivité, lest the mail be lost.
    await member(uow, "secretaire", "secretary", status="revoked", membership=secretary, minutes=5)
    await ask(uow, "accord", ["elected"])
    assert told(uow, "agent") == ["accord"]
    assert told(uow, "secretaire") == ["accord"]  # the first mail only


async def test_the_latest_change_of_a_membership_wins_whatever_the_order(uow: FakeUow) -> None:
    await registered(uow, "rh", quiet=False)
    membership = await member(uow, "rh", "hr", status="revoked", minutes=10)
    await member(uow, "rh", "hr", membership=membership, minutes=1)  # late, older
    await member(uow, "elue", "elected")
    await ask(uow, "accord", ["elected", "hr"])
    assert told(uow, "rh") == [] and told(uow, "elue") == ["accord"]


async def test_an_erased_persons_memberships_go_and_do_not_come_back(uow: FakeUow) -> None:
    await member(uow, "rh", "hr")
    erasure = event(PersonErasureRequested, person_id="rh")
    await incoming.handle_erasure_requested(uow, erasure, attributes(erasure, "portal"))
    assert await uow.memberships.validated_of(CREST) == set()
    await member(uow, "rh", "hr", minutes=5)  # a late event
    assert await uow.memberships.validated_of(CREST) == set()


async def test_removing_ones_contact_details_keeps_ones_role(uow: FakeUow) -> None:
    await registered(uow, "rh", quiet=False)
    await member(uow, "rh", "hr")
    await recipients.erase_person(uow, "rh")
    assert await uow.memberships.validated_of(CREST) == {("rh", "hr")}
