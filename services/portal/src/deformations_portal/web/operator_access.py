"""What the back-office pages of the questionnaires and the recipes start from: the
operator's membership (else the page to show instead), and the page of a form refused
before anything was done, with the way back to the listing."""

from __future__ import annotations

from fastapi.responses import Response

from deformations_common.vocabulary.errors import DomainError
from deformations_portal.domain import operator as rules
from deformations_portal.domain.memberships import Membership
from deformations_portal.web.context import Page


def operator_of(page: Page) -> Membership | Response:
    """The signed-in person's operator membership, else sign-in or « Accès réservé »."""
    if page.me is None:
        return page.redirect("/connexion")
    try:
        return rules.require_operator(page.me.memberships)
    except DomainError as error:
        return page.message("Accès réservé", error.message, status=error.status, error=True)


def action_refused(page: Page, error: DomainError, back: str, back_text: str) -> Response:
    """A form that could not be acted on (its token, a vanished item): nothing done."""
    return page.message(
        "Action impossible",
        error.message,
        status=error.status,
        error=True,
        link={"href": back, "text": back_text},
    )
