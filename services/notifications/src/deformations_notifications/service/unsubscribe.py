"""One-click unsubscribe (RFC 8058), from the signed link of a mail."""

from __future__ import annotations

from deformations_notifications.domain.errors import InvalidUnsubscribeToken
from deformations_notifications.domain.unsubscribe import (
    UnsubscribeClaim,
    apply_unsubscribe,
    verify_unsubscribe_token,
)
from deformations_notifications.service.uow import NotificationsUow


def claim_of(uow: NotificationsUow, token: str) -> UnsubscribeClaim | None:
    """What a link's token claims, or None when it is not one of ours."""
    return verify_unsubscribe_token(token, uow.settings.secret())


async def unsubscribe(uow: NotificationsUow, token: str) -> UnsubscribeClaim:
    """Idempotent, as mail clients may send it more than once; an erased person is done."""
    claim = claim_of(uow, token)
    if claim is None:
        raise InvalidUnsubscribeToken()
    prefs = await uow.recipients.get_for_update(claim.person_id)
    if prefs is not None:
        now = uow.now()
        await uow.recipients.save(apply_unsubscribe(prefs, claim, now), now)
    return claim
