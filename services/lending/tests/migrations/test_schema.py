"""The SQL schema against a real PostgreSQL, in a throwaway database."""

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Awaitable
from datetime import date, datetime
from importlib import resources
from uuid import UUID, uuid4

import asyncpg
import pytest
import pytest_asyncio
from lending_factories import BORROWER, EPCI, LENDER, OTHER

pytestmark = pytest.mark.integration

ADMIN_DSN = os.environ.get("LENDING_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
NOW = datetime.fromisoformat("2026-03-02T08:00:00+01:00")


def _migrations() -> list[str]:
    folder = resources.files("deformations_lending.migrations")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql"))
    return [folder.joinpath(name).read_text(encoding="utf-8") for name in names]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def dsn() -> AsyncIterator[str]:
    try:
        admin = await asyncpg.connect(ADMIN_DSN, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    name = f"lending_test_{secrets.token_hex(6)}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    test_dsn = ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
    try:
        conn = await asyncpg.connect(test_dsn)
        await conn.execute("CREATE SCHEMA lending")
        await conn.execute("SET search_path TO lending")
        for sql in _migrations():
            await conn.execute(sql)
        await conn.close()
        yield test_dsn
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest_asyncio.fixture(loop_scope="session")
async def db(dsn: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(dsn, server_settings={"search_path": "lending"})
    yield conn
    await conn.close()


async def _connect(dsn: str) -> asyncpg.Connection:
    return await asyncpg.connect(dsn, server_settings={"search_path": "lending"})


async def _offer(db: asyncpg.Connection, *, capacity: int = 4, agent: str | None = None) -> UUID:
    offer_id = uuid4()
    await db.execute(
        """INSERT INTO offers (id, lender_siren, theme, description, agent_role, agent_ref,
               visibility, capacity_half_days, period_start, period_end, possible_half_days,
               modality, reimbursement, published_at)
           VALUES ($1, $2, 'alimentation', 'Cantine durable', 'technicien restauration',
               $3, 'visible', $4, '2026-03-01', '2026-06-30', '{0:am,1:pm,3:am}',
               'either', 'full_salary', $5)""",
        offer_id,
        LENDER.siren,
        agent or f"agent-{uuid4().hex[:8]}",
        capacity,
        NOW,
    )
    return offer_id


async def _loan(
    db: asyncpg.Connection, offer_id: UUID, *, half_days: int = 2, agree: bool = True
) -> UUID:
    loan_id = uuid4()
    await db.execute(
        """INSERT INTO loans (id, offer_id, lender_siren, borrower_siren, agent_ref, agent_role,
               theme, scope, half_days, period_start, period_end, possible_half_days, modality,
               origin, proposed_at)
           SELECT $1, id, lender_siren, $2, agent_ref, agent_role, theme, 'Menus', $3,
               '2026-03-02', '2026-05-31', possible_half_days, 'on_site', 'borrower', $4
           FROM offers WHERE id = $5""",
        loan_id,
        BORROWER.siren,
        half_days,
        NOW,
        offer_id,
    )
    await db.execute(
        """UPDATE loans SET status = 'accepted', elected_approved_at = $2, hr_approved_at = $2,
               agent_consented_at = $2 WHERE id = $1""",
        loan_id,
        NOW,
    )
    if agree:
        await _agree(db, loan_id)
    return loan_id


async def _agree(db: asyncpg.Connection, loan_id: UUID) -> None:
    await db.execute(
        "UPDATE loans SET status = 'agreed', agreed_at = $2 WHERE id = $1", loan_id, NOW
    )


async def _book(db: asyncpg.Connection, loan_id: UUID, day: date, part: str = "am") -> UUID:
    session_id = uuid4()
    await db.execute(
        """INSERT INTO sessions (id, loan_id, agent_ref, day, part)
           SELECT $1, id, agent_ref, $2, $3 FROM loans WHERE id = $4""",
        session_id,
        day,
        part,
        loan_id,
    )
    return session_id


async def _outcomes(*coros: Awaitable[object]) -> list[object]:
    return list(await asyncio.gather(*coros, return_exceptions=True))


async def test_the_runtime_tables_are_left_to_the_runtime(db: asyncpg.Connection) -> None:
    tables = {
        r["tablename"]
        for r in await db.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'lending'")
    }
    assert {"offers", "skill_requests", "loans", "sessions", "ledger_entries"} <= tables
    assert not tables & {"outbox", "inbox", "schema_migrations"}


async def test_two_concurrent_bookings_of_the_same_half_day_exactly_one_wins(
    dsn: str, db: asyncpg.Connection
) -> None:
    # Two loans of two offers of the same agent, to two borrowers' demand, same half-day.
    agent = f"agent-{uuid4().hex[:8]}"
    first = await _loan(db, await _offer(db, agent=agent))
    second = await _loan(db, await _offer(db, agent=agent))
    conns = [await _connect(dsn), await _connect(dsn)]

    async def book(conn: asyncpg.Connection, loan_id: UUID) -> UUID:
        async with conn.transaction():
            return await _book(conn, loan_id, date(2026, 3, 9), "am")

    try:
        results = await _outcomes(book(conns[0], first), book(conns[1], second))
    finally:
        for conn in conns:
            await conn.close()
    won = [r for r in results if isinstance(r, UUID)]
    lost = [r for r in results if isinstance(r, BaseException)]
    assert len(won) == 1
    assert len(lost) == 1
    assert isinstance(lost[0], asyncpg.UniqueViolationError)
    count = await db.fetchval(
        "SELECT count(*) FROM sessions WHERE agent_ref = $1 AND status <> 'cancelled'", agent
    )
    assert count == 1
    # A cancelled booking frees the half-day.
    await db.execute(
        "UPDATE sessions SET status = 'cancelled', cancellation_reason = 'x' WHERE id = $1",
        won[0],
    )
    await _book(db, second if won[0] else first, date(2026, 3, 9), "am")


async def test_concurrent_agreements_never_over_commit_an_offer(
    dsn: str, db: asyncpg.Connection
) -> None:
    offer_id = await _offer(db, capacity=3)
    loans = [await _loan(db, offer_id, half_days=2, agree=False) for _ in range(2)]
    conns = [await _connect(dsn), await _connect(dsn)]

    async def agree(conn: asyncpg.Connection, loan_id: UUID) -> None:
        async with conn.transaction():
            await _agree(conn, loan_id)

    try:
        results = await _outcomes(*(agree(c, lid) for c, lid in zip(conns, loans, strict=True)))
    finally:
        for conn in conns:
            await conn.close()
    failures = [r for r in results if isinstance(r, BaseException)]
    assert len(failures) == 1
    assert isinstance(failures[0], asyncpg.CheckViolationError)
    assert await db.fetchval("SELECT committed_half_days FROM offers WHERE id = $1", offer_id) == 2


async def test_a_loan_gets_no_more_sessions_than_its_half_days(db: asyncpg.Connection) -> None:
    loan_id = await _loan(db, await _offer(db), half_days=1)
    await _book(db, loan_id, date(2026, 3, 9))
    with pytest.raises(asyncpg.CheckViolationError, match="loans_sessions_within_half_days"):
        await _book(db, loan_id, date(2026, 3, 12))


async def test_ending_a_loan_gives_unused_half_days_back(db: asyncpg.Connection) -> None:
    offer_id = await _offer(db, capacity=4)
    loan_id = await _loan(db, offer_id, half_days=3)
    session_id = await _book(db, loan_id, date(2026, 3, 9))
    await _hold(db, loan_id, session_id)
    await db.execute(
        "UPDATE loans SET status = 'completed', ended_at = $2 WHERE id = $1", loan_id, NOW
    )
    assert await db.fetchval("SELECT committed_half_days FROM offers WHERE id = $1", offer_id) == 1


async def test_sessions_only_for_agreed_loans_and_loans_are_born_proposed(
    db: asyncpg.Connection,
) -> None:
    loan_id = await _loan(db, await _offer(db), agree=False)
    with pytest.raises(asyncpg.CheckViolationError, match="not agreed"):
        await _book(db, loan_id, date(2026, 3, 9))
    with pytest.raises(asyncpg.CheckViolationError, match="loans_agreed_needs_approvals"):
        await db.execute(
            "UPDATE loans SET status = 'agreed', agreed_at = now(), hr_approved_at = NULL "
            "WHERE id = $1",
            loan_id,
        )


async def test_withdrawal_must_cancel_future_unconfirmed_sessions(db: asyncpg.Connection) -> None:
    offer_id = await _offer(db)
    loan_id = await _loan(db, offer_id, half_days=2)
    pending = await _book(db, loan_id, date(2026, 3, 9))
    withdraw = (
        "UPDATE offers SET status = 'withdrawn', withdrawn_at = $2, withdrawal_reason = 'x' "
        "WHERE id = $1"
    )
    with pytest.raises(asyncpg.CheckViolationError, match="future unconfirmed") as refused:
        async with db.transaction():
            await db.execute(withdraw, offer_id, NOW)
    assert refused.value.constraint_name == "offers_withdrawal_cancels_sessions"
    async with db.transaction():
        await db.execute(withdraw, offer_id, NOW)
        await db.execute(
            "UPDATE sessions SET status = 'cancelled', cancellation_reason = 'x' WHERE id = $1",
            pending,
        )
    with pytest.raises(asyncpg.CheckViolationError, match="withdrawn"):
        await _book(db, loan_id, date(2026, 3, 12))


async def _hold(db: asyncpg.Connection, loan_id: UUID, session_id: UUID) -> UUID:
    txn = uuid4()
    async with db.transaction():
        await db.execute(
            "INSERT INTO ledger_transactions (id, loan_id, session_id, occurred_at) "
            "VALUES ($1, $2, $3, $4)",
            txn,
            loan_id,
            session_id,
            NOW,
        )
        await db.executemany(
            "INSERT INTO ledger_entries (transaction_id, siren, minutes) VALUES ($1, $2, $3)",
            [(txn, LENDER.siren, 210), (txn, BORROWER.siren, -210)],
        )
        await db.execute(
            "UPDATE sessions SET status = 'held', ledger_transaction_id = $2 WHERE id = $1",
            session_id,
            txn,
        )
    return txn


async def _one_sided_entry(db: asyncpg.Connection, loan_id: UUID) -> None:
    bad = uuid4()
    async with db.transaction():
        await db.execute(
            "INSERT INTO ledger_transactions (id, loan_id, session_id, occurred_at) "
            "VALUES ($1, $2, $3, $4)",
            bad,
            loan_id,
            uuid4(),
            NOW,
        )
        await db.execute(
            "INSERT INTO ledger_entries (transaction_id, siren, minutes) VALUES ($1, $2, 210)",
            bad,
            LENDER.siren,
        )


async def test_ledger_is_double_entry_and_append_only(db: asyncpg.Connection) -> None:
    loan_id = await _loan(db, await _offer(db))
    session_id = await _book(db, loan_id, date(2026, 3, 16))
    await _hold(db, loan_id, session_id)
    with pytest.raises(asyncpg.CheckViolationError, match="unbalanced"):
        await _one_sided_entry(db, loan_id)
    with pytest.raises(asyncpg.CheckViolationError, match="append-only"):
        await db.execute("UPDATE ledger_entries SET minutes = 1")
    assert await db.fetchval("SELECT sum(minutes) FROM ledger_balances") == 0
    await db.executemany(
        "INSERT INTO collectivites (siren, name, epci_siren) VALUES ($1, $2, $3) "
        "ON CONFLICT DO NOTHING",
        [(LENDER.siren, LENDER.name, EPCI), (BORROWER.siren, BORROWER.name, EPCI)],
    )
    by_epci = await db.fetch("SELECT epci_siren, minutes FROM ledger_balances_by_epci")
    assert {r["epci_siren"]: r["minutes"] for r in by_epci} == {EPCI: 0}
    assert OTHER not in {r["epci_siren"] for r in by_epci}


async def test_a_booking_racing_a_withdrawal_never_leaves_a_future_session(
    dsn: str, db: asyncpg.Connection
) -> None:
    offer_id = await _offer(db)
    loan_id = await _loan(db, offer_id, half_days=2)
    conns = [await _connect(dsn), await _connect(dsn)]

    async def book(conn: asyncpg.Connection) -> UUID:
        async with conn.transaction():
            return await _book(conn, loan_id, date(2026, 3, 19))

    async def withdraw(conn: asyncpg.Connection) -> None:
        # What the service does: mark the offer, cancel the future unconfirmed sessions.
        async with conn.transaction():
            await conn.execute(
                "UPDATE offers SET status = 'withdrawn', withdrawn_at = $2, "
                "withdrawal_reason = 'x' WHERE id = $1",
                offer_id,
                NOW,
            )
            await conn.execute(
                "UPDATE sessions SET status = 'cancelled', cancellation_reason = 'x' "
                "WHERE loan_id = $1 AND status = 'scheduled'",
                loan_id,
            )

    try:
        await _outcomes(book(conns[0]), withdraw(conns[1]))
    finally:
        for conn in conns:
            await conn.close()
    # Whoever won, the invariant holds: no scheduled session under a withdrawn offer.
    status = await db.fetchval("SELECT status FROM offers WHERE id = $1", offer_id)
    scheduled = await db.fetchval(
        "SELECT count(*) FROM sessions WHERE loan_id = $1 AND status = 'scheduled'", loan_id
    )
    assert status == "open" or scheduled == 0


async def test_the_agent_never_consents_before_the_hr_names_them(db: asyncpg.Connection) -> None:
    loan_id = await _loan(db, await _offer(db), agree=False)
    with pytest.raises(asyncpg.CheckViolationError, match="loans_consent_after_hr"):
        await db.execute("UPDATE loans SET hr_approved_at = NULL WHERE id = $1", loan_id)
    await db.execute(
        "UPDATE loans SET hr_approved_at = NULL, agent_consented_at = NULL WHERE id = $1", loan_id
    )
