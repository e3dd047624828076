"""The training events reach the élu concerned, in French, with the portal page they concern."""

from __future__ import annotations

from uuid import uuid4

import pytest

from deformations_common.vocabulary.collectivites import collectivite_name
from deformations_contracts.base import EventData
from deformations_contracts.events.training import (
    EnrolmentCancelled,
    EnrolmentConfirmed,
    EnrolmentPromoted,
    EnrolmentWaitlisted,
)
from deformations_contracts.registry import EVENTS, examples
from deformations_contracts.themes import label as theme_label
from deformations_devtools.notifications import training_events as made
from deformations_notifications.domain.audience import audience_of
from deformations_notifications.domain.planning import IncomingEvent, template_of
from deformations_notifications.rendering.contexts import Links, context_for
from deformations_notifications.rendering.renderer import TEMPLATE_NAMES, Renderer
from deformations_notifications.rendering.training import euros

SITE = "https://deformations.example.org"
LINKS = Links(SITE + "/")
renderer = Renderer()
ENERGIE, ALIMENTATION = f"« {theme_label('energie')} »", f"« {theme_label('alimentation')} »"
ELUE, TRAINER = "elue-crest", "formatrice-drome"


def rendered(event: EventData) -> tuple[str, str, str]:
    """(subject, text, html) of the mail the event becomes."""
    data = event.model_dump(mode="json")
    ctx = context_for(event.routing_key, data, LINKS, collectivite_name)
    message = renderer.render(template_of(event.routing_key), ctx)
    return message.subject, message.text, message.html


TRAINING_EVENTS: list[EventData] = [
    made.enrolment(EnrolmentConfirmed, ELUE),
    made.enrolment(EnrolmentWaitlisted, ELUE),
    made.enrolment(EnrolmentPromoted, ELUE),
    made.enrolment(EnrolmentCancelled, ELUE),
    made.rebond(ELUE, TRAINER),
    made.evaluation(ELUE),
    made.invited(ELUE, TRAINER),
    made.review_due(ELUE),
]


@pytest.mark.parametrize("event", TRAINING_EVENTS, ids=lambda e: e.routing_key)
def test_each_training_event_is_for_the_elu_it_names_only(event: EventData) -> None:
    audience = audience_of(event)
    assert audience.people == {ELUE}
    # Neither the trainer of the rebond nor the facilitator, nor the whole collectivité.
    assert not audience.sirens and not audience.campaigns


@pytest.mark.parametrize("event", TRAINING_EVENTS, ids=lambda e: e.routing_key)
def test_each_training_event_has_its_french_template(event: EventData) -> None:
    assert template_of(event.routing_key) in TEMPLATE_NAMES
    subject, text, html = rendered(event)
    assert subject and "{{" not in subject
    assert 'lang="fr"' in html
    assert "None" not in text and "None" not in html


def test_every_event_people_are_told_of_has_a_template() -> None:
    """No event of the catalogue reaches a person without a mail to send them (an élu's own
    answer reaches nobody: other systems only, through webhooks)."""
    for event in TRAINING_EVENTS:
        assert template_of(event.routing_key) in TEMPLATE_NAMES
    told = {template_of(e.routing_key) for e in TRAINING_EVENTS}
    assert told == {
        template_of(key)
        for key in EVENTS
        if key.split(".")[0] in ("enrolment", "rebond", "evaluation", "programme")
        and audience_of(EVENTS[key].model_validate(examples(key)[0])).people
    }


def test_an_enrolment_links_to_the_offer_and_says_the_price() -> None:
    offer = uuid4()
    event = made.enrolment(EnrolmentConfirmed, ELUE, offer, price_cents=15_000)
    subject, text, html = rendered(event)
    assert subject == f"Inscription confirmée : {ENERGIE}"
    assert "Prix par personne : 150\u00a0€." in text
    assert "une soirée" in text
    assert f'href="{SITE}/formations/{offer}"' in html
    assert f"{SITE}/formations/{offer}" in text


def test_a_grouped_enrolment_says_its_price_is_provisional() -> None:
    event = made.enrolment(EnrolmentConfirmed, ELUE, group_id=uuid4(), price_cents=7_500)
    _, text, _ = rendered(event)
    assert "offre groupée" in text and "75\u00a0€ par personne pour l'instant" in text


def test_the_waitlist_gives_the_position_and_a_promotion_the_place() -> None:
    subject, text, _ = rendered(made.enrolment(EnrolmentWaitlisted, ELUE, position=3))
    assert subject == f"Liste d'attente, position 3 : {ENERGIE}"
    assert "position 3 sur la liste d'attente" in text
    subject, text, _ = rendered(made.enrolment(EnrolmentPromoted, ELUE, price_cents=7_250))
    assert subject.startswith("Une place s'est libérée")
    assert "72,50\u00a0€" in text


def test_a_cancellation_says_whether_it_was_on_the_waitlist() -> None:
    _, text, _ = rendered(made.enrolment(EnrolmentCancelled, ELUE, was_waitlisted=True))
    assert f"inscription sur la liste d'attente à la formation {ENERGIE}" in text
    assert "agenda" not in text
    _, text, _ = rendered(made.enrolment(EnrolmentCancelled, ELUE, was_waitlisted=False))
    assert "Votre inscription à la formation" in text
    assert "retirées de votre agenda" in text


