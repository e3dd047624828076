"""Convention and attestation downloads, questionnaires and their results per offer."""

from dataclasses import asdict
from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from deformations_lending.api.deps import CurrentActor, WorkDep
from deformations_lending.documents import Document, render_html, render_pdf
from deformations_lending.domain.feedback import QUESTIONNAIRES, Respondent
from deformations_lending.service import documents

router = APIRouter(prefix="/v1", tags=["documents et avis"])
Format = Literal["html", "pdf"]


def _respond(document: Document, fmt: Format, name: str) -> Response:
    if fmt == "html":
        return HTMLResponse(render_html(document))
    return Response(
        render_pdf(document),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}.pdf"'},
    )


_PDF: dict[str, Any] = {"content": {"application/pdf": {}, "text/html": {}}}


@router.get("/loans/{loan_id}/convention.{fmt}", response_class=Response, responses={200: _PDF})
async def convention(loan_id: UUID, fmt: Format, work: WorkDep, actor: CurrentActor) -> Response:
    """La convention de mise à disposition entre les deux collectivités (HTML ou PDF)."""
    async with work.begin() as uow:
        document = await documents.convention(uow, actor, loan_id)
    return _respond(document, fmt, document.reference.replace(" ", "_"))


@router.get("/loans/{loan_id}/attestation.{fmt}", response_class=Response, responses={200: _PDF})
async def attestation(loan_id: UUID, fmt: Format, work: WorkDep, actor: CurrentActor) -> Response:
    """L'attestation des demi-journées effectuées, pour l'agent."""
    async with work.begin() as uow:
        document = await documents.attestation(uow, actor, loan_id)
    return _respond(document, fmt, f"attestation-{loan_id.hex[:8]}")


@router.get("/feedback/questionnaires")
async def questionnaires() -> dict[str, Any]:
    """Les trois questionnaires d'après-prêt (accueil, origine, agent)."""
    return {r.value: asdict(q) for r, q in QUESTIONNAIRES.items()}


@router.get("/offers/{offer_id}/feedback")
async def offer_feedback(offer_id: UUID, work: WorkDep, actor: CurrentActor) -> dict[str, Any]:
    """Résultats des questionnaires des prêts d'une offre ; les réponses des agents ne
    sont montrées qu'à partir de trois réponses."""
    async with work.begin() as uow:
        results = await documents.offer_feedback(uow, actor, offer_id)
    return {r.value: asdict(results[r]) for r in Respondent}
