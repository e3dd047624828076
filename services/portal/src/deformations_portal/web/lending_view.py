"""What a loan's page shows to whom: its state in French and the actions the person's role
allows, from lending's loan as its API returns it and the membership acted in.

Pure. It mirrors lending's policy (``domain/policy.py``) only to decide which buttons to
draw; lending still decides, and a refusal comes back as its French message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from deformations_portal.domain.memberships import Membership

PARTIES = frozenset({"elected", "hr"})  # the roles that act for a collectivité in a loan
SESSION_STATUS = {
    "scheduled": "proposée, à confirmer par la collectivité qui prête",
    "confirmed": "confirmée",
    "held": "effectuée",
    "cancelled": "annulée",
}
APPROVALS = {
    "elected": "Accord de l'élu·e de la collectivité qui prête",
    "hr": "Validation des ressources humaines",
    "agent": "Accord de l'agent (en personne)",
}
# The buttons' labels: the e-mails' readers look for these words.
APPROVE_LABELS = {
    "elected": "Donner l'accord de l'élu·e de la collectivité d'origine",
    "hr": "Valider et désigner l'agent",
}
STATUS = {
    "proposed": "proposé, en attente de la collectivité d'accueil",
    "accepted": "demandé, en attente des accords de la collectivité qui prête",
    "agreed": "convenu : les demi-journées se planifient",
    "completed": "terminé",
    "declined": "refusé",
    "cancelled": "annulé",
}


@dataclass
class SessionActions:
    session: dict[str, Any]
    status: str
    place: str
    confirm: bool = False
    move: bool = False  # reschedule or cancel
    held: bool = False


@dataclass
class LoanView:
    loan: dict[str, Any]
    side: str | None  # "lender", "borrower" or None
    status: str
    approvals: list[tuple[str, bool]]  # (label, given)
    approve: list[tuple[str, str]] = field(default_factory=list)  # (approval, button label)
    agent_consent: bool = False  # the agent the RH named, signed in as themself
    waits_for_agent: bool = False  # named, the consent not given yet
    accept: bool = False
    decline: bool = False
    cancel: bool = False
    schedule: bool = False
    complete: bool = False
    feedback: str | None = None  # the respondent whose questionnaire the person may fill
    answered: str | None = None  # the respondent the person answers as, who already did
    convention: bool = False
    attestation: bool = False
    sessions: list[SessionActions] = field(default_factory=list)


def side_of(loan: dict[str, Any], acting: Membership | None) -> str | None:
    if acting is None or not acting.validated:
        return None
    if acting.siren == loan["lender"]["siren"]:
        return "lender"
    if acting.siren == loan["borrower"]["siren"]:
        return "borrower"
    return None


def status_label(loan: dict[str, Any]) -> str:
    return STATUS.get(loan.get("status", ""), str(loan.get("status_label", "")))


def loan_view(
    loan: dict[str, Any], acting: Membership | None, person_id: str | None = None
) -> LoanView:
    """``person_id``: who is signed in; the agent's consent is theirs alone."""
    side = side_of(loan, acting)
    role = str(acting.role) if acting is not None and side is not None else ""
    status = loan.get("status", "")
    given = loan.get("approvals") or {}
    party = role in PARTIES
    view = LoanView(
        loan,
        side,
        status_label(loan),
        [(label, given.get(code) is not None) for code, label in APPROVALS.items()],
    )
    if side == "lender" and status == "accepted":
        view.approve = [
            (code, label)
            for code, label in APPROVE_LABELS.items()
            if code == role and given.get(code) is None
        ]
        named = loan.get("agent_person_id")
        view.waits_for_agent = given.get("hr") is not None and given.get("agent") is None
        view.agent_consent = (
            view.waits_for_agent and role == "agent" and named is not None and named == person_id
        )
    view.accept = side == "borrower" and party and status == "proposed"
    view.decline = side is not None and party and status in ("proposed", "accepted")
    view.cancel = side is not None and party and status in ("proposed", "accepted", "agreed")
    view.schedule = side is not None and party and status == "agreed"
    view.complete = side == "borrower" and party and status == "agreed"
    done = set(loan.get("feedback_from", []))
    if status == "completed":
        if side == "lender" and party and "lender" not in done:
            view.feedback = "lender"
        elif side == "lender" and role == "agent" and "agent" not in done:
            view.feedback = "agent"
        mine = {"borrower": "borrower", "lender": "lender" if party else role}.get(side or "")
        # The end's mail asks everyone for their feedback: those whose side already gave
        # it are told so, not that there is nothing for them.
        view.answered = mine if mine in done else None
    view.convention = side is not None and party
    # Lending draws the attestation up once a half-day is held: no link to an error before.
    held = any(s.get("status") == "held" for s in loan.get("sessions", []))
    view.attestation = side == "lender" and role in ("hr", "agent") and held
    for s in loan.get("sessions", []):
        pending = s.get("status") in ("scheduled", "confirmed") and status == "agreed"
        place = "à distance" if s.get("remote") else (s.get("place_label") or "mairie d'accueil")
        view.sessions.append(
            SessionActions(
                s,
                SESSION_STATUS.get(s.get("status", ""), s.get("status", "")),
                place,
                confirm=pending and side == "lender" and party and s["status"] == "scheduled",
                move=pending and side is not None and party,
                held=pending and side == "borrower" and party,
            )
        )
    return view
