"""« Mes prêts » and a loan's page (the one the e-mails link to): its state, the actions
the person's role allows (accept, approvals and the agent's consent, decline, cancel), the
half-days (propose, confirm, move, cancel, declare held), the convention and attestation
fetched with the person's token, and the questionnaires of the end of the loan."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import Response

from deformations_common.action_links import LinkCheck, LoanAction, check_action_link
from deformations_common.vocabulary.errors import DomainError, InvalidInput
from deformations_portal.service import people
from deformations_portal.service.uow import PortalUow
from deformations_portal.web.context import Page, PageDep, failed
from deformations_portal.web.lending_client import lending_client
from deformations_portal.web.lending_forms import (
    ANSWER_SCALE,
    MODALITIES,
    PARTS,
    Checked,
    answers_body,
    reason_body,
    reschedule_body,
    session_body,
)
from deformations_portal.web.lending_view import loan_view, side_of, status_label
from deformations_portal.web.links import to_sign_in

router = APIRouter(include_in_schema=False)

DONE = {
    "demande": "Votre demande est envoyée à la collectivité qui prête : ses accords "
    "s'affichent ici.",
    "accepte": "Le prêt est accepté.",
    "accord": "Votre accord est enregistré.",
    "agent": "Votre accord est enregistré : merci.",
    "refus-agent": "Votre refus est enregistré : le prêt est refusé.",
    "refuse": "Le prêt est refusé.",
    "annule": "Le prêt est annulé.",
    "seance": "La demi-journée est proposée : la collectivité qui prête la confirme.",
    "confirmee": "La demi-journée est confirmée.",
    "deplacee": "La demi-journée est déplacée : elle est à confirmer de nouveau.",
    "seance-annulee": "La demi-journée est annulée.",
    "effectuee": "La demi-journée est déclarée effectuée.",
    "termine": "Le prêt est terminé : merci pour votre avis.",
    "avis": "Merci : votre avis est enregistré.",
}
# Said the same way whatever the reason (lapsed, altered, another person's): a link that
# is not honoured tells nothing about who it was for.
LINK_REFUSED = (
    "Ce lien a expiré ou n'est pas valable pour vous : rien n'a changé. "
    "Les actions que votre rôle permet restent ci-dessous."
)
INVITATIONS = {
    LoanAction.ACCEPT.value: "Vous êtes invité·e à accepter ce prêt",
    LoanAction.APPROVE.value: "Vous êtes invité·e à approuver ce prêt",
    LoanAction.AGENT_CONSENT.value: "Vous êtes invité·e à donner ou refuser votre accord",
    LoanAction.CONFIRM_SESSION.value: "Vous êtes invité·e à confirmer une demi-journée proposée",
}
SIDES = {"lender": "Votre collectivité prête", "borrower": "Votre collectivité accueille"}
DOCUMENTS = {
    "convention.html": "La convention de mise à disposition (page web)",
    "convention.pdf": "La convention de mise à disposition (PDF)",
    "attestation.html": "L'attestation des demi-journées effectuées (page web)",
    "attestation.pdf": "L'attestation des demi-journées effectuées (PDF)",
}


def _needs_membership(page: Page, title: str) -> Response:
    return page.message(
        title,
        "Les prêts se voient dès que votre adhésion à une collectivité est validée.",
        status=403,
        error=True,
        link={"href": "/adhesions", "text": "Mes collectivités"},
    )


@router.get("/prets")
async def my_loans(page: PageDep) -> Response:
    if page.me is None:
        return to_sign_in(page)
    if page.me.acting is None:
        return _needs_membership(page, "Mes prêts")
    try:
        client = await lending_client(page)
        loans = await client.get("/v1/loans")
    except DomainError as exc:
        return failed(page, "Mes prêts", exc, "/espace")
    shown = [
        {
            "loan": loan,
            "side": SIDES.get(side_of(loan, page.me.acting) or "", ""),
            "status": status_label(loan),
        }
        for loan in loans
    ]
    return page.render("lending/loans.html", "Mes prêts", current="prets", loans=shown)


async def _agents(page: Page) -> list[tuple[UUID, str]]:
    assert page.me is not None
    assert page.me.acting is not None
    async with page.runtime.begin(PortalUow) as uow:
        return await people.agents_of(uow, page.me.acting)


async def _loan_page(
    page: Page,
    loan_id: UUID,
    *,
    notice: str = "",
    error: str = "",
    errors: dict[str, str] | None = None,
    given: dict[str, str] | None = None,
    status: int = 200,
    link: tuple[str, str] | None = None,
) -> Response:
    try:
        client = await lending_client(page)
        loan = await client.get(f"/v1/loans/{loan_id}")
    except DomainError as exc:
        return _unavailable(page, exc)
    assert page.me is not None
    view = loan_view(loan, page.me.acting, str(page.me.person_id))
    invited = ""
    if link is not None:
        invited, error = _invitation(page, loan_id, view, *link)
    return page.render(
        "lending/loan.html",
        "Mise à disposition",
        status=status,
        current="prets",
        view=view,
        loan=loan,
        side=SIDES.get(view.side or "", ""),
        agents=(
            {str(pid): name for pid, name in await _agents(page)}
            if any(code == "hr" for code, _ in view.approve)
            else {}
        ),
        modality=MODALITIES.get(loan.get("modality", ""), ""),
        parts=PARTS,
        documents=[
            (name, label)
            for name, label in DOCUMENTS.items()
            if (view.convention and name.startswith("convention"))
            or (view.attestation and name.startswith("attestation"))
        ],
        notice=notice,
        error=error,
        errors=errors or {},
        given=given or {},
        invited=invited,
        invitations=INVITATIONS,
    )


def _invitation(page: Page, loan_id: UUID, view: Any, action: str, token: str) -> tuple[str, str]:
    """The action a mail's signed link readies on the page, or why it does not.

    Only readies: the person still confirms with the form's POST (and its CSRF token).
    """
    assert page.me is not None
    check = check_action_link(
        token,
        page.settings.link_key(),
        loan_id=loan_id,
        action=action,
        person_id=page.me.person_id,
        now=page.runtime.clock(),
    )
    if check is not LinkCheck.VALID:
        return "", LINK_REFUSED
    still_to_do = {
        LoanAction.ACCEPT: view.accept,
        LoanAction.APPROVE: bool(view.approve),
        LoanAction.AGENT_CONSENT: view.agent_consent,
        LoanAction.CONFIRM_SESSION: any(s.confirm for s in view.sessions),
    }
    if not still_to_do[LoanAction(action)]:
        return "", "Cette action n'est plus à faire avec votre rôle actuel : rien n'a changé."
    return action, ""


def _unavailable(page: Page, exc: DomainError) -> Response:
    if exc.status == 404:
        text = "Cette mise à disposition n'existe pas ou n'est plus visible."
    elif exc.status in (401, 403):
        text = "Cette mise à disposition n'est pas visible avec votre adhésion actuelle."
    else:
        text = exc.message
    return page.message(
        "Mise à disposition",
        text,
        status=exc.status if exc.status in (403, 404) else 503,
        error=True,
        link={"href": "/prets", "text": "Mes prêts"},
    )


@router.get("/prets/{loan_id}")
async def loan_page(
    page: PageDep, loan_id: UUID, fait: str = "", action: str = "", jeton: str = ""
) -> Response:
    """``action`` and ``jeton``: a mail's signed link, which readies an action (never does it)."""
    if page.me is None:
        return to_sign_in(page)
    if page.me.acting is None:
        return _needs_membership(page, "Mise à disposition")
    link = (action, jeton) if action or jeton else None
    return await _loan_page(page, loan_id, notice=DONE.get(fait, ""), link=link)


