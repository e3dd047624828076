import uuid

import pytest
from portal_fakes import FakeUow

from deformations_common.vocabulary.roles import Role
from deformations_contracts.events.people import MembershipChanged
from deformations_portal.domain.errors import (
    MembershipAlreadyExists,
    MembershipEnded,
    NotAllowedToDecide,
    UnknownCollectivite,
)
from deformations_portal.domain.memberships import Status
from deformations_portal.service import memberships, people
from deformations_portal.service.people import Claims

CREST = "212601082"


async def person(uow: FakeUow, email: str) -> uuid.UUID:
    return await people.person_for(uow, Claims("email", email, email=email))


async def referent(uow: FakeUow) -> uuid.UUID:
    hr = await person(uow, "rh@crest.fr")
    request = await memberships.request_join(uow, hr, CREST, "hr")
    operator = await people.create_operator(uow, "ops@example.org", "200040509")
    await memberships.decide(uow, operator, request.membership_id, accept=True)
    return hr


async def test_a_request_validated_by_the_referent_publishes_each_change() -> None:
    uow = FakeUow()
    hr = await referent(uow)
    elue = await person(uow, "elue@crest.fr")
    uow.store.events.clear()
    request = await memberships.request_join(uow, elue, CREST, "elected")
    assert [m.membership_id for m in await memberships.pending_for(uow, hr)] == [
        request.membership_id
    ]
    decided = await memberships.decide(uow, hr, request.membership_id, accept=True)
    assert decided.status is Status.VALIDATED and decided.decided_by == hr
    changes = [e for e in uow.store.events if isinstance(e, MembershipChanged)]
    assert [(c.status.value, c.siren, c.person_id) for c in changes] == [
        ("requested", CREST, str(elue)),
        ("validated", CREST, str(elue)),
    ]
    assert [s for (_, s, _) in uow.store.audit][-2:] == ["requested", "validated"]


async def test_an_elu_cannot_validate_and_nothing_changes() -> None:
    uow = FakeUow()
    elu = await person(uow, "elu@crest.fr")
    other = await person(uow, "autre@crest.fr")
    request = await memberships.request_join(uow, other, CREST, "elected")
    before = list(uow.store.events)
    with pytest.raises(NotAllowedToDecide):
        await memberships.decide(uow, elu, request.membership_id, accept=True)
    assert uow.store.memberships[request.membership_id].status is Status.REQUESTED
    assert uow.store.events == before


async def test_an_unknown_siren_changes_nothing() -> None:
    uow = FakeUow()
    elu = await person(uow, "elu@crest.fr")
    with pytest.raises(UnknownCollectivite):
        await memberships.request_join(uow, elu, "123456789", "elected")
    assert uow.store.memberships == {} and uow.store.events == []


async def test_a_second_live_request_is_refused() -> None:
    uow = FakeUow()
    elu = await person(uow, "elu@crest.fr")
    await memberships.request_join(uow, elu, CREST, "elected")
    with pytest.raises(MembershipAlreadyExists):
        await memberships.request_join(uow, elu, CREST, "elected")


async def test_an_invited_elu_is_a_member_once_signed_in_through_the_link() -> None:
    uow = FakeUow()
    hr = await referent(uow)
    invitation = await memberships.invite(uow, hr, CREST, "Nouvel.Elu@Crest.fr")
    assert invitation.membership.status is Status.INVITED
    link = await people.request_link(uow, invitation.email, "10.0.0.1")
    assert link is not None
    person_id = await people.consume_link(uow, link.secret)
    assert person_id == invitation.membership.person_id
    (membership,) = await uow.memberships.of_person(person_id)
    assert membership.status is Status.VALIDATED and membership.role is Role.ELECTED


AOUSTE = "212600118"


async def validated(uow: FakeUow, decider: uuid.UUID, who: uuid.UUID, siren: str) -> uuid.UUID:
    request = await memberships.request_join(uow, who, siren, "elected")
    await memberships.decide(uow, decider, request.membership_id, accept=True)
    return request.membership_id


async def test_revoking_the_last_membership_ends_every_session_of_the_person() -> None:
    uow = FakeUow()
    operator = await people.create_operator(uow, "ops@example.org", "200040509")
    elue = await person(uow, "elue@crest.fr")
    crest = await validated(uow, operator, elue, CREST)
    aouste = await validated(uow, operator, elue, AOUSTE)
    phone, laptop = await people.open_session(uow, elue), await people.open_session(uow, elue)
    bystander = await people.open_session(uow, operator)

    first = await memberships.revoke(uow, operator, crest)
    assert first.membership.status is Status.REVOKED and not first.signed_out
    signed_in = await people.current(uow, phone.secret)
    # Still signed in, now acting in the membership she keeps.
    assert signed_in is not None and signed_in.acting is not None
    assert signed_in.acting.membership_id == aouste

    last = await memberships.revoke(uow, operator, aouste)
    assert last.signed_out
    assert await people.current(uow, phone.secret) is None
    assert await people.current(uow, laptop.secret) is None
    assert await people.current(uow, bystander.secret) is not None
    revoked = [e for e in uow.store.events if isinstance(e, MembershipChanged)][-2:]
    assert [e.status.value for e in revoked] == ["revoked", "revoked"]


async def test_only_a_decider_revokes_and_only_a_validated_membership() -> None:
    uow = FakeUow()
    hr = await referent(uow)
    elue = await person(uow, "elue@crest.fr")
    membership = await validated(uow, hr, elue, CREST)
    session = await people.open_session(uow, elue)
    before = list(uow.store.events)
    with pytest.raises(NotAllowedToDecide):
        await memberships.revoke(uow, elue, membership)
    assert uow.store.memberships[membership].status is Status.VALIDATED
    assert uow.store.events == before
    assert await people.current(uow, session.secret) is not None
    assert [m.membership_id for m in await memberships.members_for(uow, hr)] == [membership]
    assert await memberships.members_for(uow, elue) == []
    await memberships.revoke(uow, hr, membership)
    with pytest.raises(MembershipEnded):
        await memberships.revoke(uow, hr, membership)
    assert await memberships.members_for(uow, hr) == []
