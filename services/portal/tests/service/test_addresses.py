from dataclasses import replace
from datetime import timedelta

import pytest
from portal_fakes import FakeUow

from deformations_portal.domain.errors import (
    AddressCheckExpired,
    AddressCheckInvalid,
    AddressCheckUsed,
    InvalidEmail,
    TooManyRequests,
)
from deformations_portal.service import addresses, people
from deformations_portal.service.people import Claims

PREFERENCES = {"channels": ["email"], "digest": {"frequency": "daily"}, "consent": True}


async def test_her_sign_in_address_is_used_at_once_without_a_check() -> None:
    uow = FakeUow()
    her = await people.person_for(uow, Claims("email", "elue@crest.fr", email="elue@crest.fr"))
    decision = await addresses.choose(uow, her, " Elue@Crest.fr", PREFERENCES, None)
    assert decision == addresses.Decision("elue@crest.fr", None)
    assert uow.store.checks == {}


async def test_another_address_waits_for_its_check_meanwhile_mails_go_to_the_proven_one() -> None:
    uow = FakeUow()
    her = await people.person_for(uow, Claims("email", "elue@crest.fr", email="elue@crest.fr"))
    decision = await addresses.choose(uow, her, "elue.perso@example.org", PREFERENCES, None)
    assert decision.use_now == "elue@crest.fr"
    assert decision.check is not None and decision.check.email == "elue.perso@example.org"
    assert decision.check.secret not in str(uow.store.checks)  # only its keyed hash is kept
    # Registered already at a proven address: that one stays until the check is done.
    kept = await addresses.choose(uow, her, "autre@example.org", PREFERENCES, "ancienne@x.fr")
    assert kept.use_now == "ancienne@x.fr"
    # The address registered is proven: saving it again needs no check.
    same = await addresses.choose(uow, her, "ancienne@x.fr", PREFERENCES, "ancienne@x.fr")
    assert same == addresses.Decision("ancienne@x.fr", None)

    check = await addresses.confirm(uow, her, decision.check.secret)
    assert (check.email, check.preferences) == ("elue.perso@example.org", PREFERENCES)
    with pytest.raises(AddressCheckUsed):
        await addresses.confirm(uow, her, decision.check.secret)


async def test_without_a_sign_in_address_her_notifications_wait() -> None:
    uow = FakeUow()
    her = await people.person_for(uow, Claims("https://idp", "sub-without-mail"))
    decision = await addresses.choose(uow, her, "elue@crest.fr", PREFERENCES, None)
    assert decision.use_now is None and decision.check is not None


async def test_a_check_proves_nothing_for_someone_else_nor_late_nor_forged() -> None:
    uow = FakeUow()
    her = await people.person_for(uow, Claims("email", "elue@crest.fr", email="elue@crest.fr"))
    other = await people.person_for(uow, Claims("email", "o@crest.fr", email="o@crest.fr"))
    decision = await addresses.choose(uow, her, "elue.perso@example.org", PREFERENCES, None)
    assert decision.check is not None
    with pytest.raises(AddressCheckInvalid):
        await addresses.confirm(uow, other, decision.check.secret)
    with pytest.raises(AddressCheckInvalid):
        await addresses.confirm(uow, her, "forged")
    with pytest.raises(InvalidEmail):
        await addresses.choose(uow, her, "pas une adresse", PREFERENCES, None)
    uow.manual.advance(timedelta(hours=24))
    with pytest.raises(AddressCheckExpired):
        await addresses.confirm(uow, her, decision.check.secret)


async def test_erasure_forgets_the_addresses_waiting_for_a_check() -> None:
    uow = FakeUow()
    her = await people.person_for(uow, Claims("email", "elue@crest.fr", email="elue@crest.fr"))
    await addresses.choose(uow, her, "elue.perso@example.org", PREFERENCES, None)
    await people.erase(uow, her)
    assert uow.store.checks == {}


async def test_checks_are_limited_per_person_and_hour() -> None:
    uow = FakeUow()
    her = await people.person_for(uow, Claims("email", "elue@crest.fr", email="elue@crest.fr"))
    for n in range(5):
        await addresses.choose(uow, her, f"a{n}@example.org", PREFERENCES, None)
    with pytest.raises(TooManyRequests):
        await addresses.choose(uow, her, "a5@example.org", PREFERENCES, None)
    # Her own sign-in address needs no check, so no limit either.
    assert (await addresses.choose(uow, her, "elue@crest.fr", PREFERENCES, None)).check is None
    uow.manual.advance(timedelta(hours=1, seconds=1))
    assert (await addresses.choose(uow, her, "a5@example.org", PREFERENCES, None)).check


async def test_a_provider_s_address_is_proven_only_if_it_says_it_verified_it() -> None:
    uow = FakeUow()
    vouched = Claims("https://idp", "sub-1", email="elue@crest.fr", email_verified=True)
    her = await people.person_for(uow, vouched)
    assert (await addresses.choose(uow, her, "elue@crest.fr", PREFERENCES, None)).check is None
    # Unverified by its provider: her address gets a link like any other, nothing is
    # registered meanwhile.
    unverified = Claims("https://idp", "sub-2", email="autre@crest.fr")
    other = await people.person_for(uow, unverified)
    decision = await addresses.choose(uow, other, "autre@crest.fr", PREFERENCES, None)
    assert decision.use_now is None
    assert decision.check is not None and decision.check.email == "autre@crest.fr"
    # The provider's word is the latest sign-in's.
    await people.person_for(uow, replace(vouched, email_verified=False))
    assert (await addresses.choose(uow, her, "elue@crest.fr", PREFERENCES, None)).check
