"""Match proposals kept for borrowers, and erasure, over the in-memory unit of work."""

from uuid import uuid4

import pytest
from lending_factories import BORROWER, LENDER
from lending_fakes import FakeUnitOfWork, actor, agreed_loan

from deformations_contracts.events.matching import MatchProposed, ProposalKind
from deformations_contracts.registry import examples
from deformations_lending.domain.errors import ForbiddenError
from deformations_lending.service import people, proposals


def _event(kind: str, requests: list[tuple[str, str]]) -> MatchProposed:
    """A proposal of matching's contract example, with the given kind and requests."""
    need_offer = next(e for e in examples("match.proposed.v1") if e.get("offer"))
    data = {**need_offer, "kind": kind, "proposal_id": str(uuid4())}
    data["offer"] = {**need_offer["offer"], "collectivite_siren": LENDER.siren}
    data["requests"] = [
        {**need_offer["requests"][0], "request_id": rid, "collectivite_siren": siren}
        for rid, siren in requests
    ]
    return MatchProposed.model_validate(data)


async def test_a_grouped_offer_proposal_is_kept_for_each_borrower(uow: FakeUnitOfWork) -> None:
    request_id = str(uuid4())
    event = _event("grouped_offer", [(request_id, BORROWER.siren), (str(uuid4()), LENDER.siren)])

    kept = await proposals.store_proposal(uow, event)

    # The lender's own request is no loan: only the borrower's is kept.
    assert [(p.borrower_siren, str(p.request_id)) for p in kept] == [(BORROWER.siren, request_id)]
    mine = await proposals.my_proposals(uow, actor(BORROWER.siren, "elected"))
    assert [p.proposal_id for p in mine] == [event.proposal_id]
    assert set(uow.fake_collectivites.known) == {LENDER.siren, BORROWER.siren}


async def test_peer_proposals_are_not_loans(uow: FakeUnitOfWork) -> None:
    event = _event("need_offer", [(str(uuid4()), BORROWER.siren)])
    peers = event.model_copy(update={"kind": ProposalKind.PEER_GROUP})

    assert await proposals.store_proposal(uow, peers) == []
    assert uow.fake_proposals.rows == {}


async def test_proposals_are_shown_to_the_borrower_s_elected_or_hr_only(
    uow: FakeUnitOfWork,
) -> None:
    with pytest.raises(ForbiddenError):
        await proposals.my_proposals(uow, actor(BORROWER.siren, "agent"))


async def test_erasing_a_person_forgets_them_and_keeps_the_loan(uow: FakeUnitOfWork) -> None:
    loan_id = await agreed_loan(uow)  # the agent is "agent-1"

    erased = await people.erase_person(uow, "agent-1")

    record = uow.fake_loans.records[loan_id]
    assert erased == 1
    assert record.people.agent is None
    assert record.people.accepted_by == "borrower-elected"
    assert await people.erase_person(uow, "agent-1") == 0
