"""After a speed-dating evening, write to a person one has « atomes crochus » with.

A mutual mark is all the evening reveals; the contact relay (notifications) carries the
first message without either address shown, and its mail lets the other answer. The
portal offers the form only for mutual marks; notifications checks it again (only a
mutual mark puts two participants of an evening together)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from deformations_common.vocabulary.errors import DomainError, InvalidInput
from deformations_portal.web import notifications_client
from deformations_portal.web.context import PageDep
from deformations_portal.web.meetings import failed, matching_client
from deformations_portal.web.meetings_gatherings import valid_gathering_id

router = APIRouter(include_in_schema=False)

MAX_SUBJECT, MAX_BODY = 200, 10_000


def message_body(given: dict[str, str], to: str) -> dict[str, str]:
    """The relay's message, or a French error saying which field to fix."""
    subject, body = given.get("objet", "").strip(), given.get("message", "").strip()
    if not 1 <= len(subject) <= MAX_SUBJECT:
        raise InvalidInput(f"Donnez un objet à votre message ({MAX_SUBJECT} caractères au plus).")
    if not 1 <= len(body) <= MAX_BODY:
        raise InvalidInput(f"Écrivez votre message ({MAX_BODY} caractères au plus).")
    return {"to": to, "subject": subject, "body": body}


@router.post("/speed-dating/{gathering_id}/ecrire")
async def write(page: PageDep, gathering_id: str) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    form = await page.request.form()
    given = {k: str(v) for k, v in form.items()}
    page.check_csrf(given.get("csrf"))
    back = f"/speed-dating/{gathering_id}"
    try:
        if not valid_gathering_id(gathering_id):
            raise InvalidInput("Cette adresse ne désigne aucune soirée.")
        to = given.get("a", "")
        marks = await (await matching_client(page)).get(f"/v1/speed-datings/{gathering_id}/marks")
        if to not in marks["mutual"]:
            raise InvalidInput(
                "Vous pouvez écrire à une personne rencontrée quand votre choix est réciproque."
            )
        client = await notifications_client.as_person(page)
        await client.post("/v1/relay/messages", message_body(given, to))
    except DomainError as exc:
        return failed(page, "Écrire à une personne rencontrée", exc, back, "Revenir à la soirée")
    return page.redirect(f"{back}?notice=message#atomes-crochus")
