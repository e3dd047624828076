"""PostgreSQL's refusals become the domain's errors in the repositories (no server: the
exceptions are built as asyncpg raises them)."""

import asyncpg
import pytest

from deformations_lending.domain import errors
from deformations_lending.repositories.statements import CONSTRAINTS, translate, translated


def _violation(kind: type[asyncpg.PostgresError], constraint: str | None) -> Exception:
    exc = kind("refused")
    exc.constraint_name = constraint  # type: ignore[attr-defined]
    return exc


@pytest.mark.parametrize(
    ("constraint", "kind", "expected"),
    [
        ("sessions_agent_half_day", asyncpg.UniqueViolationError, "agent_already_booked"),
        ("offers_not_overcommitted", asyncpg.CheckViolationError, "capacity_exceeded"),
        ("loans_sessions_within_half_days", asyncpg.CheckViolationError, "capacity_exceeded"),
        ("offers_open_for_agreement", asyncpg.CheckViolationError, "offer_withdrawn"),
        ("sessions_offer_open", asyncpg.CheckViolationError, "offer_withdrawn"),
        ("sessions_loan_agreed", asyncpg.CheckViolationError, "invalid_transition"),
        ("loans_match_request", asyncpg.UniqueViolationError, "already_exists"),
        ("something_else", asyncpg.UniqueViolationError, "conflict"),
        (None, asyncpg.DeadlockDetectedError, "conflict"),
    ],
)
def test_a_constraint_names_the_rule_it_guards(
    constraint: str | None, kind: type[asyncpg.PostgresError], expected: str
) -> None:
    error = translate(_violation(kind, constraint))  # type: ignore[arg-type]

    assert error.code == expected
    assert error.status == 409
    assert error.message  # French, shown as it is


def test_every_known_constraint_gives_a_french_message() -> None:
    for name, build in CONSTRAINTS.items():
        error = build()
        assert isinstance(error, errors.ConflictError), name
        assert error.message.endswith("."), name


async def test_statements_raise_the_domain_error_and_keep_the_cause() -> None:
    cause = _violation(asyncpg.UniqueViolationError, "loans_match_request")

    with pytest.raises(errors.LoanAlreadyExistsError) as raised:
        async with translated():
            raise cause

    assert raised.value.__cause__ is cause


async def test_other_database_errors_are_left_alone() -> None:
    with pytest.raises(asyncpg.UndefinedTableError):
        async with translated():
            raise asyncpg.UndefinedTableError("no such table")
