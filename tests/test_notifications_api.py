"""Recipients, consent and the contact relay over HTTP, on the real broker and database;
two replicas of the sender share the work without sending anything twice."""

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlencode
from uuid import uuid4

import httpx
import pytest
from platform_harness import Platform, RunningService
from test_notifications_e2e import (
    CREST,
    MORNING,
    diagnosis_completed,
    idle_rounds,
    loan,
    notifications_of,
    publish,
    put_together,
    register,
    start_notifications,
)

from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.events.lending import LoanAgreed
from deformations_devtools.demo import DemoContext
from deformations_devtools.notifications.catchers import MailCatcher
from deformations_devtools.notifications.demo import AOUSTE, play
from deformations_devtools.people import subject as demo_subject
from deformations_devtools.testing import wait_until
from deformations_notifications.domain.relay import RelayThread
from deformations_notifications.service.recipients import consent_wording

pytestmark = pytest.mark.integration


@pytest.fixture
async def smtp() -> AsyncIterator[MailCatcher]:
    async with MailCatcher.running() as catcher:
        yield catcher


async def paired(
    platform: Platform, service: RunningService, smtp: MailCatcher, first: str, second: str
) -> None:
    """Pair the two registered people (the relay's context) and forget the pair's mails."""
    before = len(smtp.received)
    await put_together(platform, service, first, second)
    await wait_until(lambda: len(smtp.received) == before + 2, what="the pair's mails")
    del smtp.received[before:], smtp.recipients[before:], smtp.tls[before:]


async def test_notifications_wait_for_registration_and_consent(
    platform: Platform, smtp: MailCatcher
) -> None:
    clock = ManualClock(MORNING)
    service = await start_notifications(platform, clock, smtp)
    person = f"elue-{uuid4().hex[:8]}"
    await publish(platform, diagnosis_completed(person), source="diagnosis")

    async def recorded() -> bool:
        return len(await notifications_of(service, person)) == 1

    await wait_until(recorded, what="the notification waiting for its recipient")
    [waiting] = await notifications_of(service, person)
    assert (waiting["status"], waiting["send_at"]) == ("pending", None)
    assert waiting["skip_reason"] == "not_registered"

    wording = await service.client.get("/v1/recipients/consent")
    # Without PLATFORM_NAME, the portal's neutral platform asks for the consent.
    assert wording.json() == {"wording": consent_wording("Déformations")}
    without = await register(service, person, consent=False)
    assert without["consent"] is None and without["scheduled"] == 0
    registered = await register(service, person, authority=CREST)
    assert registered["scheduled"] == 1
    assert registered["consent"]["wording"] == consent_wording("Déformations")
    assert datetime.fromisoformat(registered["consent"]["given_at"]) == MORNING
    assert registered["collectivites"] == [CREST]
    await wait_until(lambda: len(smtp.received) == 1, what="the mail once registered")
    assert smtp.recipients == [[f"{person}@example.org"]]

    clock.advance(timedelta(hours=1))
    again = await register(service, person, email="nouvelle.adresse@example.org")
    assert datetime.fromisoformat(again["consent"]["given_at"]) == MORNING  # kept as given


