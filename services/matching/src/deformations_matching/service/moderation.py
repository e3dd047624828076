"""Moderation of appels à pairs by operators: the recent ones, hide with a reason, show.

Hiding takes a call out of public lists and recruitment; its author still sees it with the
reason and is told (``content.hidden.v1``). Showing it again tells nobody; it is announced
(``content.shown.v1``) for whoever keeps a copy."""

from dataclasses import replace
from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, StringConstraints

from deformations_common.auth import Principal
from deformations_common.vocabulary.roles import Role
from deformations_contracts.events.moderation import ContentHidden, ContentKind, ContentShown
from deformations_contracts.themes import label
from deformations_matching.domain.errors import AlreadyHidden, NotHidden, UnknownCall
from deformations_matching.repositories.peers import CallRow
from deformations_matching.service.uow import MatchingUow


class HideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=300)]


class ModeratedCallOut(BaseModel):
    """An appel à pairs as operators see it: its author's id even when anonymous."""

    call_id: UUID
    kind: ContentKind = ContentKind.PEER_CALL
    person_id: str
    theme: str
    theme_label: str
    text: str
    status: str
    created_at: datetime
    hidden_reason: str | None
    hidden_at: datetime | None


def moderated(call: CallRow) -> ModeratedCallOut:
    return ModeratedCallOut(
        call_id=call.call_id,
        person_id=call.person_id,
        theme=call.theme,
        theme_label=label(call.theme),
        text=call.problem,
        status=call.status,
        created_at=call.created_at,
        hidden_reason=call.hidden_reason,
        hidden_at=call.hidden_at,
    )


async def recent(uow: MatchingUow, principal: Principal, limit: int) -> list[ModeratedCallOut]:
    principal.require(Role.OPERATOR)
    return [moderated(c) for c in await uow.peers.recent_calls(limit)]


async def _call(uow: MatchingUow, call_id: UUID) -> CallRow:
    call = await uow.peers.get_call(call_id, lock=True)
    if call is None:
        raise UnknownCall("Cet appel à pairs n'existe pas.")
    return call


async def hide(
    uow: MatchingUow, principal: Principal, call_id: UUID, body: HideIn
) -> ModeratedCallOut:
    """Hide a call with a reason; its author is told (once: hiding twice is refused)."""
    principal.require(Role.OPERATOR)
    call = await _call(uow, call_id)
    if call.hidden:
        raise AlreadyHidden("Cet appel est déjà masqué.")
    now = uow.now()
    await uow.peers.set_hidden(call_id, body.reason, now)
    await uow.emit(
        ContentHidden(
            content_id=call_id,
            kind=ContentKind.PEER_CALL,
            person_id=call.person_id,
            reason=body.reason,
            hidden_at=now,
        )
    )
    return moderated(replace(call, hidden_reason=body.reason, hidden_at=now))


async def show(uow: MatchingUow, principal: Principal, call_id: UUID) -> ModeratedCallOut:
    """Show a hidden call again, in public lists and recruitment."""
    principal.require(Role.OPERATOR)
    call = await _call(uow, call_id)
    if not call.hidden:
        raise NotHidden("Cet appel n'est pas masqué.")
    await uow.peers.set_hidden(call_id, None, None)
    await uow.emit(ContentShown(content_id=call_id, kind=ContentKind.PEER_CALL, shown_at=uow.now()))
    return moderated(replace(call, hidden_reason=None, hidden_at=None))
