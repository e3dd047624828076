"""The hours ledger: double entry between collectivités.

Each half-day held moves its time from the lender to the borrower: one transaction, two
entries of opposite sign. A positive balance means a collectivité lent more time than it
borrowed. The sum over all entries, and over each transaction, is always zero.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from .errors import InvalidInputError


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    transaction_id: UUID
    account: str  # SIREN of the collectivité
    minutes: int  # > 0: time given (lent), < 0: time received (borrowed)


@dataclass(frozen=True, slots=True)
class LedgerTransaction:
    id: UUID
    loan_id: UUID
    session_id: UUID
    occurred_at: datetime
    entries: tuple[LedgerEntry, LedgerEntry]

    @property
    def minutes(self) -> int:
        return abs(self.entries[0].minutes)


def transfer(
    *,
    transaction_id: UUID,
    loan_id: UUID,
    session_id: UUID,
    lender: str,
    borrower: str,
    minutes: int,
    now: datetime,
) -> LedgerTransaction:
    if minutes <= 0:
        raise InvalidInputError("Une écriture doit porter sur une durée positive.")
    if lender == borrower:
        raise InvalidInputError("Une collectivité ne se prête pas de temps à elle-même.")
    return LedgerTransaction(
        id=transaction_id,
        loan_id=loan_id,
        session_id=session_id,
        occurred_at=now,
        entries=(
            LedgerEntry(transaction_id, lender, minutes),
            LedgerEntry(transaction_id, borrower, -minutes),
        ),
    )


def balances(entries: Iterable[LedgerEntry]) -> dict[str, int]:
    """Net minutes per collectivité (SIREN): lent minus borrowed."""
    totals: defaultdict[str, int] = defaultdict(int)
    for entry in entries:
        totals[entry.account] += entry.minutes
    return dict(totals)


UNKNOWN_EPCI = "inconnu"


def balances_by_epci(entries: Iterable[LedgerEntry], epci_of: Mapping[str, str]) -> dict[str, int]:
    """Net minutes per EPCI (SIREN of the EPCI; a collectivité with no known EPCI counts
    under ``UNKNOWN_EPCI``). Loans inside one EPCI cancel out there, as they should."""
    totals: defaultdict[str, int] = defaultdict(int)
    for account, minutes in balances(entries).items():
        totals[epci_of.get(account, UNKNOWN_EPCI)] += minutes
    return dict(totals)


def hours(minutes: int) -> str:
    """French display of a duration, e.g. « 3 h 30 »."""
    sign = "-" if minutes < 0 else ""
    h, m = divmod(abs(minutes), 60)
    return f"{sign}{h} h {m:02d}" if m else f"{sign}{h} h"
