from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jinja2
import pytest

from deformations_common.vocabulary import french
from deformations_notifications.domain.digest import DigestEntry, group_digest
from deformations_notifications.rendering.compose import Composer
from deformations_notifications.rendering.renderer import (
    PLATFORM_NAME,
    TEMPLATE_NAMES,
    Renderer,
    UnknownTemplateError,
)
from deformations_notifications.settings import NotificationsSettings

renderer = Renderer(defaults={"unsubscribe_url": "https://deformations.example/u?token=t"})


def test_every_event_template_has_a_sample(samples: dict[str, dict[str, Any]]) -> None:
    assert set(samples) | {"digest"} == TEMPLATE_NAMES


@pytest.mark.parametrize("name", sorted(n for n in TEMPLATE_NAMES if n != "digest"))
def test_every_template_renders_text_and_html(
    name: str, samples: dict[str, dict[str, Any]]
) -> None:
    msg = renderer.render(name, samples[name])
    assert msg.subject
    assert "\n" not in msg.subject
    assert msg.text.startswith("Bonjour,")
    assert '<html lang="fr">' in msg.html
    assert "Se désabonner" in msg.text
    assert "https://deformations.example/u?token=t" in msg.html
    assert "{{" not in msg.text
    assert "{{" not in msg.html


def test_session_times_are_in_paris_and_in_french(samples: dict[str, dict[str, Any]]) -> None:
    msg = renderer.render("session.scheduled", samples["session.scheduled"])
    assert msg.subject == "Invitation : Café élus-techniciens, le mardi 1er décembre 2026 à 14 h 30"
    assert "14 h 30 – 17 h 30" in msg.text
    assert "Mairie d'Abondance" in msg.text


def test_match_kinds_have_their_own_wording(samples: dict[str, dict[str, Any]]) -> None:
    base = samples["match.proposed"]
    peer = renderer.render("match.proposed", {**base, "kind": "peer_group", "group_size": 6})
    assert "groupe d'entraide" in peer.text
    assert "6 élu·es" in peer.text
    pair = renderer.render(
        "match.proposed", {**base, "kind": "pair", "partner_label": "une technicienne voisine"}
    )
    assert pair.subject.startswith("Un binôme vous est proposé")
    # A café pair has nothing to answer: its cafés' invitations follow.
    assert "messages séparés" in pair.text and "répondu" not in pair.text
    assert "messages séparés" in pair.html and "répondu" not in pair.html
    assert "répondu" in peer.text
    need = renderer.render("match.proposed", base)
    assert "Besoin : Monter un projet alimentaire territorial" in need.text


def test_user_text_is_escaped_in_html(samples: dict[str, dict[str, Any]]) -> None:
    ctx = {**samples["relay.message"], "body": "<script>alert(1)</script> & co"}
    msg = renderer.render("relay.message", ctx)
    assert "<script>" not in msg.html
    assert "&lt;script&gt;" in msg.html
    assert "<script>alert(1)</script> & co" in msg.text  # plain text stays as written


def test_missing_required_field_is_an_error(samples: dict[str, dict[str, Any]]) -> None:
    ctx = dict(samples["loan.agreed"])
    del ctx["lender_name"]
    with pytest.raises(jinja2.UndefinedError):
        renderer.render("loan.agreed", ctx)
    with pytest.raises(UnknownTemplateError):
        renderer.render("loan.unknown", {})


def test_optional_fields_may_be_left_out(samples: dict[str, dict[str, Any]]) -> None:
    ctx = {k: v for k, v in samples["loan.cancelled"].items() if k != "reason"}
    assert "Motif" not in renderer.render("loan.cancelled", ctx).text


def test_small_teams_show_no_breakdown(samples: dict[str, dict[str, Any]]) -> None:
    ctx = {**samples["diagnosis.team_updated"], "respondents": 2, "families": []}
    msg = renderer.render("diagnosis.team_updated", ctx)
    assert "trois personnes au moins" in msg.text
    assert "Les éclaireurs" not in msg.text


def test_digest_lists_items_newest_first(samples: dict[str, dict[str, Any]]) -> None:
    t0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    entries = [
        DigestEntry("loan-3", "Prêt alimentation", "loan.agreed", t0, samples["loan.agreed"]),
        DigestEntry(
            "session-11",
            "Café élus-techniciens",
            "session.scheduled",
            t0 + timedelta(hours=2),
            samples["session.scheduled"],
        ),
        DigestEntry(
            "loan-3",
            "Prêt alimentation",
            "loan.completed",
            t0 + timedelta(days=2),
            samples["loan.completed"],
        ),
    ]
    msg = renderer.render_digest(group_digest(entries), "weekly", {})
    assert msg.subject == "Votre récapitulatif de la semaine : 2 sujets"
    text = msg.text
    assert text.index("## Prêt alimentation") < text.index("## Café élus-techniciens")
    assert text.index("terminée : 7 h 30") < text.index("Mise à disposition convenue")
    assert "Séance programmée le mardi 1er décembre 2026 à 14 h 30" in text


def test_french_formats() -> None:
    summer = datetime(2026, 7, 14, 7, 5, tzinfo=UTC)
    assert french.datetime_fr(summer) == "le mardi 14 juillet 2026 à 9 h 05"
    assert french.date_fr("2026-08-01T12:00:00+02:00") == "samedi 1er août 2026"
    assert french.hours_fr(1) == "1 heure"
    assert french.hours_fr(7) == "7 heures"
    assert french.hours_fr(3.5) == "3 h 30"
    with pytest.raises(ValueError, match="time zone"):
        french.date_fr("2026-08-01T12:00:00")


@pytest.mark.parametrize("name", sorted(n for n in TEMPLATE_NAMES if n != "digest"))
def test_every_mail_speaks_for_the_configured_platform(
    name: str, samples: dict[str, dict[str, Any]]
) -> None:
    """Each Région's platform signs its mails with its own name and colour."""
    idf = Renderer(
        defaults={
            "unsubscribe_url": "https://idf.example/u?token=t",
            "platform_name": "Déformations Île-de-France",
            "platform_colour": "#6b2d7b",
        }
    )
    msg = idf.render(name, samples[name])
    assert "Déformations Île-de-France" in msg.html
    assert "#6b2d7b" in msg.html and "#1b5e40" not in msg.html
    # Nowhere the default name, nor the booklet's title standing for the platform.
    rest = (msg.html + msg.text).replace("Déformations Île-de-France", "")
    assert PLATFORM_NAME not in rest and "(Dé)formations" not in rest


def test_the_sender_is_the_configured_platform() -> None:
    settings = NotificationsSettings(platform_name="Déformations Île-de-France")
    composer = Composer(settings)
    assert composer.sender.display_name == "Déformations Île-de-France"
    assert composer.sender.addr_spec == settings.mail_from
