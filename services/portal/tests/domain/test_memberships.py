import uuid
from datetime import UTC, datetime

import pytest

from deformations_common.vocabulary.roles import Role
from deformations_portal.domain import memberships as rules
from deformations_portal.domain.errors import (
    InvalidRole,
    MembershipEnded,
    MembershipNotPending,
    NotAllowedToDecide,
    NoValidatedMembership,
)
from deformations_portal.domain.memberships import Membership, Status

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)
CREST = "212601082"
AOUSTE = "212600118"


def held(role: Role, siren: str = CREST, status: Status = Status.VALIDATED) -> Membership:
    return Membership(uuid.uuid4(), uuid.uuid4(), siren, role, status, NOW)


@pytest.mark.parametrize("role", [Role.HR, Role.SECRETARY])
def test_the_referent_of_the_collectivite_decides(role: Role) -> None:
    assert rules.may_decide([held(role)], CREST)
    assert not rules.may_decide([held(role)], AOUSTE)


def test_an_operator_decides_for_any_collectivite() -> None:
    assert rules.may_decide([held(Role.OPERATOR, AOUSTE)], CREST)


@pytest.mark.parametrize("role", [Role.ELECTED, Role.AGENT, Role.TRAINER])
def test_other_roles_do_not_decide(role: Role) -> None:
    assert not rules.may_decide([held(role)], CREST)


def test_an_unvalidated_referent_does_not_decide() -> None:
    with pytest.raises(NotAllowedToDecide, match="référent"):
        rules.require_decider([held(Role.HR, status=Status.REQUESTED)], CREST)


def test_a_request_is_decided_once() -> None:
    request = held(Role.ELECTED, status=Status.REQUESTED)
    actor = uuid.uuid4()
    validated = rules.decide(request, accept=True, actor=actor, at=NOW)
    assert (validated.status, validated.decided_by) == (Status.VALIDATED, actor)
    with pytest.raises(MembershipNotPending, match="validée"):
        rules.decide(validated, accept=False, actor=actor, at=NOW)
    assert rules.decide(request, accept=False, actor=actor, at=NOW).status is Status.REFUSED


def test_operator_and_partner_cannot_be_asked_for() -> None:
    for value in ("operator", "partner", "king"):
        with pytest.raises(InvalidRole):
            rules.requestable_role(value)
    assert rules.requestable_role("elected") is Role.ELECTED


def test_the_person_acts_in_a_validated_membership_only() -> None:
    pending = held(Role.ELECTED, status=Status.REQUESTED)
    assert rules.acting_membership([pending], pending.membership_id) is None
    first, second = held(Role.ELECTED), held(Role.HR, AOUSTE)
    assert rules.acting_membership([first, second], None) == first
    assert rules.acting_membership([first, second], second.membership_id) == second
    with pytest.raises(NoValidatedMembership, match="pas encore validée"):
        rules.require_validated(None)


@pytest.mark.parametrize(
    "status", [s for s in Status if s not in (Status.VALIDATED, Status.INVITED)]
)
def test_only_a_validated_membership_or_an_invitation_is_revoked(status: Status) -> None:
    with pytest.raises(MembershipEnded, match="ne peut pas être retirée"):
        rules.revoke(held(Role.ELECTED, status=status), actor=uuid.uuid4(), at=NOW)


def test_a_revoked_membership_acts_no_more() -> None:
    actor = uuid.uuid4()
    revoked = rules.revoke(held(Role.ELECTED), actor=actor, at=NOW)
    assert (revoked.status, revoked.decided_by, revoked.decided_at) == (Status.REVOKED, actor, NOW)
    assert rules.acting_membership([revoked], revoked.membership_id) is None


def test_only_an_operator_invites_a_partner() -> None:
    assert rules.invitable_role("partner", [held(Role.OPERATOR)]) is Role.PARTNER
    with pytest.raises(InvalidRole):
        rules.invitable_role("partner", [held(Role.HR)])
    with pytest.raises(InvalidRole):
        rules.invitable_role("operator", [held(Role.OPERATOR)])
    assert rules.invitable_role("elected", [held(Role.HR)]) is Role.ELECTED