async def _act(
    page: Page,
    loan_id: UUID,
    path: str,
    done: str,
    read: Any = None,
) -> Response:
    """POSTs one command of the loan to lending, then back to the loan's page.

    ``read`` turns the form into the command's body; a wrong field re-renders the page
    with its message beside it, and lending is not called.
    """
    if page.me is None:
        return to_sign_in(page)
    form = await page.request.form()
    given = {k: str(v) for k, v in form.items()}
    try:
        page.check_csrf(given.get("csrf"))
    except DomainError as exc:
        return failed(page, "Formulaire expiré", exc, f"/prets/{loan_id}")
    body: dict[str, Any] = {}
    if read is not None:
        checked: Checked = read(given)
        if not checked.ok:
            return await _loan_page(page, loan_id, errors=checked.errors, given=given, status=422)
        body = checked.body
    try:
        client = await lending_client(page)
        await client.post(f"/v1/loans/{loan_id}{path}", body)
    except DomainError as exc:
        return await _loan_page(page, loan_id, error=exc.message, given=given, status=exc.status)
    return page.redirect(f"/prets/{loan_id}?fait={done}")


@router.post("/prets/{loan_id}/accepter")
async def accept(page: PageDep, loan_id: UUID) -> Response:
    return await _act(page, loan_id, "/accept", "accepte")


