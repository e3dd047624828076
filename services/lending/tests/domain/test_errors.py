"""Lending's errors keep the codes and statuses its API has always answered with."""

import pytest

from deformations_common.vocabulary.errors import DomainError
from deformations_lending.domain import errors

EXPECTED = {
    errors.InvalidTransitionError: ("invalid_transition", 409),
    errors.CapacityExceededError: ("capacity_exceeded", 409),
    errors.AgentAlreadyBookedError: ("agent_already_booked", 409),
    errors.OfferWithdrawnError: ("offer_withdrawn", 409),
    errors.LoanAlreadyExistsError: ("already_exists", 409),
    errors.ProposalExpiredError: ("proposal_expired", 409),
    errors.ProposalIncompleteError: ("proposal_incomplete", 409),
    errors.ConcurrentChangeError: ("conflict", 409),
    errors.InvalidInputError: ("invalid_input", 422),
    errors.ForbiddenError: ("forbidden", 403),
    errors.LoanNotFoundError: ("loan_not_found", 404),
    errors.OfferNotFoundError: ("offer_not_found", 404),
    errors.RequestNotFoundError: ("request_not_found", 404),
    errors.ProposalNotFoundError: ("proposal_not_found", 404),
}


@pytest.mark.parametrize(("error", "expected"), EXPECTED.items(), ids=lambda e: str(e))
def test_each_error_has_its_code_and_status(
    error: type[DomainError], expected: tuple[str, int]
) -> None:
    raised = error("Un message en français.", loan="l-1")

    assert isinstance(raised, DomainError)
    assert (raised.code, raised.status) == expected
    assert (raised.message, raised.details) == ("Un message en français.", {"loan": "l-1"})


def test_every_error_of_the_module_is_checked() -> None:
    declared = {
        getattr(errors, name)
        for name in errors.__all__
        if getattr(errors, name) is not errors.DomainError
    }
    assert declared == set(EXPECTED)
