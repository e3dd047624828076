from datetime import timedelta

import jwt
import pytest
from portal_fakes import FakeUow

from deformations_contracts.events.people import MembershipChanged, PersonErasureRequested
from deformations_portal.domain.errors import (
    InvalidName,
    LinkExpired,
    LinkInvalid,
    LinkUsed,
    NoValidatedMembership,
    TooManyRequests,
)
from deformations_portal.service import memberships, people, tokens
from deformations_portal.service.people import Claims


async def test_a_link_signs_in_once() -> None:
    uow = FakeUow()
    link = await people.request_link(uow, "Elue@Crest.fr", "10.0.0.1")
    assert link is not None and link.email == "elue@crest.fr"
    assert link.secret not in str(uow.store.links)
    person_id = await people.consume_link(uow, link.secret)
    with pytest.raises(LinkUsed):
        await people.consume_link(uow, link.secret)
    again = await people.request_link(uow, "elue@crest.fr", "10.0.0.1")
    assert again is not None
    assert await people.consume_link(uow, again.secret) == person_id


async def test_an_expired_or_forged_link_signs_nobody_in() -> None:
    uow = FakeUow()
    link = await people.request_link(uow, "elue@crest.fr", "10.0.0.1")
    assert link is not None
    uow.manual.advance(timedelta(minutes=15))
    with pytest.raises(LinkExpired):
        await people.consume_link(uow, link.secret)
    with pytest.raises(LinkInvalid):
        await people.consume_link(uow, "forged")
    assert uow.store.persons == {}


async def test_links_are_rate_limited_per_address_silently_and_per_ip_loudly() -> None:
    uow = FakeUow()
    for _ in range(3):
        assert await people.request_link(uow, "a@crest.fr", "10.0.0.1") is not None
    # The address's limit answers as a sent link would: nothing tells it apart.
    assert await people.request_link(uow, "a@crest.fr", "10.0.0.2") is None
    assert await people.request_link(uow, "b@crest.fr", "10.0.0.1") is not None
    assert await people.request_link(uow, "d@crest.fr", "10.0.0.1") is not None  # 5th
    with pytest.raises(TooManyRequests):
        await people.request_link(uow, "c@crest.fr", "10.0.0.1")
    uow.manual.advance(timedelta(hours=1, seconds=1))
    assert await people.request_link(uow, "a@crest.fr", "10.0.0.1") is not None


async def test_proconnect_siret_gives_the_siren() -> None:
    assert Claims("https://pc", "s", siret="21260108200011").siren == "212601082"
    assert Claims("https://pc", "s", siret="123").siren is None


async def test_the_same_identity_is_the_same_person() -> None:
    uow = FakeUow()
    first = await people.person_for(uow, Claims("https://idp", "abc", email="x@y.fr"))
    assert await people.person_for(uow, Claims("https://idp", "abc")) == first
    assert await people.person_for(uow, Claims("https://other", "abc")) != first


async def test_erasure_is_published_and_the_portal_forgets() -> None:
    uow = FakeUow()
    person_id = await people.person_for(uow, Claims("email", "e@crest.fr", email="e@crest.fr"))
    await memberships.request_join(uow, person_id, "212601082", "elected")
    session = await people.open_session(uow, person_id)
    await people.erase(uow, person_id)
    kinds = [type(e) for e in uow.store.events]
    assert PersonErasureRequested in kinds
    assert [e.status.value for e in uow.store.events if isinstance(e, MembershipChanged)] == [
        "requested",
        "revoked",
    ]
    assert uow.store.identities == {}
    assert await people.current(uow, session.secret) is None


async def test_signing_out_everywhere_ends_every_session_of_the_person_only() -> None:
    uow = FakeUow()
    elue = await people.person_for(uow, Claims("email", "e@crest.fr", email="e@crest.fr"))
    other = await people.person_for(uow, Claims("email", "o@crest.fr", email="o@crest.fr"))
    phone, laptop = await people.open_session(uow, elue), await people.open_session(uow, elue)
    theirs = await people.open_session(uow, other)
    assert await people.end_all_sessions(uow, elue) == 2
    assert await people.current(uow, phone.secret) is None
    assert await people.current(uow, laptop.secret) is None
    assert await people.current(uow, theirs.secret) is not None
    assert await people.end_all_sessions(uow, elue) == 0