async def test_bad_registrations_are_refused_and_erasure_on_request(
    platform: Platform, smtp: MailCatcher
) -> None:
    service = await start_notifications(platform, ManualClock(MORNING), smtp)
    person = f"elu-{uuid4().hex[:8]}"
    headers = service.auth(person)
    anonymous = await service.client.put("/v1/me/recipient", json={"email": "a@b.fr"})
    assert anonymous.status_code == 401
    for body in (
        {"email": "pas-une-adresse", "consent": True},
        {"email": "a@b.fr", "consent": True, "language": "en"},
        {"email": "a@b.fr", "consent": True, "quiet_hours": {"timezone": "Mars/Olympus"}},
        {"email": "a@b.fr", "consent": True, "digest": {"frequency": "hourly"}},
        # Wall-clock times of the person's zone: an offset would make them instants.
        {"email": "a@b.fr", "consent": True, "digest": {"send_time": "08:00:00+02:00"}},
        {"email": "a@b.fr", "consent": True, "quiet_hours": {"start": "21:00Z"}},
    ):
        refused = await service.client.put("/v1/me/recipient", json=body, headers=headers)
        assert refused.status_code == 422, body
        assert refused.headers["content-type"] == "application/problem+json"
    # Only an address the token vouches for as proven hers: anyone else's mailbox is not
    # hers to point notifications at.
    body = {"email": "a@b.fr", "consent": True}
    for claims in (
        {},
        {"email": "a@b.fr"},
        {"email": "a@b.fr", "email_verified": False},
        {"email": "autre@b.fr", "email_verified": True},
    ):
        refused = await service.client.put(
            "/v1/me/recipient", json=body, headers=service.auth(person, **claims)
        )
        assert refused.status_code == 403, (claims, refused.text)
        assert refused.json()["code"] == "address_not_proven"
        assert "n'a pas été vérifiée" in refused.json()["detail"]
    missing = await service.client.get("/v1/me/recipient", headers=headers)
    assert missing.status_code == 404 and missing.json()["code"] == "not_registered"

    await register(service, person, quiet_hours=None, digest={"frequency": "weekly", "weekday": 4})
    me = (await service.client.get("/v1/me/recipient", headers=headers)).json()
    assert me["quiet_hours"] is None and me["digest"]["weekday"] == 4
    assert (await service.client.delete("/v1/me/recipient", headers=headers)).status_code == 204
    assert (await service.client.get("/v1/me/recipient", headers=headers)).status_code == 404


