"""Operators hide an appel à pairs with a reason and show it again: it leaves public lists
and recruitment, its author still sees it with the reason and is told — over an in-memory
unit of work."""

import pytest

from deformations_common.errors import Forbidden
from deformations_contracts.events.moderation import ContentHidden, ContentKind, ContentShown
from deformations_matching.domain.errors import AlreadyHidden, CallHidden, NotHidden
from deformations_matching.service import moderation, peer_calls
from deformations_matching.service.moderation import HideIn
from deformations_matching.service.peer_calls import PeerCallIn

from .fakes import FakeUow, Store
from .people import elected, with_roles
from .test_peer_calls import PROBLEM, diagnosed

OPERATOR = with_roles("operateur", "operator")
REASON = "Propos injurieux envers une autre commune"


async def test_a_hidden_call_leaves_public_lists_and_its_author_is_told(
    uow: FakeUow, store: Store
) -> None:
    author, reader, *_ = await diagnosed(uow, 5)
    call = await peer_calls.post_call(
        uow, elected(author), PeerCallIn(theme="alimentation", problem=PROBLEM, anonymous=True)
    )
    [queued] = await moderation.recent(uow, OPERATOR, 50)
    assert queued.call_id == call.call_id and queued.person_id == author  # even anonymous
    assert queued.hidden_reason is None

    hidden = await moderation.hide(uow, OPERATOR, call.call_id, HideIn(reason=REASON))
    assert hidden.hidden_reason == REASON and hidden.hidden_at == uow.now()
    [told] = store.emitted_of(ContentHidden)
    assert told.content_id == call.call_id and told.kind is ContentKind.PEER_CALL
    assert told.person_id == author and told.reason == REASON

    assert await peer_calls.list_calls(uow, elected(reader), None, 50) == []
    [mine] = await peer_calls.list_calls(uow, elected(author), None, 50)
    assert mine.hidden and mine.hidden_reason == REASON
    with pytest.raises(CallHidden):
        await peer_calls.form_group(uow, elected(author), call.call_id)
    with pytest.raises(AlreadyHidden):
        await moderation.hide(uow, OPERATOR, call.call_id, HideIn(reason=REASON))
    assert len(store.emitted_of(ContentHidden)) == 1

    shown = await moderation.show(uow, OPERATOR, call.call_id)
    assert shown.hidden_reason is None
    [again] = await peer_calls.list_calls(uow, elected(reader), None, 50)
    assert again.call_id == call.call_id and not again.hidden and again.hidden_reason is None
    with pytest.raises(NotHidden):
        await moderation.show(uow, OPERATOR, call.call_id)
    assert len(store.emitted_of(ContentHidden)) == 1  # showing again tells nobody…
    [announced] = store.emitted_of(ContentShown)  # …but is announced, once
    assert (announced.content_id, announced.kind) == (call.call_id, ContentKind.PEER_CALL)


async def test_only_operators_moderate(uow: FakeUow, store: Store) -> None:
    author, *_ = await diagnosed(uow, 1)
    call = await peer_calls.post_call(
        uow, elected(author), PeerCallIn(theme="alimentation", problem=PROBLEM)
    )
    with pytest.raises(Forbidden):
        await moderation.recent(uow, elected(author), 50)
    with pytest.raises(Forbidden):
        await moderation.hide(uow, elected(author), call.call_id, HideIn(reason=REASON))
    assert store.calls[call.call_id].hidden_reason is None
    assert store.emitted_of(ContentHidden) == []
