"""The pages of mail links, from their templates: French, escaped, the right form, under
the configured platform's name."""

from __future__ import annotations

from fastapi.responses import HTMLResponse

from deformations_notifications.domain.relay import MAX_BODY
from deformations_notifications.settings import NotificationsSettings
from deformations_notifications.web.pages import Pages

IDF = Pages("Déformations Île-de-France")


def html_of(response: HTMLResponse) -> str:
    return bytes(response.body).decode()


def test_the_unsubscribe_page_posts_the_one_click_form_for_its_token() -> None:
    html = html_of(
        IDF.page("unsubscribe.html.j2", token="abc.def", scope="loan", one_click="One-Click")
    )
    assert "<title>Se désabonner – Déformations Île-de-France</title>" in html
    assert 'action="?token=abc.def"' in html
    assert 'name="List-Unsubscribe" value="One-Click"' in html
    assert "les messages de la rubrique « loan »" in html


def test_every_page_names_the_configured_platform_and_no_other() -> None:
    pages = {
        "unsubscribe": IDF.page("unsubscribe.html.j2", token="t", scope="all", one_click="x"),
        "unsubscribed": IDF.page("unsubscribed.html.j2", scope="all"),
        "reply": IDF.page("reply.html.j2", token="t", max_subject=200, max_body=MAX_BODY),
        "report": IDF.page("report.html.j2", token="t", max_reason=1000),
        "notice": IDF.notice("Réponse envoyée", "Votre réponse a été transmise."),
    }
    for name, response in pages.items():
        html = html_of(response)
        assert "– Déformations Île-de-France</title>" in html, name
        assert "(Dé)formations" not in html, name
    assert "tous les messages de Déformations Île-de-France" in html_of(pages["unsubscribed"])


def test_without_a_configured_name_the_pages_name_the_neutral_platform() -> None:
    pages = Pages(NotificationsSettings().platform_name)
    html = html_of(pages.page("unsubscribed.html.j2", scope="all"))
    assert "<title>Vous êtes désabonné·e – Déformations</title>" in html
    assert "tous les messages de Déformations par courriel" in html


def test_everything_from_a_link_or_a_person_is_escaped() -> None:
    html = html_of(IDF.page("unsubscribed.html.j2", scope="<script>x</script>"))
    assert "<script>" not in html and "&lt;script&gt;" in html
    reply = IDF.page("reply.html.j2", token='"><b>', max_subject=200, max_body=MAX_BODY)
    assert '"><b>' not in html_of(reply)
    escaped = html_of(Pages("<b>Région</b>").notice("Titre", "Texte"))
    assert "<b>Région</b>" not in escaped and "&lt;b&gt;Région&lt;/b&gt;" in escaped


def test_a_notice_has_its_title_sentence_and_status() -> None:
    response = IDF.notice("Trop de messages", "Réessayez <demain>.", 429)
    html = html_of(response)
    assert response.status_code == 429
    assert '<h1 style="font-size: 1.4rem">Trop de messages</h1>' in html
    assert "Réessayez &lt;demain&gt;." in html