async def test_tokens_are_short_lived_rs256_for_one_audience() -> None:
    uow = FakeUow()
    operator = await people.create_operator(uow, "ops@example.org", "200040509")
    acting = (await uow.memberships.of_person(operator))[0]
    issuer = await tokens.load_issuer(uow)
    assert (await tokens.load_issuer(uow)).kid == issuer.kid  # the key is kept
    token = issuer.issue(operator, acting, "lending", uow.now())
    key = jwt.PyJWKSet.from_dict(issuer.jwks()).keys[0].key
    claims = jwt.decode(
        token,
        key,
        algorithms=["RS256"],
        audience="lending",
        issuer=uow.settings.issuer,
        options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
    )
    assert claims["sub"] == str(operator)
    assert (claims["authority"], claims["roles"]) == ("200040509", ["operator"])
    assert claims["exp"] - claims["iat"] <= 300
    with pytest.raises(jwt.InvalidAudienceError):
        jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            audience="diagnosis",
            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
        )


async def test_a_person_switches_between_validated_memberships_only() -> None:
    uow = FakeUow()
    operator = await people.create_operator(uow, "ops@example.org", "200040509")
    person_id = await people.person_for(uow, Claims("email", "e@crest.fr", email="e@crest.fr"))
    crest = await memberships.request_join(uow, person_id, "212601082", "elected")
    epci = await memberships.request_join(uow, person_id, "200040509", "elected")
    session = await people.open_session(uow, person_id)
    with pytest.raises(NoValidatedMembership):
        await people.switch(uow, session.secret, epci.membership_id)
    for request in (crest, epci):
        await memberships.decide(uow, operator, request.membership_id, accept=True)
    signed_in = await people.current(uow, session.secret)
    assert signed_in is not None and signed_in.acting is not None
    assert signed_in.acting.siren == "212601082"
    await people.switch(uow, session.secret, epci.membership_id)
    signed_in = await people.current(uow, session.secret)
    assert signed_in is not None and signed_in.acting is not None
    assert signed_in.acting.siren == "200040509"


async def test_only_the_token_that_registers_an_address_vouches_for_it() -> None:
    uow = FakeUow()
    elue = await people.person_for(uow, Claims("email", "e@crest.fr", email="e@crest.fr"))
    issuer = await tokens.load_issuer(uow)
    options: dict[str, bool] = {"verify_signature": False}
    plain = jwt.decode(issuer.issue(elue, None, "notifications", uow.now()), options=options)
    assert "email" not in plain and "email_verified" not in plain
    vouching = issuer.issue(
        elue, None, "notifications", uow.now(), email="e@crest.fr", email_verified=True
    )
    claims = jwt.decode(vouching, options=options)
    assert (claims["email"], claims["email_verified"]) == ("e@crest.fr", True)


async def test_a_typed_name_wins_over_the_providers_and_erasure_removes_it() -> None:
    uow = FakeUow()
    linked = await people.person_for(uow, Claims("email", "e@crest.fr", email="e@crest.fr"))
    assert await people.name_of(uow, linked) == ""  # an address is not a name
    assert await people.display_name(uow, linked) == "e@crest.fr"
    await people.choose_name(uow, linked, " Claire ", "Faure")
    assert await people.name_of(uow, linked) == "Claire Faure"
    assert await uow.persons.search("faure") == [linked]
    provided = await people.person_for(
        uow, Claims("https://pc", "s", email="m@crest.fr", given_name="Marie", usual_name="X")
    )
    assert await people.name_of(uow, provided) == "Marie X"
    await people.choose_name(uow, provided, "Marie", "Dupont")
    assert await people.display_name(uow, provided) == "Marie Dupont"
    await people.choose_name(uow, provided, "", "")  # back to her provider's
    assert await people.name_of(uow, provided) == "Marie X"
    session = await people.open_session(uow, linked)
    signed_in = await people.current(uow, session.secret)
    assert signed_in is not None and signed_in.name == "Claire Faure"
    await people.erase(uow, linked)
    assert await uow.persons.chosen_name(linked) is None
    assert await people.name_of(uow, linked) == ""


async def test_a_bad_name_changes_nothing() -> None:
    uow = FakeUow()
    her = await people.person_for(uow, Claims("email", "e@crest.fr", email="e@crest.fr"))
    await people.choose_name(uow, her, "Claire", "Faure")
    with pytest.raises(InvalidName):
        await people.choose_name(uow, her, "", "Faure")
    assert await people.name_of(uow, her) == "Claire Faure"
