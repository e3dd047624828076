"""One-click unsubscribe (RFC 8058), from the signed link of a mail."""

from __future__ import annotations

from datetime import timedelta

from deformations_notifications.domain.errors import (
    InvalidUnsubscribeToken,
    UnsubscribeTokenLapsed,
)
from deformations_notifications.domain.unsubscribe import (
    TokenStanding,
    UnsubscribeClaim,
    apply_unsubscribe,
    standing,
    verify_unsubscribe_token,
)
from deformations_notifications.service.uow import NotificationsUow


async def claim_of(uow: NotificationsUow, token: str) -> UnsubscribeClaim:
    """What a link's token claims, if it still acts; else why not (nothing changes)."""
    claim = verify_unsubscribe_token(token, uow.settings.secret())
    if claim is None:
        raise InvalidUnsubscribeToken()
    links_from = await uow.recipients.unsubscribe_links_from(claim.person_id)
    lifetime = timedelta(days=uow.settings.unsubscribe_token_days)
    found = standing(claim, uow.now(), lifetime, links_from)
    if found is not TokenStanding.VALID:
        raise UnsubscribeTokenLapsed(found.value)
    return claim


async def unsubscribe(uow: NotificationsUow, token: str) -> UnsubscribeClaim:
    """Idempotent, as mail clients may send it more than once; an erased person is done."""
    claim = await claim_of(uow, token)
    prefs = await uow.recipients.get_for_update(claim.person_id)
    if prefs is not None:
        now = uow.now()
        await uow.recipients.save(apply_unsubscribe(prefs, claim, now), now)
    return claim


async def renew_links(uow: NotificationsUow, person_id: str) -> None:
    """Revoke the person's unsubscribe links (mails sent from now carry new ones)."""
    await uow.recipients.renew_unsubscribe_links(person_id, uow.now())
