"""What the loans add up to: the hours ledger of my commune and my EPCI, and the results of
the questionnaires that end the loans of an offer. Both are lending's, read with the
person's own token; agents' answers come only from three on (lending hides them)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from deformations_common.geography import UnknownCollectiviteError, load_geography
from deformations_common.vocabulary.errors import DomainError, InvalidInput
from deformations_portal.web.context import PageDep, failed, not_found
from deformations_portal.web.lending_client import lending_client
from deformations_portal.web.links import to_sign_in

router = APIRouter(include_in_schema=False)

RESPONDENTS = {
    "borrower": "La collectivité d'accueil",
    "lender": "La collectivité d'origine",
    "agent": "Les agents prêtés",
}


def epci_of(siren: str) -> str | None:
    """The EPCI a collectivité is, or the one its commune belongs to."""
    geography = load_geography()
    if siren in geography.epcis:
        return siren
    try:
        return geography.commune_by_siren(siren).epci_siren
    except UnknownCollectiviteError:
        return None


@router.get("/prets/heures")
async def ledger_page(page: PageDep) -> Response:
    if page.me is None:
        return to_sign_in(page)
    acting = page.me.acting
    if acting is None or not acting.validated:
        return page.message(
            "Le grand livre des heures",
            "Le grand livre se voit dès que votre adhésion à une collectivité est validée.",
            status=403,
            error=True,
            link={"href": "/adhesions", "text": "Mes collectivités"},
        )
    epci = epci_of(acting.siren)
    try:
        client = await lending_client(page)
        neighbours = await client.get("/v1/ledger/balances", {"epci": epci} if epci else None)
        epcis = await client.get("/v1/ledger/balances/epci")
    except DomainError as exc:
        return failed(page, "Le grand livre des heures", exc, "/prets")
    mine = next((b for b in neighbours if b["siren"] == acting.siren), None)
    mine = mine or next((b for b in epcis if b["siren"] == acting.siren), None)
    return page.render(
        "lending/ledger.html",
        "Le grand livre des heures",
        current="prets",
        siren=acting.siren,
        mine=mine,
        epci=epci,
        my_epci=next((b for b in epcis if b["siren"] == epci), None),
        neighbours=neighbours if epci else [],
    )


def _value(question: dict[str, Any]) -> str:
    if not question["responses"]:
        return "pas encore de réponse"
    if question.get("mean") is not None:
        return f"{question['mean']:.1f} sur 5".replace(".", ",")
    if question.get("yes_share") is not None:
        return f"{round(question['yes_share'] * 100)} % de oui"
    return "réponses libres, lues par les collectivités concernées seulement"


def _results(found: dict[str, Any]) -> list[dict[str, Any]]:
    shown = []
    for code, who in RESPONDENTS.items():
        result = found.get(code) or {"responses": 0, "questions": [], "hidden": False}
        questions = [
            {
                "text": q["text"],
                "responses": q["responses"],
                "value": _value(q),
            }
            for q in result["questions"]
        ]
        shown.append({"who": who, **result, "questions": questions})
    return shown


@router.get("/competences/offres/{offer_id}/retours")
async def feedback_results(page: PageDep, offer_id: str) -> Response:
    if page.me is None:
        return to_sign_in(page)
    try:
        wanted = uuid.UUID(offer_id)
    except ValueError:
        return not_found(page)
    try:
        client = await lending_client(page)
        offer = await client.get(f"/v1/offers/{wanted}")
        found = await client.get(f"/v1/offers/{wanted}/feedback")
    except DomainError as exc:
        if exc.status == 404 or isinstance(exc, InvalidInput):
            return not_found(page)
        return failed(page, "Les retours des prêts", exc, f"/competences/offres/{wanted}")
    return page.render(
        "lending/offer_feedback.html",
        "Les retours des prêts",
        current="competences",
        offer=offer,
        results=_results(found),
    )
