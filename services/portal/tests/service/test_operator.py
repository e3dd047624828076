import uuid
from datetime import timedelta

import pytest
from portal_fakes import FakeUow

from deformations_common.vocabulary.errors import InvalidInput
from deformations_contracts.events.people import MembershipChanged
from deformations_portal.domain.errors import MembershipNotPending, NotAnOperator, ReasonRequired
from deformations_portal.domain.memberships import Status
from deformations_portal.domain.operator import JournalAction, journal_filter
from deformations_portal.service import memberships, operator, people
from deformations_portal.service.people import Claims

CREST = "212601082"
DIE = "212601132"


async def person(uow: FakeUow, email: str, given: str | None = None) -> uuid.UUID:
    return await people.person_for(uow, Claims("email", email, email=email, given_name=given))


async def setup() -> tuple[FakeUow, uuid.UUID]:
    uow = FakeUow()
    ops = await people.create_operator(uow, "ops@example.org", "200040509")
    return uow, ops


async def test_the_queue_spans_collectivites_oldest_first_and_refusals_are_motivated() -> None:
    uow, ops = await setup()
    first = await memberships.request_join(uow, await person(uow, "a@crest.fr"), CREST, "elected")
    uow.manual.advance(timedelta(minutes=5))
    second = await memberships.request_join(uow, await person(uow, "b@die.fr"), DIE, "agent")
    queue = await operator.pending(uow, ops)
    assert [w.membership.membership_id for w in queue] == [
        first.membership_id,
        second.membership_id,
    ]
    assert queue[0].who == "a@crest.fr"

    with pytest.raises(ReasonRequired):
        await operator.decide(uow, ops, second.membership_id, accept=False, why=" ")
    assert uow.store.memberships[second.membership_id].status is Status.REQUESTED
    assert uow.store.journal == []

    uow.store.events.clear()
    accepted = await operator.decide(uow, ops, first.membership_id, accept=True)
    refused = await operator.decide(uow, ops, second.membership_id, accept=False, why="Doublon")
    assert accepted.status is Status.VALIDATED and refused.status is Status.REFUSED
    assert [type(e) for e in uow.store.events] == [MembershipChanged, MembershipChanged]
    assert [(e.action, e.subject, e.siren, e.reason, e.actor) for e in uow.store.journal] == [
        (JournalAction.MEMBERSHIP_ACCEPTED, str(first.membership_id), CREST, None, ops),
        (JournalAction.MEMBERSHIP_REFUSED, str(second.membership_id), DIE, "Doublon", ops),
    ]
    with pytest.raises(MembershipNotPending):
        await operator.decide(uow, ops, first.membership_id, accept=True)
    assert await operator.pending(uow, ops) == []


async def test_nobody_but_an_operator_uses_the_back_office() -> None:
    uow, ops = await setup()
    someone = await person(uow, "x@crest.fr")
    request = await memberships.request_join(uow, someone, CREST, "hr")
    await operator.decide(uow, ops, request.membership_id, accept=True)
    # A validated référent is not an operator.
    for call in (
        operator.pending(uow, someone),
        operator.search_people(uow, someone, "crest"),
        operator.decide(uow, someone, request.membership_id, accept=True),
        operator.revoke(uow, someone, request.membership_id, "non"),
        operator.browse_collectivites(uow, someone, ""),
        operator.journal(uow, someone, journal_filter()),
        operator.record_dead_letters(uow, someone, "lending", redriven=True, ids=["e1"]),
    ):
        with pytest.raises(NotAnOperator):
            await call
    assert len(uow.store.journal) == 1


async def test_search_revoke_and_collectivites() -> None:
    uow, ops = await setup()
    claire = await person(uow, "claire@crest.fr", given="Claire")
    request = await memberships.request_join(uow, claire, CREST, "hr")
    await operator.decide(uow, ops, request.membership_id, accept=True)
    await memberships.request_join(uow, await person(uow, "b@crest.fr"), CREST, "elected")

    with pytest.raises(InvalidInput, match="2 caractères"):
        await operator.search_people(uow, ops, "c")
    assert await operator.search_people(uow, ops, "") == []
    [found] = await operator.search_people(uow, ops, "CLAIRE")
    assert found.person_id == claire and found.name == "Claire"
    assert found.emails == ["claire@crest.fr"]
    assert [m.status for m in found.memberships] == [Status.VALIDATED]

    rows = {r.collectivite.siren: r for r in await operator.browse_collectivites(uow, ops, "")}
    assert (rows[CREST].members, rows[CREST].waiting) == (1, 1)
    assert [r.split(" (")[0] for r in rows[CREST].referents] == ["Claire"]
    [crest] = await operator.browse_collectivites(uow, ops, CREST)
    assert crest.collectivite.name == "Crest" and crest.members == 1

    with pytest.raises(ReasonRequired):
        await operator.revoke(uow, ops, request.membership_id, "")
    ended = await operator.revoke(uow, ops, request.membership_id, "A quitté la mairie")
    assert ended.status is Status.REVOKED and ended.decided_by == ops
    assert isinstance(uow.store.events[-1], MembershipChanged)
    assert uow.store.journal[-1].action is JournalAction.MEMBERSHIP_REVOKED
    assert uow.store.journal[-1].reason == "A quitté la mairie"


async def test_dead_letter_actions_and_the_journal_pages() -> None:
    uow, ops = await setup()
    ids = [f"e{n}" for n in range(25)]
    await operator.record_dead_letters(uow, ops, "lending", redriven=True, ids=ids)
    await operator.record_dead_letters(uow, ops, "matching", redriven=False, ids=["x"])
    first = await operator.journal(uow, ops, journal_filter())
    assert first.total == 26 and first.pages == 2 and len(first.lines) == 20
    assert first.lines[0].entry.subject == "matching:x"
    assert first.lines[0].who == "ops@example.org"
    second = await operator.journal(uow, ops, journal_filter(page="2"))
    assert [line.entry.subject for line in second.lines] == [
        f"lending:e{n}" for n in range(5, -1, -1)
    ]
    discarded = await operator.journal(uow, ops, journal_filter("dead_letter.discarded"))
    assert [line.entry.subject for line in discarded.lines] == ["matching:x"]


async def test_a_referents_decision_is_in_the_journal_too() -> None:
    uow, ops = await setup()
    hr = await person(uow, "rh@crest.fr")
    request = await memberships.request_join(uow, hr, CREST, "hr")
    await operator.decide(uow, ops, request.membership_id, accept=True)
    elue = await memberships.request_join(uow, await person(uow, "e@crest.fr"), CREST, "elected")
    await memberships.decide(uow, hr, elue.membership_id, accept=False)
    last = uow.store.journal[-1]
    assert (last.actor, last.action, last.subject) == (
        hr,
        JournalAction.MEMBERSHIP_REFUSED,
        str(elue.membership_id),
    )
    page = await operator.journal(uow, ops, journal_filter(siren=CREST))
    assert [line.who for line in page.lines] == ["rh@crest.fr", "ops@example.org"]
