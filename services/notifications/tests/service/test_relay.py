"""The contact relay's use cases over the fake unit of work: limits, tokens, refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest

from deformations_common.vocabulary.clock import ManualClock
from deformations_notifications.domain.contexts import SharedContext
from deformations_notifications.domain.errors import (
    InvalidReplyToken,
    NoSharedContext,
    NotRelayAddress,
    NotYourReplyToken,
    RelayLimitReached,
    ReplyTokenExpired,
)
from deformations_notifications.domain.relay import RelayError, reply_address
from deformations_notifications.service import relay
from deformations_notifications.settings import NotificationsSettings

from .fakes import FakeUow

CREST = "212601082"


async def together(uow: FakeUow, *people: str) -> None:
    """Put people in one context (a peer group, say), as an event would."""
    await uow.relay.add_to_context(SharedContext(f"group:{'-'.join(people)}", frozenset(people)))


async def test_a_message_is_kept_and_told_to_its_recipient(uow: FakeUow) -> None:
    await together(uow, "elu-aouste", "rh-crest")
    sent = await relay.write(uow, "elu-aouste", CREST, "rh-crest", "Bonjour", "Une question")
    [message] = uow.relay.messages.values()
    assert (message.sender, message.recipient, message.sent_at) == (
        "elu-aouste",
        "rh-crest",
        sent.sent_at,
    )
    [notice] = uow.notifications.of("rh-crest")
    assert notice["template"] == "relay.message"
    assert notice["payload"]["sender_label"] == "Une personne de Crest"
    assert "elu-aouste" not in str(notice["payload"])  # the sender stays anonymous


async def test_the_replier_is_the_other_side_of_the_thread(uow: FakeUow) -> None:
    await together(uow, "elu-aouste", "rh-crest")
    await relay.write(uow, "elu-aouste", None, "rh-crest", "Bonjour", "Une question")
    token = next(iter(uow.relay.messages.values())).reply_token
    await relay.reply(uow, token, "Re", "Volontiers", signed_in="rh-crest")
    assert [m.sender for m in uow.relay.messages.values()] == ["elu-aouste", "rh-crest"]
    assert len(uow.notifications.of("elu-aouste")) == 1
    with pytest.raises(NotYourReplyToken):
        await relay.reply(uow, token, "Re", "Moi aussi", signed_in="intrus")


async def test_the_labels_of_nameless_writers_name_the_configured_platform(
    clock: ManualClock,
) -> None:
    uow = FakeUow(NotificationsSettings(platform_name="Déformations Île-de-France"), clock)
    await together(uow, "elu-aouste", "rh-crest")
    await relay.write(uow, "elu-aouste", None, "rh-crest", "Bonjour", "Une question")
    token = next(iter(uow.relay.messages.values())).reply_token
    await relay.reply(uow, token, "Re", "Volontiers", signed_in="rh-crest")
    [written] = uow.notifications.of("rh-crest")
    [answered] = uow.notifications.of("elu-aouste")
    assert written["payload"]["sender_label"] == (
        "Une personne inscrite sur Déformations Île-de-France"
    )
    assert answered["payload"]["sender_label"] == (
        "Votre correspondant·e sur Déformations Île-de-France"
    )


def test_without_a_configured_name_the_labels_name_the_neutral_platform() -> None:
    assert relay.sender_label(None, NotificationsSettings().platform_name) == (
        "Une personne inscrite sur Déformations"
    )


async def test_past_the_hourly_limit_nothing_is_kept_until_the_hour_passed(
    uow: FakeUow, clock: ManualClock
) -> None:
    await together(uow, "elu-1", *(f"rh-{n}" for n in (0, 1, 2, 9)))
    for n in range(3):  # the fixture's limit
        await relay.write(uow, "elu-1", None, f"rh-{n}", "Objet", "Message")
    with pytest.raises(RelayLimitReached) as refused:
        await relay.write(uow, "elu-1", None, "rh-9", "Objet", "Message")
    assert (refused.value.status, refused.value.details) == (429, {"retry_after_s": 3600})
    assert len(uow.relay.messages) == 3 and uow.notifications.of("rh-9") == []
    clock.advance(timedelta(hours=1, minutes=1))
    await relay.write(uow, "elu-1", None, "rh-9", "Objet", "Message")
    assert len(uow.notifications.of("rh-9")) == 1


async def test_bad_tokens_addresses_and_messages_are_refused(uow: FakeUow) -> None:
    with pytest.raises(InvalidReplyToken):
        await relay.reply(uow, "not-a-token-at-all", "Re", "x")
    domain = uow.settings.mail_domain
    with pytest.raises(NotRelayAddress):
        await relay.reply_by_mail(uow, f"someone@{domain}", "Re", "x")
    with pytest.raises(InvalidReplyToken):
        await relay.reply_by_mail(uow, reply_address("forged", domain), "Re", "x")
    with pytest.raises(RelayError) as to_oneself:
        await relay.write(uow, "elu-1", None, "elu-1", "Objet", "Message")
    assert (to_oneself.value.code, to_oneself.value.status) == ("invalid_relay_message", 422)
    assert uow.relay.messages == {} and uow.notifications.rows == {}


async def test_only_people_who_share_a_context_may_write(uow: FakeUow) -> None:
    await together(uow, "elu-1", "elu-2")
    with pytest.raises(NoSharedContext) as refused:
        await relay.write(uow, "elu-1", None, "inconnue", "Bonjour", "Une question")
    assert (refused.value.code, refused.value.status) == ("no_shared_context", 403)
    assert "partagez" in refused.value.message
    assert uow.relay.messages == {} and uow.relay.threads == {}
    assert uow.notifications.rows == {}
    await relay.write(uow, "elu-1", None, "elu-2", "Bonjour", "Une question")
    await relay.write(uow, "elu-2", None, "elu-1", "Bonjour", "Dans l'autre sens")


async def test_a_collectivite_in_a_context_brings_its_registered_people(uow: FakeUow) -> None:
    aouste = "212600175"
    await uow.relay.add_to_context(
        SharedContext("loan:1", frozenset({"agent"}), frozenset({CREST, aouste}))
    )
    await uow.recipients.add_collectivite("rh-crest", CREST)
    # The élue's collectivité comes from her token (its authority) or her registration.
    await relay.write(uow, "elu-aouste", aouste, "rh-crest", "Le prêt", "Une question")
    await relay.write(uow, "rh-crest", None, "agent", "Le prêt", "Une question")
    with pytest.raises(NoSharedContext):
        await relay.write(uow, "elu-aouste", None, "rh-crest", "Le prêt", "Sans son autorité")
    with pytest.raises(NoSharedContext):
        await relay.write(uow, "rh-crest", None, "elu-aouste", "Le prêt", "Pas inscrite")


async def test_erasure_takes_the_person_out_of_her_contexts(uow: FakeUow) -> None:
    await together(uow, "elu-1", "elu-2")
    await uow.relay.erase_person("elu-2")
    with pytest.raises(NoSharedContext):
        await relay.write(uow, "elu-1", None, "elu-2", "Bonjour", "Encore là ?")


async def test_a_reply_token_lapses_once_the_conversation_was_quiet_too_long(
    uow: FakeUow, clock: ManualClock
) -> None:
    days = uow.settings.relay_reply_days
    await together(uow, "elu-aouste", "rh-crest")
    await relay.write(uow, "elu-aouste", None, "rh-crest", "Bonjour", "Une question")
    token = next(iter(uow.relay.messages.values())).reply_token
    clock.advance(timedelta(days=days - 1))
    await relay.reply(uow, token, "Re", "Volontiers")  # a reply keeps the thread alive
    clock.advance(timedelta(days=days - 1))
    await relay.reply(uow, token, "Re", "Encore moi")
    clock.advance(timedelta(days=days, minutes=1))
    with pytest.raises(ReplyTokenExpired) as lapsed:
        await relay.reply(uow, token, "Re", "Trop tard")
    assert lapsed.value.status == 410 and "expiré" in lapsed.value.message
    assert len(uow.relay.messages) == 3 and len(uow.notifications.of("elu-aouste")) == 2