async def test_the_relay_hides_addresses_both_ways(platform: Platform, smtp: MailCatcher) -> None:
    service = await start_notifications(
        platform, ManualClock(MORNING), smtp, platform_name="Déformations Île-de-France"
    )
    elue, rh = f"elue-{uuid4().hex[:6]}", f"rh-{uuid4().hex[:6]}"
    await register(service, elue, authority=CREST)
    await register(service, rh)
    message = {"to": rh, "subject": "Prêt d'une technicienne", "body": "Pouvons-nous en parler ?"}
    # Strangers may not write to each other: only people who share a context.
    stranger = await service.client.post(
        "/v1/relay/messages", json=message, headers=service.auth(elue, authority=CREST)
    )
    assert stranger.status_code == 403, stranger.text
    assert stranger.headers["content-type"] == "application/problem+json"
    assert stranger.json()["code"] == "no_shared_context"
    assert await service.runtime.pool.fetchval("SELECT count(*) FROM relay_threads") == 0
    await paired(platform, service, smtp, elue, rh)
    written = await service.client.post(
        "/v1/relay/messages", json=message, headers=service.auth(elue, authority=CREST)
    )
    assert written.status_code == 201, written.text
    await wait_until(lambda: len(smtp.received) == 1, what="the relayed message")
    [mail] = smtp.messages()
    assert mail["Subject"] == "Message via Déformations Île-de-France : Prêt d'une technicienne"
    assert f"{elue}@example.org" not in smtp.received[0].decode()
    assert "Une personne de Crest" in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    reply_to = str(mail["Reply-To"])
    assert reply_to.startswith("relais+")
    token = reply_to.split("+", 1)[1].split("@", 1)[0]

    forged = await service.client.post(
        "/v1/relay/replies", json={"token": token[:-2] + "xx", "subject": "Re", "body": "Oui"}
    )
    assert forged.status_code == 403
    replied = await service.client.post(
        "/v1/relay/replies", json={"token": token, "subject": "Re : prêt", "body": "Oui, jeudi."}
    )
    assert replied.status_code == 201
    assert replied.json()["thread_id"] == written.json()["thread_id"]
    await wait_until(lambda: len(smtp.received) == 2, what="the reply")
    assert smtp.recipients[1] == [f"{elue}@example.org"]
    assert f"{rh}@example.org" not in smtp.received[1].decode()
    reply = smtp.messages()[1].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Votre correspondant·e sur Déformations Île-de-France" in reply

    # She answers from the « Répondre » page of her mail, a plain HTML form.
    text = smtp.messages()[1].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    link = re.search(r"(https?://\S+/v1/relay/reply\?token=\S+?)\.?\s", text)
    assert link is not None
    path = link.group(1).removeprefix(service.settings.public_url)
    page = await service.client.get(path)
    assert page.status_code == 200 and "<textarea" in page.text
    assert "<title>Répondre – Déformations Île-de-France</title>" in page.text
    posted = await service.client.post(
        path,
        content=urlencode({"subject": "Re : jeudi", "body": "Parfait, à jeudi !"}).encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert posted.status_code == 200 and "Réponse envoyée" in posted.text
    await wait_until(lambda: len(smtp.received) == 3, what="her answer from the form")
    assert smtp.recipients[2] == [f"{rh}@example.org"]

    # The mail server hands a reply sent to the Reply-To address over to the relay.
    inbound = {"to": str(smtp.messages()[2]["Reply-To"]), "subject": "Re", "body": "Noté."}
    refused = await service.client.post("/v1/relay/inbound", json=inbound, headers=service.auth(rh))
    assert refused.status_code == 403
    handed = await service.client.post(
        "/v1/relay/inbound", json=inbound, headers=service.auth("mta", roles=("operator",))
    )
    assert handed.status_code == 201, handed.text
    await wait_until(lambda: len(smtp.received) == 4, what="the reply by mail")
    assert smtp.recipients[3] == [f"{elue}@example.org"]

    to_self = await service.client.post(
        "/v1/relay/messages",
        json={"to": elue, "subject": "Moi", "body": "À moi-même"},
        headers=service.auth(elue),
    )
    assert to_self.status_code == 422


async def test_two_replicas_send_each_mail_once(platform: Platform, smtp: MailCatcher) -> None:
    first = await start_notifications(platform, ManualClock(MORNING), smtp)
    second = await start_notifications(platform, ManualClock(MORNING), smtp)
    people = [f"elu-{i}-{uuid4().hex[:6]}" for i in range(12)]
    for person in people:
        await register(first, person)
    for person in people:
        await publish(platform, diagnosis_completed(person), source="diagnosis")
    await wait_until(lambda: len(smtp.received) >= len(people), what="one mail per person")
    await idle_rounds(first)
    await idle_rounds(second)
    assert sorted(r[0] for r in smtp.recipients) == sorted(f"{p}@example.org" for p in people)


class InProcessDemo(DemoContext):
    """The demo context of ``make run``, speaking to the in-process service."""

    app: Any = None

    def client(self, service: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app)
        return httpx.AsyncClient(transport=transport, base_url="http://notifications")


async def test_the_demo_registers_people_and_their_mails_go_out(
    platform: Platform, smtp: MailCatcher
) -> None:
    service = await start_notifications(platform, ManualClock(datetime.now(UTC)), smtp)
    elu = f"elu-{uuid4().hex[:6]}"
    await publish(platform, diagnosis_completed(elu), source="diagnosis")

    async def waiting() -> bool:
        return len(await notifications_of(service, elu)) == 1

    await wait_until(waiting, what="a notification waiting for the demo person")
    # Lending's demo loan, Crest to Aouste: the relay lets their people write to each
    # other (its agent is no demo person, so it mails nobody).
    agreed = loan(LoanAgreed, uuid4(), f"agent-{uuid4().hex[:6]}")
    await publish(platform, agreed.model_copy(update={"borrower_siren": AOUSTE}))

    async def loan_known() -> bool:
        context = f"loan:{agreed.loan_id}"
        found = await service.runtime.pool.fetchval(
            "SELECT count(*) FROM relay_contexts WHERE context = $1", context
        )
        return bool(found == 3)

    await wait_until(loan_known, what="the loan known to the relay")
    said: list[str] = []
    ctx = InProcessDemo(urls={}, settings=service.settings, say=said.append)
    ctx.app = service.app
    ctx.shared["people"] = [{"person_id": elu, "authority": CREST}]
    ctx.shared["diagnosis.people"] = ["demo-elu-26108-0"]
    await play(ctx)
    assert sorted(r[0] for r in smtp.recipients) == sorted(
        [f"{elu}@demo.deformations.example.org", "demo-rh-crest@demo.deformations.example.org"]
    )
    assert "2 mail(s) sent" in said[-1]
    # The demo acts as the demo person, known everywhere by one id (the portal signs them in).
    aouste = service.auth(demo_subject("demo-elu-aouste"))
    me = await service.client.get("/v1/me/recipient", headers=aouste)
    assert me.json()["collectivites"] == ["212600118"]  # Aouste-sur-Sye, lending's borrower


async def test_new_preferences_replan_what_was_not_sent_yet(
    platform: Platform, smtp: MailCatcher
) -> None:
    service = await start_notifications(platform, ManualClock(MORNING), smtp)
    person = f"elu-{uuid4().hex[:8]}"
    await register(service, person, digest={"frequency": "weekly", "weekday": 0})
    await publish(platform, diagnosis_completed(person), source="diagnosis")

    async def planned() -> bool:
        return len(await notifications_of(service, person)) == 1

    await wait_until(planned, what="the notification planned for Monday's digest")
    [weekly] = await notifications_of(service, person)
    assert weekly["batched"] is True
    assert datetime.fromisoformat(weekly["send_at"]).weekday() == 0
    await idle_rounds(service)
    assert smtp.received == []

    again = await register(service, person, digest={"frequency": "immediate"})
    assert again["scheduled"] == 1
    await wait_until(lambda: len(smtp.received) == 1, what="the mail sent right away")


async def test_the_relay_limits_what_one_person_sends(
    platform: Platform, smtp: MailCatcher
) -> None:
    clock = ManualClock(MORNING)
    service = await start_notifications(
        platform, clock, smtp, relay_messages_per_hour=2, relay_new_threads_per_day=1
    )
    elue, rh, dgs = (f"{who}-{uuid4().hex[:6]}" for who in ("elue", "rh", "dgs"))
    for person in (elue, rh, dgs):
        await register(service, person)
    await paired(platform, service, smtp, elue, rh)
    await paired(platform, service, smtp, elue, dgs)

    def write(to: str) -> Any:
        return service.client.post(
            "/v1/relay/messages",
            json={"to": to, "subject": "Prêt", "body": "Pouvons-nous en parler ?"},
            headers=service.auth(elue),
        )

    first = await write(rh)
    assert first.status_code == 201, first.text
    second = await write(dgs)  # a second conversation on the same day
    assert second.status_code == 429
    assert second.headers["retry-after"] == "86400"
    assert second.json()["code"] == "relay_limit"
    assert "conversations en 24 heures" in second.json()["detail"]

    thread = first.json()["thread_id"]
    pool = service.runtime.pool
    assert await pool.fetchval("SELECT count(*) FROM relay_threads") == 1  # nothing kept
    token = await pool.fetchval(
        "SELECT payload->>'reply_token' FROM notifications"
        " WHERE recipient_id = $1 AND template = 'relay.message'",
        rh,
    )

    def answer(subject: str) -> Any:
        # The RH answers with the token of the élue's message.
        return service.client.post(
            "/v1/relay/replies", json={"token": token, "subject": subject, "body": "Oui."}
        )

    # The RH's hour is the RH's own: the élue's message does not count in it.
    assert (await answer("Re 1")).status_code == 201
    assert (await answer("Re 2")).status_code == 201
    third = await answer("Re 3")
    assert third.status_code == 429 and third.headers["retry-after"] == "3600"
    assert (
        await pool.fetchval("SELECT count(*) FROM relay_messages WHERE thread_id = $1", thread) == 3
    )
    clock.advance(timedelta(hours=1, minutes=1))
    assert (await answer("Re 4")).status_code == 201

    # A conversation quiet for longer than RELAY_REPLY_DAYS takes no more replies by token.
    clock.advance(timedelta(days=service.settings.relay_reply_days, minutes=1))
    lapsed = await answer("Re 5")
    assert lapsed.status_code == 410, lapsed.text
    assert lapsed.headers["content-type"] == "application/problem+json"
    assert lapsed.json()["code"] == "reply_token_expired"
    assert "expiré" in lapsed.json()["detail"]
    assert (
        await pool.fetchval("SELECT count(*) FROM relay_messages WHERE thread_id = $1", thread) == 4
    )
    # The « Répondre » form of the mail says so in French, and keeps nothing either.
    form = await service.client.post(
        f"/v1/relay/reply?token={token}",
        content=urlencode({"subject": "Re 6", "body": "Toujours là ?"}).encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert form.status_code == 410 and "Lien de réponse expiré" in form.text
    assert (
        await pool.fetchval("SELECT count(*) FROM relay_messages WHERE thread_id = $1", thread) == 4
    )


async def test_a_recipient_reports_a_sender_whom_an_operator_blocks(
    platform: Platform, smtp: MailCatcher
) -> None:
    service = await start_notifications(platform, ManualClock(MORNING), smtp)
    pest, elue = f"elu-{uuid4().hex[:6]}", f"elue-{uuid4().hex[:6]}"
    await register(service, pest)
    await register(service, elue)
    await paired(platform, service, smtp, pest, elue)
    operator = service.auth("ops", roles=("operator",))

    async def write(subject: str) -> Any:
        return await service.client.post(
            "/v1/relay/messages",
            json={"to": elue, "subject": subject, "body": "Vous êtes une incapable."},
            headers=service.auth(pest),
        )

    assert (await write("Votre projet")).status_code == 201
    await wait_until(lambda: len(smtp.received) == 1, what="the relayed message")
    text = smtp.messages()[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    link = re.search(r"(https?://\S+/v1/relay/report\?token=\S+?)\.?\s", text)
    assert link is not None, text
    path = link.group(1).removeprefix(service.settings.public_url)

    # Opening the link reports nothing; an empty reason is refused beside its field.
    page = await service.client.get(path)
    assert page.status_code == 200 and "<textarea" in page.text
    assert "<title>Signaler une conversation – Déformations</title>" in page.text
    assert (await service.client.get("/v1/relay/reports", headers=operator)).json() == []
    form = {"content-type": "application/x-www-form-urlencoded"}
    empty = await service.client.post(path, content=b"reason=+", headers=form)
    assert empty.status_code == 422 and "ce qui pose problème" in empty.text
    sent = await service.client.post(
        path, content=urlencode({"reason": "Insultes répétées"}).encode(), headers=form
    )
    assert sent.status_code == 200 and "Signalement transmis" in sent.text

    assert (
        await service.client.get("/v1/relay/reports", headers=service.auth(elue))
    ).status_code == 403
    [report] = (await service.client.get("/v1/relay/reports", headers=operator)).json()
    assert (report["reporter"], report["reported"]) == (elue, pest)
    assert report["reason"] == "Insultes répétées"
    assert report["subject"] == "Votre projet" and report["body"] == "Vous êtes une incapable."

    short = await service.client.post(
        f"/v1/relay/reports/{report['id']}/block", json={"reason": ""}, headers=operator
    )
    assert short.status_code == 422
    assert (await write("Encore")).status_code == 201  # not blocked yet
    blocked = await service.client.post(
        f"/v1/relay/reports/{report['id']}/block",
        json={"reason": "Insultes envers une élue"},
        headers=operator,
    )
    assert blocked.status_code == 200 and blocked.json() == {"blocked": pest}
    refused = await write("Et encore")
    assert refused.status_code == 403 and "bloqué vos messages" in refused.json()["detail"]
    assert (await service.client.get("/v1/relay/reports", headers=operator)).json() == []
    again = await service.client.post(
        f"/v1/relay/reports/{report['id']}/block", json={"reason": "Deux fois"}, headers=operator
    )
    assert again.status_code == 404
    # She can still answer him (the block is on his messages, not hers).
    token = unquote(link.group(1).split("token=", 1)[1])
    answered = await service.client.post(
        "/v1/relay/replies", json={"token": token, "subject": "Re", "body": "Stop."}
    )
    assert answered.status_code == 201


async def test_the_reply_form_answers_a_page_for_a_bad_token_or_a_gone_conversation(
    platform: Platform, smtp: MailCatcher
) -> None:
    service = await start_notifications(platform, ManualClock(MORNING), smtp)
    secret = service.settings.secret()
    gone = RelayThread(id=uuid4().hex[:24], initiator="elu-a", counterpart="elue-b")

    async def post_form(token: str) -> httpx.Response:
        return await service.client.post(
            f"/v1/relay/reply?token={token}",
            content=urlencode({"subject": "Re", "body": "Bonjour"}).encode(),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )

    forged = await post_form("bm9wZQ.AAAAAAAAAAAAAAAAAAAA")
    assert forged.status_code == 403
    assert forged.headers["content-type"].startswith("text/html")
    assert "Réponse impossible" in forged.text and "pas valide" in forged.text
    unknown = await post_form(gone.reply_token("elue-b", secret))
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("text/html")
    assert "Cette conversation n&#39;existe plus." in unknown.text
    kept = "SELECT count(*) FROM relay_messages WHERE thread_id = $1"
    assert await service.runtime.pool.fetchval(kept, gone.id) == 0
