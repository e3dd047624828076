"""The events matching publishes, built from domain results, always fit their contract."""

from datetime import UTC, datetime
from uuid import uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from deformations_contracts.events.matching import MatchProposed, ProposalKind
from deformations_matching import events
from deformations_matching.domain.scoring import Reason


@settings(max_examples=80, deadline=None)
@given(
    score=st.floats(-1, 2, allow_nan=False),
    texts=st.lists(st.text(min_size=3, max_size=600).filter(str.strip), min_size=1, max_size=14),
)
def test_a_need_offer_event_always_fits_its_contract(score: float, texts: list[str]) -> None:
    request, offer = uuid4(), uuid4()
    event = events.need_offer(
        request_id=request,
        requester_siren="938438454",
        offer_id=offer,
        lender_siren="212601082",
        theme="alimentation",
        score=score,
        reasons=[Reason("x", t) for t in texts],
        now=datetime.now(UTC),
    )
    again = MatchProposed.model_validate(event.model_dump(mode="json"))
    assert 0 <= again.score <= 1 and 1 <= len(again.reasons) <= 10
    assert all(len(r) <= 300 for r in again.reasons)
    # The same parties always make the same proposal.
    assert event.proposal_id == events.proposal_id_for(
        ProposalKind.NEED_OFFER, str(request), str(offer)
    )
