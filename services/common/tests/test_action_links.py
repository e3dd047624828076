"""The signed links of the loan mails: they lapse, cannot be forged, and are one person's."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from deformations_common.action_links import (
    LIFETIME,
    LinkCheck,
    LoanAction,
    action_claim,
    check_action_link,
    make_action_token,
    read_action_token,
)

KEY = b"k" * 32
NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
LOAN, PERSON = uuid4(), uuid4()


def _token(action: LoanAction = LoanAction.APPROVE, key: bytes = KEY) -> str:
    return make_action_token(action_claim(LOAN, action, PERSON, NOW), key)


def _check(
    token: str,
    *,
    action: str = "accord",
    person: UUID = PERSON,
    loan: UUID = LOAN,
    at: datetime = NOW,
) -> LinkCheck:
    return check_action_link(token, KEY, loan_id=loan, action=action, person_id=person, now=at)


def test_a_fresh_link_for_its_person_is_valid_and_says_what_it_signs() -> None:
    token = _token()
    assert _check(token) is LinkCheck.VALID
    claim = read_action_token(token, KEY)
    assert claim is not None
    assert (claim.loan_id, claim.action, claim.person_id) == (LOAN, LoanAction.APPROVE, PERSON)
    assert claim.expires_at == NOW + LIFETIME


def test_a_link_lapses_after_seven_days() -> None:
    token = _token()
    assert _check(token, at=NOW + LIFETIME - timedelta(seconds=1)) is LinkCheck.VALID
    assert _check(token, at=NOW + LIFETIME) is LinkCheck.EXPIRED


def test_a_forged_or_altered_link_is_refused() -> None:
    token = _token()
    payload, mac = token.split(".")
    assert (
        _check(payload + "." + mac[:-2] + ("AA" if mac[-2:] != "AA" else "BB")) is LinkCheck.FORGED
    )
    assert _check(_token(key=b"x" * 32)) is LinkCheck.FORGED
    assert _check("n'importe-quoi") is LinkCheck.FORGED
    # A genuine token shown on another loan, or for another action, is no better.
    assert _check(token, loan=uuid4()) is LinkCheck.FORGED
    assert _check(token, action="accepter") is LinkCheck.FORGED


def test_a_link_is_for_its_person_only() -> None:
    assert _check(_token(), person=uuid4()) is LinkCheck.OTHER_PERSON
