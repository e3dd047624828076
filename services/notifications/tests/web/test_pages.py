"""The pages of mail links, from their templates: French, escaped, the right form."""

from __future__ import annotations

from deformations_notifications.domain.relay import MAX_BODY
from deformations_notifications.web.pages import notice, page


def test_the_unsubscribe_page_posts_the_one_click_form_for_its_token() -> None:
    html = bytes(
        page("unsubscribe.html.j2", token="abc.def", scope="loan", one_click="One-Click").body
    ).decode()
    assert "<title>Se désabonner – (Dé)formations</title>" in html
    assert 'action="?token=abc.def"' in html
    assert 'name="List-Unsubscribe" value="One-Click"' in html
    assert "les messages de la rubrique « loan »" in html


def test_everything_from_a_link_or_a_person_is_escaped() -> None:
    html = bytes(page("unsubscribed.html.j2", scope="<script>x</script>").body).decode()
    assert "<script>" not in html and "&lt;script&gt;" in html
    reply = page("reply.html.j2", token='"><b>', max_subject=200, max_body=MAX_BODY)
    assert '"><b>' not in bytes(reply.body).decode()


def test_a_notice_has_its_title_sentence_and_status() -> None:
    response = notice("Trop de messages", "Réessayez <demain>.", 429)
    html = bytes(response.body).decode()
    assert response.status_code == 429
    assert '<h1 style="font-size: 1.4rem">Trop de messages</h1>' in html
    assert "Réessayez &lt;demain&gt;." in html
