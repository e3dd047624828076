"""The mail asking someone to act on a loan: its button is a link signed for that person,
which the portal's verifier accepts for them and this action only."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import UUID, uuid4

from deformations_common.action_links import DEV_LINK_SIGNING_KEY, LinkCheck, check_action_link
from deformations_common.settings import Environment
from deformations_contracts.events.lending import (
    ActingRole,
    LoanAction,
    LoanActionRequested,
    LoanParty,
)
from deformations_notifications.domain.audience import Audience, RoleHolders, audience_of
from deformations_notifications.domain.preferences import RecipientPreferences
from deformations_notifications.rendering.compose import Composer
from deformations_notifications.settings import NotificationsSettings

NOW = datetime(2026, 6, 2, 8, 0, tzinfo=UTC)
LENDER, BORROWER = "213202088", "213203458"
APP = "https://deformations.example.org"


def _event(action: LoanAction = LoanAction.APPROVE) -> LoanActionRequested:
    return LoanActionRequested(
        loan_id=uuid4(),
        offer_id=uuid4(),
        lender_siren=LENDER,
        borrower_siren=BORROWER,
        agent_role="Technicienne restauration collective",
        theme="alimentation",
        half_days_agreed=2,
        action=action,
        party=LoanParty.LENDER,
        collectivite_siren=LENDER,
        roles=[ActingRole.ELECTED, ActingRole.HR],
        requested_at=NOW,
    )


def _mail(event: LoanActionRequested, person: str) -> EmailMessage:
    composer = Composer(NotificationsSettings(environment=Environment.DEV, app_url=APP))
    row: dict[str, Any] = {
        "id": uuid4(),
        "event_type": event.routing_key,
        "template": "loan.action_requested",
        "payload": event.model_dump(mode="json"),
    }
    return composer.single(row, RecipientPreferences(person, "rh@example.org"), NOW)


def _link(mail: EmailMessage) -> str:
    text = mail.get_body(("plain",))
    assert text is not None
    found = re.search(r"Voir et confirmer : (\S+)", text.get_content())
    assert found is not None
    return found.group(1)


def test_the_roles_asked_to_act_in_the_collectivite_are_the_audience() -> None:
    assert audience_of(_event()) == Audience(
        holders=RoleHolders(LENDER, frozenset({"elected", "hr"}))
    )


def test_the_consent_is_asked_of_the_named_agent_alone_in_person() -> None:
    agent = uuid4()
    event = _event(LoanAction.AGENT_CONSENT).model_copy(
        update={"roles": [ActingRole.AGENT], "agent_person_id": str(agent)}
    )
    # Not the collectivité's agents, nor its référents: that one person.
    assert audience_of(event) == Audience(people=frozenset({str(agent)}))

    mail = _mail(event, str(agent))

    assert mail["Subject"].startswith("Un prêt attend votre réponse")
    text = mail.get_body(("plain",))
    assert text is not None
    assert "attend votre réponse, en personne" in text.get_content()
    assert "donner ou refuser votre accord" in text.get_content()
    token = parse_qs(urlsplit(_link(mail)).query)["jeton"][0]
    assert (
        check_action_link(
            token,
            DEV_LINK_SIGNING_KEY,
            loan_id=event.loan_id,
            action="accord-agent",
            person_id=agent,
            now=NOW,
        )
        is LinkCheck.VALID
    )


def test_the_lender_is_asked_to_confirm_a_proposed_half_day() -> None:
    event = _event(LoanAction.CONFIRM_SESSION).model_copy(update={"session_id": uuid4()})
    assert audience_of(event) == Audience(holders=RoleHolders(LENDER, frozenset({"elected", "hr"})))
    mail = _mail(event, str(uuid4()))
    text = mail.get_body(("plain",))
    assert text is not None
    assert "confirmer la demi-journée proposée" in text.get_content()
    assert parse_qs(urlsplit(_link(mail)).query)["action"] == ["confirmer-seance"]


def test_the_mailed_link_readies_this_action_for_this_person_only() -> None:
    event, person = _event(), uuid4()
    mail = _mail(event, str(person))

    assert mail["Subject"].startswith("Un prêt attend votre accord")
    link = urlsplit(_link(mail))
    assert f"{link.scheme}://{link.netloc}{link.path}" == f"{APP}/prets/{event.loan_id}"
    query = parse_qs(link.query)
    action, token = query["action"][0], query["jeton"][0]
    assert action == "accord"

    def check(person_id: UUID, action: str = action, now: datetime = NOW) -> LinkCheck:
        return check_action_link(
            token,
            DEV_LINK_SIGNING_KEY,
            loan_id=event.loan_id,
            action=action,
            person_id=person_id,
            now=now,
        )

    assert check(person) is LinkCheck.VALID
    assert check(uuid4()) is LinkCheck.OTHER_PERSON
    assert check(person, action="accepter") is not LinkCheck.VALID
    assert check(person, now=NOW + timedelta(days=8)) is LinkCheck.EXPIRED


def test_a_recipient_the_portal_cannot_sign_in_gets_the_plain_page() -> None:
    event = _event(LoanAction.AGENT_CONSENT)
    assert _link(_mail(event, "not-a-uuid")) == f"{APP}/prets/{event.loan_id}"
