"""What the page routes share: HTML responses and the page for what stops a visitor."""

from fastapi.responses import HTMLResponse

from deformations_common.vocabulary.errors import DomainError
from deformations_diagnosis.web.render import render_message

QUIZ_LINK = ("/quiz", "Faire le questionnaire")
_TITLES = {404: "Lien introuvable", 410: "Campagne terminée", 409: "Déjà enregistré"}


def html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status)


def stopped(error: DomainError) -> HTMLResponse:
    """A refused command as a page with the error's French message and status."""
    title = _TITLES.get(error.status, "Impossible d'enregistrer vos réponses")
    return html(render_message(title, error.message, QUIZ_LINK), error.status)
