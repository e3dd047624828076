"""The attestation given to the agent after a loan (the booklet's « valorisation »)."""

from __future__ import annotations

from datetime import date

from deformations_contracts.themes import label as theme_label
from deformations_contracts.values import HALF_DAY_MINUTES
from deformations_lending.domain.calendar import day_label, half_days_label
from deformations_lending.domain.errors import InvalidTransitionError
from deformations_lending.domain.ledger import hours
from deformations_lending.domain.loan_model import Loan, LoanStatus, SessionStatus

from .convention import Party, reference
from .model import Document, Section


def build_attestation(loan: Loan, *, lender: Party, borrower: Party, issued_on: date) -> Document:
    """Attests the half-days the agent actually gave; the agent is named by role only,
    the lender's HR adds the name when signing (the platform never stores it)."""
    held = sorted(s.half_day for s in loan.sessions if s.status is SessionStatus.HELD)
    if loan.status not in {LoanStatus.AGREED, LoanStatus.COMPLETED} or not held:
        raise InvalidTransitionError(
            "L'attestation n'est établie qu'après au moins une demi-journée effectuée."
        )
    total = len(held) * HALF_DAY_MINUTES
    return Document(
        kind="attestation",
        title="Attestation de mise à disposition",
        subtitle="Prêt de compétences entre collectivités territoriales",
        reference=f"Référence de la convention : {reference(loan)}",
        preamble=(
            f"{_capitalised(lender.designation)} (SIREN {lender.siren}) atteste que l'agent "
            f"exerçant les fonctions de {loan.agent_role} a été mis à disposition de "
            f"{borrower.designation} (SIREN {borrower.siren}) dans le cadre d'un prêt de "
            "compétences.",
        ),
        sections=(
            Section(
                "Mission",
                (
                    f"Domaine : {theme_label(loan.theme)}.",
                    f"Activités : {loan.scope}",
                ),
            ),
            Section(
                "Demi-journées effectuées",
                (f"{half_days_label(len(held))}, soit {hours(total)} :",),
                tuple(h.label() for h in held),
            ),
            Section(
                "Reconnaissance",
                (
                    "Cette mission a contribué à renforcer les compétences d'une collectivité "
                    "voisine au service des transitions. Elle peut être valorisée lors de "
                    "l'entretien professionnel de l'agent.",
                ),
            ),
        ),
        signatures=(f"Pour {lender.name}, l'autorité territoriale",),
        place_and_date=f"Fait le {day_label(issued_on)}.",
        notice="Nom et prénom de l'agent : ............................................",
    )


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
