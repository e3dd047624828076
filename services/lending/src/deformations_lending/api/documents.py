"""Convention and attestation downloads, questionnaires and their results per offer."""

from dataclasses import asdict
from datetime import datetime
from typing import Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from deformations_common.auth import CurrentPrincipal
from deformations_common.errors import Conflict, NotFound
from deformations_common.service import RuntimeDep
from deformations_lending.api.common import Now, allow
from deformations_lending.collectivites import describe
from deformations_lending.documents import (
    Document,
    build_attestation,
    build_convention,
    render_html,
    render_pdf,
)
from deformations_lending.domain.errors import DomainError
from deformations_lending.domain.feedback import QUESTIONNAIRES, Respondent, summarise
from deformations_lending.domain.policy import Command, Parties
from deformations_lending.repositories import loans as rows
from deformations_lending.repositories import offers as offer_rows
from deformations_lending.repositories.loans import LoanRecord

router = APIRouter(prefix="/v1", tags=["documents et avis"])
PARIS = ZoneInfo("Europe/Paris")
Format = Literal["html", "pdf"]


async def _load(runtime: RuntimeDep, loan_id: UUID) -> LoanRecord:
    async with runtime.pool.acquire() as conn:
        record = await rows.get_loan(conn, loan_id)
    if record is None:
        raise NotFound("Ce prêt n'existe pas.", code="loan_not_found")
    return record


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
async def convention(
    loan_id: UUID, fmt: Format, runtime: RuntimeDep, principal: CurrentPrincipal, now: Now
) -> Response:
    """La convention de mise à disposition entre les deux collectivités (HTML ou PDF)."""
    record = await _load(runtime, loan_id)
    loan = record.loan
    allow(
        principal, Command.DOWNLOAD_CONVENTION, Parties(lender=loan.lender, borrower=loan.borrower)
    )
    async with runtime.pool.acquire() as conn:
        offer = await offer_rows.get_offer(conn, loan.offer_id)
    assert offer is not None
    try:
        document = build_convention(
            loan,
            offer,
            lender=describe(loan.lender).party(),
            borrower=describe(loan.borrower).party(),
            issued_on=_today(now),
        )
    except DomainError as exc:
        raise Conflict(exc.message, code="invalid_transition") from exc
    return _respond(document, fmt, document.reference.replace(" ", "_"))


@router.get("/loans/{loan_id}/attestation.{fmt}", response_class=Response, responses={200: _PDF})
async def attestation(
    loan_id: UUID, fmt: Format, runtime: RuntimeDep, principal: CurrentPrincipal, now: Now
) -> Response:
    """L'attestation des demi-journées effectuées, pour l'agent."""
    record = await _load(runtime, loan_id)
    loan = record.loan
    allow(
        principal, Command.DOWNLOAD_ATTESTATION, Parties(lender=loan.lender, borrower=loan.borrower)
    )
    try:
        document = build_attestation(
            loan,
            lender=describe(loan.lender).party(),
            borrower=describe(loan.borrower).party(),
            issued_on=_today(now),
        )
    except DomainError as exc:
        raise Conflict(exc.message, code="invalid_transition") from exc
    return _respond(document, fmt, f"attestation-{loan.id.hex[:8]}")


def _today(now: datetime) -> Any:
    return now.astimezone(PARIS).date()


@router.get("/feedback/questionnaires")
async def questionnaires() -> dict[str, Any]:
    """Les trois questionnaires d'après-prêt (accueil, origine, agent)."""
    return {r.value: asdict(q) for r, q in QUESTIONNAIRES.items()}


@router.get("/offers/{offer_id}/feedback")
async def offer_feedback(
    offer_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> dict[str, Any]:
    """Résultats des questionnaires des prêts d'une offre ; les réponses des agents ne
    sont montrées qu'à partir de trois réponses."""
    allow(principal, Command.BROWSE, Parties())
    async with runtime.pool.acquire() as conn:
        offer = await offer_rows.get_offer(conn, offer_id)
        if offer is None:
            raise NotFound("Cette offre n'existe pas.", code="offer_not_found")
        responses = await rows.feedback_of_offer(conn, offer_id)
    results = summarise(responses)
    return {r.value: asdict(results[r]) for r in Respondent}
