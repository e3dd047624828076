"""Builders for the lending tests: two real neighbouring communes of one EPCI."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import UUID, uuid4

from deformations_common.vocabulary.french import PARIS
from deformations_contracts.types import HalfDayPart, Modality
from deformations_lending.documents import Party
from deformations_lending.domain.calendar import HalfDay, Period, WeeklyHalfDay
from deformations_lending.domain.loan_model import Approval, Loan
from deformations_lending.domain.loans import accept, approve, propose_loan
from deformations_lending.domain.offers import (
    Offer,
    ReimbursementBasis,
    SkillVisibility,
    publish_offer,
)

# Bourg-en-Bresse and its neighbour Péronnas, both in CA du Bassin de Bourg-en-Bresse.
LENDER = Party(siren="210100533", name="Bourg-en-Bresse")
BORROWER = Party(siren="210102893", name="Péronnas")
OTHER = "210100012"  # L'Abergement-Clémenciat, not a party
EPCI = "200071751"

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=PARIS)  # a Monday morning
MONDAY_AM = WeeklyHalfDay(0, HalfDayPart.MORNING)
TUESDAY_PM = WeeklyHalfDay(1, HalfDayPart.AFTERNOON)
THURSDAY_AM = WeeklyHalfDay(3, HalfDayPart.MORNING)


def make_offer(
    *, capacity: int = 4, agent_ref: str = "agent-7f3a", offer_id: UUID | None = None
) -> Offer:
    offer, _ = publish_offer(
        offer_id=offer_id or uuid4(),
        lender=LENDER.siren,
        theme="alimentation",
        description="Accompagner la cantine vers 50 % de produits durables (loi EGalim).",
        agent_role="technicien restauration collective",
        agent_ref=agent_ref,
        visibility=SkillVisibility.VISIBLE,
        capacity_half_days=capacity,
        period=Period(date(2026, 3, 1), date(2026, 6, 30)),
        possible_half_days=frozenset({MONDAY_AM, TUESDAY_PM, THURSDAY_AM}),
        modality=Modality.EITHER,
        reimbursement=ReimbursementBasis.FULL_SALARY,
        reimbursement_details="Sur la base du coût horaire chargé de l'agent.",
        now=NOW,
    )
    return offer


def make_loan(offer: Offer, *, half_days: int = 2, now: datetime = NOW) -> Loan:
    return propose_loan(
        loan_id=uuid4(),
        offer=offer,
        borrower=BORROWER.siren,
        half_days=half_days,
        period=Period(date(2026, 3, 2), date(2026, 5, 31)),
        scope="Diagnostic des menus et plan d'approvisionnement local de la cantine.",
        modality=Modality.ON_SITE,
        now=now,
    ).loan


def agree(loan: Loan, offer: Offer, now: datetime = NOW) -> tuple[Loan, Offer]:
    loan = accept(loan, now=now).loan
    for approval in Approval:
        outcome = approve(loan, offer, approval, now=now)
        loan, offer = outcome.loan, outcome.offer
    return loan, offer


def half_days_from(start: date, count: int) -> list[HalfDay]:
    """The next ``count`` half-days matching the test offer's weekly slots."""
    found: list[HalfDay] = []
    day = start
    slots = {MONDAY_AM, TUESDAY_PM, THURSDAY_AM}
    while len(found) < count:
        for part in HalfDayPart:
            if WeeklyHalfDay(day.weekday(), part) in slots:
                found.append(HalfDay(day, part))
        day += timedelta(days=1)
    return found[:count]