def _hr_approval(given: dict[str, str]) -> Checked:
    checked = Checked()
    try:
        checked.body = {"agent_person_id": str(UUID(given.get("agent", "")))}
    except ValueError:
        checked.errors["agent"] = "Choisissez l'agent mis à disposition."
    return checked


@router.post("/prets/{loan_id}/accord")
async def approve(page: PageDep, loan_id: UUID) -> Response:
    # The approval is the one of the role the person acts in: lending checks it is theirs.
    role = str(page.me.acting.role) if page.me and page.me.acting else ""
    if page.me is not None and role not in ("elected", "hr"):
        return page.message(
            "Accord impossible",
            "Votre rôle ne donne pas d'accord sur une mise à disposition.",
            status=403,
            error=True,
            link={"href": f"/prets/{loan_id}", "text": "Revenir à la mise à disposition"},
        )
    # The RH's approval names the agent who will go: they alone consent afterwards.
    read = _hr_approval if role == "hr" else None
    return await _act(page, loan_id, f"/approvals/{role}", "accord", read)


@router.post("/prets/{loan_id}/accord-agent")
async def agent_consent(page: PageDep, loan_id: UUID) -> Response:
    """The named agent's own consent: lending checks the person is that agent."""
    return await _act(page, loan_id, "/approvals/agent", "agent")


@router.post("/prets/{loan_id}/refus-agent")
async def agent_refusal(page: PageDep, loan_id: UUID) -> Response:
    return await _act(page, loan_id, "/approvals/agent/refusal", "refus-agent", reason_body)


@router.post("/prets/{loan_id}/refus")
async def decline(page: PageDep, loan_id: UUID) -> Response:
    return await _act(page, loan_id, "/decline", "refuse", reason_body)


@router.post("/prets/{loan_id}/annulation")
async def cancel(page: PageDep, loan_id: UUID) -> Response:
    return await _act(page, loan_id, "/cancel", "annule", reason_body)


@router.post("/prets/{loan_id}/seances")
async def schedule(page: PageDep, loan_id: UUID) -> Response:
    return await _act(page, loan_id, "/sessions", "seance", session_body)


@router.post("/prets/{loan_id}/seances/{session_id}/confirmer")
async def confirm_session(page: PageDep, loan_id: UUID, session_id: UUID) -> Response:
    return await _act(page, loan_id, f"/sessions/{session_id}/confirm", "confirmee")


@router.post("/prets/{loan_id}/seances/{session_id}/deplacer")
async def move_session(page: PageDep, loan_id: UUID, session_id: UUID) -> Response:
    return await _act(
        page, loan_id, f"/sessions/{session_id}/reschedule", "deplacee", reschedule_body
    )


@router.post("/prets/{loan_id}/seances/{session_id}/annuler")
async def cancel_session(page: PageDep, loan_id: UUID, session_id: UUID) -> Response:
    return await _act(
        page, loan_id, f"/sessions/{session_id}/cancel", "seance-annulee", reason_body
    )


