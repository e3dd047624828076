import uuid
from datetime import UTC, datetime

import pytest

from deformations_common.vocabulary.roles import Role
from deformations_portal.domain import memberships, operator
from deformations_portal.domain.errors import (
    InvalidJournalFilter,
    MembershipEnded,
    NotAnOperator,
    ReasonRequired,
)
from deformations_portal.domain.memberships import Membership, Status
from deformations_portal.domain.operator import JournalAction

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def held(role: Role, status: Status) -> Membership:
    return Membership(uuid.uuid4(), uuid.uuid4(), "212601082", role, status, AT)


def test_only_a_validated_operator_is_an_operator() -> None:
    assert operator.require_operator([held(Role.OPERATOR, Status.VALIDATED)]).role is Role.OPERATOR
    for refused in (
        [held(Role.OPERATOR, Status.REQUESTED)],
        [held(Role.HR, Status.VALIDATED)],
        [],
    ):
        with pytest.raises(NotAnOperator, match="réservée aux opérateurs"):
            operator.require_operator(refused)


def test_a_refusal_says_why_and_a_reason_is_bounded() -> None:
    assert operator.reason("", required=False) is None
    assert operator.reason("  doublon \n de compte ", required=True) == "doublon de compte"
    with pytest.raises(ReasonRequired, match="motif"):
        operator.reason("   ", required=True)
    with pytest.raises(ReasonRequired, match="500"):
        operator.reason("x" * 501, required=False)


def test_revoking_ends_live_rights_only() -> None:
    actor = uuid.uuid4()
    for status in (Status.VALIDATED, Status.INVITED):
        ended = memberships.revoke(held(Role.ELECTED, status), actor=actor, at=AT)
        assert ended.status is Status.REVOKED and ended.decided_by == actor
    for status in (Status.REQUESTED, Status.REFUSED, Status.REVOKED):
        with pytest.raises(MembershipEnded):
            memberships.revoke(held(Role.ELECTED, status), actor=actor, at=AT)


def test_journal_filters_are_checked() -> None:
    chosen = operator.journal_filter("membership.refused", " 212601082 ", "3")
    assert chosen.action is JournalAction.MEMBERSHIP_REFUSED and chosen.siren == "212601082"
    assert chosen.offset == 2 * operator.JOURNAL_PAGE_SIZE
    assert operator.journal_filter() == operator.JournalFilter()
    for bad in (("nope", "", "1"), ("", "1234", "1"), ("", "", "0"), ("", "", "deux")):
        with pytest.raises(InvalidJournalFilter):
            operator.journal_filter(*bad)
    assert operator.pages(0) == 1 and operator.pages(20) == 1 and operator.pages(21) == 2
