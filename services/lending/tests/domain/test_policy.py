"""Authorisation matrix: role × collectivité × command."""

import pytest
from lending_factories import BORROWER, LENDER, OTHER

from deformations_lending.domain.errors import ForbiddenError
from deformations_lending.domain.policy import (
    RULES,
    Actor,
    Command,
    Parties,
    authorize,
    is_allowed,
)

PARTIES = Parties(owner=LENDER.siren, lender=LENDER.siren, borrower=BORROWER.siren, agent="p-1")
ROLES = ["elected", "hr", "agent", "trainer", "operator"]
WHERE = {"lender": LENDER.siren, "borrower": BORROWER.siren, "other": OTHER, "none": None}

BOTH = {"elected", "hr"}
# command -> (collectivités that may act: "lender"/"borrower", roles); None = anyone.
EXPECTED: dict[Command, tuple[set[str], set[str]] | None] = {
    Command.BROWSE: None,
    Command.VIEW_LEDGER: None,
    Command.PUBLISH_OFFER: ({"lender"}, BOTH),  # owner is the lender in PARTIES
    Command.WITHDRAW_OFFER: ({"lender"}, BOTH),
    Command.PUBLISH_REQUEST: ({"lender"}, BOTH),
    Command.WITHDRAW_REQUEST: ({"lender"}, BOTH),
    Command.PROPOSE_LOAN: ({"borrower"}, BOTH),
    Command.ACCEPT_LOAN: ({"borrower"}, BOTH),
    Command.APPROVE_AS_ELECTED: ({"lender"}, {"elected"}),
    Command.APPROVE_AS_HR: ({"lender"}, {"hr"}),
    # Personal too: only the named agent ("p-1" in PARTIES), see the test below.
    Command.GIVE_AGENT_CONSENT: ({"lender"}, {"agent"}),
    Command.REFUSE_AGENT_CONSENT: ({"lender"}, {"agent"}),
    Command.DECLINE_LOAN: ({"lender", "borrower"}, BOTH),
    Command.CANCEL_LOAN: ({"lender", "borrower"}, BOTH),
    Command.VIEW_LOAN: ({"lender", "borrower"}, {"elected", "hr", "agent"}),
    Command.SCHEDULE_SESSION: ({"lender", "borrower"}, BOTH),
    Command.RESCHEDULE_SESSION: ({"lender", "borrower"}, BOTH),
    Command.CANCEL_SESSION: ({"lender", "borrower"}, BOTH),
    Command.CONFIRM_SESSION: ({"lender"}, BOTH),
    Command.RECORD_SESSION_HELD: ({"borrower"}, BOTH),
    Command.COMPLETE_LOAN: ({"borrower"}, BOTH),
    Command.BORROWER_FEEDBACK: ({"borrower"}, BOTH),
    Command.LENDER_FEEDBACK: ({"lender"}, BOTH),
    Command.AGENT_FEEDBACK: ({"lender"}, {"agent"}),
    Command.DOWNLOAD_CONVENTION: ({"lender", "borrower"}, BOTH),
    Command.DOWNLOAD_ATTESTATION: ({"lender"}, {"hr", "agent"}),
    # The platform's operators, whatever collectivité they act for (or none).
    Command.MODERATE: (set(WHERE), {"operator"}),
}


def test_every_command_has_a_rule_and_an_expectation() -> None:
    assert set(RULES) == set(Command) == set(EXPECTED)


@pytest.mark.parametrize("command", list(Command))
@pytest.mark.parametrize("where", list(WHERE))
@pytest.mark.parametrize("role", ROLES)
def test_matrix(command: Command, where: str, role: str) -> None:
    actor = Actor(person_id="p-1", authority=WHERE[where], roles=frozenset({role}))
    expected = EXPECTED[command]
    allowed = expected is None or (where in expected[0] and role in expected[1])
    assert is_allowed(actor, command, PARTIES) is allowed


def test_no_role_at_all_only_browses() -> None:
    actor = Actor(person_id="p-1", authority=LENDER.siren, roles=frozenset())
    assert is_allowed(actor, Command.BROWSE, PARTIES)
    assert not is_allowed(actor, Command.WITHDRAW_OFFER, PARTIES)


def test_unknown_roles_are_ignored_and_messages_are_french() -> None:
    actor = Actor(person_id="p-1", authority=LENDER.siren, roles=frozenset({"admin", "elected"}))
    with pytest.raises(ForbiddenError, match="ressources humaines"):
        authorize(actor, Command.APPROVE_AS_HR, PARTIES)
    outsider = Actor(person_id="p-2", authority=OTHER, roles=frozenset({"hr"}))
    with pytest.raises(ForbiddenError, match="collectivité concernée"):
        authorize(outsider, Command.APPROVE_AS_HR, PARTIES)


def test_missing_party_denies() -> None:
    actor = Actor(person_id="p-1", authority=LENDER.siren, roles=frozenset({"hr"}))
    assert not is_allowed(actor, Command.APPROVE_AS_HR, Parties(borrower=BORROWER.siren))


@pytest.mark.parametrize("command", [Command.GIVE_AGENT_CONSENT, Command.REFUSE_AGENT_CONSENT])
def test_the_agents_consent_is_theirs_alone(command: Command) -> None:
    named = Actor(person_id="p-1", authority=LENDER.siren, roles=frozenset({"agent"}))
    colleague = Actor(person_id="p-2", authority=LENDER.siren, roles=frozenset({"agent"}))
    hr = Actor(person_id="p-3", authority=LENDER.siren, roles=frozenset({"hr"}))
    assert is_allowed(named, command, PARTIES)
    with pytest.raises(ForbiddenError, match="Seul l'agent désigné"):
        authorize(colleague, command, PARTIES)
    with pytest.raises(ForbiddenError, match="réservée au rôle : agent"):
        authorize(hr, command, PARTIES)
    # Nobody named yet: nobody answers, not even an agent of the lender.
    unnamed = Parties(lender=LENDER.siren, borrower=BORROWER.siren)
    assert not is_allowed(named, command, unnamed)
