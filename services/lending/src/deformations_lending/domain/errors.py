"""Domain errors. Messages are French: the API shows them to people as they are."""


class DomainError(Exception):
    """A command that the rules refuse; the API maps it to 409 Conflict."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidTransitionError(DomainError):
    """The command does not apply to the current state of the loan, offer or session."""


class CapacityExceededError(DomainError):
    """Committing these half-days would over-commit the offer or the loan."""


class AgentAlreadyBookedError(DomainError):
    """The agent already has a session on this half-day."""


class InvalidInputError(DomainError):
    """A value breaks a rule of the domain (dates, half-days, answers)."""


class ForbiddenError(Exception):
    """The actor may not run this command for this collectivité; the API maps it to 403."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