def test_the_rebond_of_the_trainer_leads_to_the_journey_and_the_proposed_module() -> None:
    offer = uuid4()
    subject, text, html = rendered(made.rebond(ELUE, TRAINER, offer_id=str(offer)))
    assert subject == f"Et après ? Une suite à votre formation : {ALIMENTATION}"
    assert "un autre module" in text
    assert f'href="{SITE}/formations/parcours"' in html
    assert f'href="{SITE}/formations/{offer}"' in html
    _, text, html = rendered(
        made.rebond(ELUE, TRAINER, kind="cafe", offer_id=None, occasion="one_year_later")
    )
    assert "Il y a un an" in text and "un café d'élus" in text
    assert "/formations/parcours" in html
    assert "module proposé" not in html


@pytest.mark.parametrize(
    ("kind", "subject", "words"),
    [
        ("satisfaction", f"Questionnaire de satisfaction : {ENERGIE}", "deux minutes"),
        ("impact_6_months", f"Impact à 6 mois : {ENERGIE}", "Qu'en avez-vous fait"),
        ("impact_12_months", f"Impact à 12 mois : {ENERGIE}", "Qu'en avez-vous fait"),
    ],
)
def test_a_questionnaire_due_links_to_its_form(kind: str, subject: str, words: str) -> None:
    event = made.evaluation(ELUE, kind=kind)
    said, text, html = rendered(event)
    assert said == subject
    assert words in text and "anonymes" in text
    assert f'href="{SITE}/formations/questionnaires/{event.evaluation_id}"' in html


def test_a_programme_invitation_names_the_recipe_and_the_territory() -> None:
    invitation = made.invited(ELUE, TRAINER)
    subject, text, html = rendered(invitation)
    assert subject == "Invitation au programme : La non-conférence des élus/élues"
    assert collectivite_name(made.CRESTOIS) in text
    assert f'href="{SITE}/programmes/{invitation.programme_id}"' in html
    assert "Répondre à l'invitation : " in text
    review = made.review_due(ELUE, questions=3)
    subject, text, html = rendered(review)
    assert f'href="{SITE}/programmes/{review.programme_id}"' in html
    assert subject == "Votre bilan du programme : La non-conférence des élus/élues"
    assert "3 critères « On sera content si… » à noter de 1 à 4" in text


def test_training_and_programme_sessions_link_to_what_they_belong_to() -> None:
    session = made.training_session([ELUE])
    data = session.model_dump(mode="json")
    ctx = context_for(session.routing_key, data, LINKS, collectivite_name)
    assert ctx["title"] == "Séance de formation"
    assert ctx["session_url"] == f"{SITE}/formations/{session.related_id}"
    assert audience_of(session).people == {ELUE}
    programme = made.training_session([ELUE, TRAINER], kind="programme_session")
    ctx = context_for(programme.routing_key, programme.model_dump(mode="json"), LINKS, str)
    assert ctx["title"] == "Séance du programme"
    assert ctx["session_url"] == f"{SITE}/programmes/{programme.related_id}"
    titled = made.training_session([ELUE], title="Rénover l'école sans se ruiner")
    ctx = context_for(titled.routing_key, titled.model_dump(mode="json"), LINKS, str)
    assert ctx["title"] == "Rénover l'école sans se ruiner"


def test_a_digest_groups_training_news_per_item() -> None:
    def item(event: EventData) -> str:
        data = event.model_dump(mode="json")
        return IncomingEvent("training", "1", event.routing_key, made.AT, data).item_key

    evaluation = made.evaluation(ELUE)
    assert item(evaluation) == f"evaluation:{evaluation.evaluation_id}"
    rebond = made.rebond(ELUE, TRAINER)
    assert item(rebond) == f"rebond:{rebond.rebond_id}"
    waitlisted = made.enrolment(EnrolmentWaitlisted, ELUE)
    promoted = made.enrolment(EnrolmentPromoted, ELUE, enrolment_id=str(waitlisted.enrolment_id))
    assert item(waitlisted) == item(promoted) == f"enrolment:{waitlisted.enrolment_id}"
    invitation = made.invited(ELUE, TRAINER)
    assert item(invitation) == f"programme:{invitation.programme_id}"
    for event in TRAINING_EVENTS:
        data = event.model_dump(mode="json")
        ctx = context_for(event.routing_key, data, LINKS, collectivite_name)
        assert renderer.summary(template_of(event.routing_key), ctx).endswith(".")


@pytest.mark.parametrize(
    ("cents", "said"),
    [
        (0, "0\u00a0€"),
        (15_000, "150\u00a0€"),
        (7_250, "72,50\u00a0€"),
        (123_405, "1\u202f234,05\u00a0€"),
    ],
)
def test_prices_are_written_the_french_way(cents: int, said: str) -> None:
    assert euros(cents) == said


def test_a_questionnaire_reminder_says_so_in_its_subject() -> None:
    first = made.evaluation(ELUE, kind="satisfaction")
    again = first.model_copy(update={"reminder": True})
    assert not rendered(first)[0].startswith("Rappel")
    subject, text, _ = rendered(again)
    assert subject == f"Rappel – Questionnaire de satisfaction : {ENERGIE}"
    assert f"{SITE}/formations/questionnaires/{first.evaluation_id}" in text