@router.post("/prets/{loan_id}/seances/{session_id}/effectuee")
async def session_held(page: PageDep, loan_id: UUID, session_id: UUID) -> Response:
    return await _act(page, loan_id, f"/sessions/{session_id}/held", "effectuee")


@router.get("/prets/{loan_id}/documents/{name}")
async def document(page: PageDep, loan_id: UUID, name: str) -> Response:
    """The convention or the attestation, fetched here with the person's token so that
    the token never reaches the browser."""
    if page.me is None:
        return to_sign_in(page)
    if name not in DOCUMENTS:
        return page.message("Document", "Ce document n'existe pas.", status=404, error=True)
    try:
        client = await lending_client(page)
        found = await client.document(f"/v1/loans/{loan_id}/{name}")
    except DomainError as exc:
        return failed(page, "Document", exc, f"/prets/{loan_id}")
    headers = {
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        # The service's page is shown as it is, with nothing able to run in it.
        "content-security-policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'",
    }
    if found.disposition:
        headers["content-disposition"] = found.disposition
    return Response(found.content, media_type=found.media_type, headers=headers)


async def _questionnaire(page: Page, loan_id: UUID) -> tuple[Any, str | None, Any]:
    """The loan, who the person answers as (None: nothing to answer) and the questions."""
    assert page.me is not None
    client = await lending_client(page)
    loan = await client.get(f"/v1/loans/{loan_id}")
    view = loan_view(loan, page.me.acting, str(page.me.person_id))
    respondent = "borrower" if view.complete else view.feedback
    if respondent is None:
        return loan, None, None
    questionnaires = await client.get("/v1/feedback/questionnaires")
    return loan, respondent, questionnaires[respondent]


def _feedback_page(
    page: Page,
    loan: dict[str, Any],
    respondent: str | None,
    questionnaire: Any,
    *,
    given: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    error: str = "",
    status: int = 200,
) -> Response:
    return page.render(
        "lending/feedback.html",
        questionnaire["title"] if questionnaire else "Votre avis sur la mise à disposition",
        status=status,
        current="prets",
        loan=loan,
        status_label=status_label(loan),
        respondent=respondent,
        questionnaire=questionnaire,
        scale=ANSWER_SCALE,
        answered=loan_view(loan, page.me.acting).answered if page.me else None,
        given=given or {},
        errors=errors or {},
        error=error,
    )


@router.get("/prets/{loan_id}/avis")
async def feedback_page(page: PageDep, loan_id: UUID) -> Response:
    if page.me is None:
        return to_sign_in(page)
    if page.me.acting is None:
        return _needs_membership(page, "Votre avis")
    try:
        loan, respondent, questionnaire = await _questionnaire(page, loan_id)
    except DomainError as exc:
        return _unavailable(page, exc)
    return _feedback_page(page, loan, respondent, questionnaire)


@router.post("/prets/{loan_id}/avis")
async def give_feedback(page: PageDep, loan_id: UUID) -> Response:
    if page.me is None:
        return to_sign_in(page)
    form = await page.request.form()
    given = {k: str(v) for k, v in form.items()}
    try:
        page.check_csrf(given.get("csrf"))
        loan, respondent, questionnaire = await _questionnaire(page, loan_id)
        if respondent is None:
            raise InvalidInput("Vous n'avez pas de questionnaire à remplir pour ce prêt.")
    except DomainError as exc:
        return failed(page, "Votre avis", exc, f"/prets/{loan_id}")
    read = answers_body(given, questionnaire)
    if not read.ok:
        return _feedback_page(
            page, loan, respondent, questionnaire, given=given, errors=read.errors, status=422
        )
    path = "/complete" if respondent == "borrower" else f"/feedback/{respondent}"
    try:
        client = await lending_client(page)
        await client.post(f"/v1/loans/{loan_id}{path}", read.body)
    except DomainError as exc:
        return _feedback_page(
            page, loan, respondent, questionnaire, given=given, error=exc.message, status=exc.status
        )
    return page.redirect(
        f"/prets/{loan_id}?fait={'termine' if respondent == 'borrower' else 'avis'}"
    )
