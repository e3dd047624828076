from datetime import UTC, datetime
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lending_factories import BORROWER, EPCI, LENDER, OTHER

from deformations_lending.domain.errors import InvalidInputError
from deformations_lending.domain.ledger import (
    UNKNOWN_EPCI,
    LedgerEntry,
    balances,
    balances_by_epci,
    hours,
    transfer,
)

SIRENS = [LENDER.siren, BORROWER.siren, OTHER, "200071751", "213102554"]
EPCI_OF = {LENDER.siren: EPCI, BORROWER.siren: EPCI, OTHER: "200069193"}
NOW = datetime(2026, 3, 1, tzinfo=UTC)

moves = st.lists(
    st.tuples(st.sampled_from(SIRENS), st.sampled_from(SIRENS), st.integers(1, 10_000)).filter(
        lambda m: m[0] != m[1]
    ),
    max_size=40,
)


def _entries(transfers: list[tuple[str, str, int]]) -> list[LedgerEntry]:
    entries: list[LedgerEntry] = []
    for lender, borrower, minutes in transfers:
        txn = transfer(
            transaction_id=uuid4(),
            loan_id=uuid4(),
            session_id=uuid4(),
            lender=lender,
            borrower=borrower,
            minutes=minutes,
            now=NOW,
        )
        assert sum(e.minutes for e in txn.entries) == 0
        entries.extend(txn.entries)
    return entries


@settings(max_examples=100)
@given(moves)
def test_ledger_always_sums_to_zero(transfers: list[tuple[str, str, int]]) -> None:
    entries = _entries(transfers)
    assert sum(balances(entries).values()) == 0
    assert sum(balances_by_epci(entries, EPCI_OF).values()) == 0
    lent = sum(m for lender, _, m in transfers if lender == LENDER.siren)
    borrowed = sum(m for _, borrower, m in transfers if borrower == LENDER.siren)
    assert balances(entries).get(LENDER.siren, 0) == lent - borrowed


def test_loans_inside_one_epci_cancel_out_there() -> None:
    entries = _entries([(LENDER.siren, BORROWER.siren, 210), (LENDER.siren, OTHER, 420)])
    assert balances(entries) == {LENDER.siren: 630, BORROWER.siren: -210, OTHER: -420}
    assert balances_by_epci(entries, EPCI_OF) == {EPCI: 420, "200069193": -420}
    unknown = _entries([(LENDER.siren, "213102554", 210)])
    assert balances_by_epci(unknown, EPCI_OF) == {EPCI: 210, UNKNOWN_EPCI: -210}


def test_invalid_transfers() -> None:
    with pytest.raises(InvalidInputError):
        _entries([(LENDER.siren, LENDER.siren, 210)])
    with pytest.raises(InvalidInputError):
        _entries([(LENDER.siren, BORROWER.siren, 0)])


def test_hours_display() -> None:
    assert hours(210) == "3 h 30"
    assert hours(420) == "7 h"
    assert hours(-90) == "-1 h 30"
