"""The base of every error the rules of a domain raise.

Each error carries a stable ``code`` (for programs), a French ``message`` (shown to
people as it is) and the HTTP ``status`` it becomes. The runtime renders any of them as
RFC 9457 problem details with one handler, so services never map errors by hand.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """A command the rules refuse. Subclasses set ``code`` and ``status``."""

    code: ClassVar[str] = "conflict"
    status: ClassVar[int] = 409

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(DomainError):
    """A value breaks a rule (dates, answers, sizes): 422."""

    code, status = "invalid_input", 422


class NotFoundError(DomainError):
    """What the command names does not exist, or is not visible to the actor: 404."""

    code, status = "not_found", 404


class ForbiddenAction(DomainError):
    """The actor may not take this action for this collectivité: 403."""

    code, status = "forbidden", 403


class ConflictError(DomainError):
    """The command does not fit the current state: 409."""

    code, status = "conflict", 409


class GoneError(DomainError):
    """What the command names existed but is over (an expired link, a closed campaign): 410."""

    code, status = "gone", 410
