"""The authorisation matrix through HTTP, on a representative sample (the full matrix is
tested at policy level in services/lending/tests/test_policy.py): role × collectivité ×
endpoint, each case on a fresh loan at the stage it needs."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from platform_harness import Platform, RunningService
from test_lending_support import (
    AOUSTE,
    CREST,
    MIRABEL,
    PERIOD,
    Actors,
    created,
    offer_body,
    ok,
    publish_offer,
)

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Who:
    siren: str | None
    roles: tuple[str, ...]
    sub: str | None = None  # a given person; else a new one each time

    def headers(self, actors: Actors) -> dict[str, str]:
        return actors.of(self.siren, *self.roles, sub=self.sub)


LENDER_ELECTED = Who(CREST, ("elected",))
LENDER_HR = Who(CREST, ("hr",))
LENDER_AGENT = Who(CREST, ("agent",))
THE_NAMED_AGENT = Who(CREST, ("agent",), sub="agent-named-1")
BORROWER_NAMED_AGENT = Who(AOUSTE, ("agent",), sub="agent-named-1")
BORROWER_ELECTED = Who(AOUSTE, ("elected",))
BORROWER_HR = Who(AOUSTE, ("hr",))
BORROWER_AGENT = Who(AOUSTE, ("agent",))
NEIGHBOUR_ELECTED = Who(MIRABEL, ("elected", "hr"))
TRAINER = Who(None, ("trainer",))
ELECTED_FOR_NOBODY = Who(None, ("elected",))
ANONYMOUS = None


async def proposed(lending: RunningService) -> str:
    offer = await publish_offer(lending)
    loan = created(
        await lending.client.post(
            "/v1/loans",
            json={
                "offer_id": offer["id"],
                "half_days": 1,
                "period": PERIOD,
                "scope": "Une demi-journée de conseil sur la restauration scolaire.",
            },
            headers=Actors(lending).borrower(),
        )
    )
    return f"/v1/loans/{loan['id']}"


async def accepted(lending: RunningService) -> str:
    base = await proposed(lending)
    ok(await lending.client.post(f"{base}/accept", headers=Actors(lending).borrower()))
    return base


NAMED_AGENT = "agent-named-1"


async def named(lending: RunningService) -> str:
    """Accepted, and approved by the RH, who named ``NAMED_AGENT``."""
    base = await accepted(lending)
    ok(
        await lending.client.post(
            f"{base}/approvals/hr",
            json={"agent_person_id": NAMED_AGENT},
            headers=Actors(lending).lender_hr(),
        )
    )
    return base


async def no_loan(lending: RunningService) -> str:
    return ""


Setup = Callable[[RunningService], Awaitable[str]]

# (setup, method, path under the setup's base, body, who, expected status)
CASES: list[tuple[Setup, str, str, dict[str, Any] | None, Who | None, int]] = [
    (no_loan, "POST", "/v1/offers", offer_body(), LENDER_HR, 201),
    (no_loan, "POST", "/v1/offers", offer_body(), LENDER_ELECTED, 201),
    (no_loan, "POST", "/v1/offers", offer_body(), LENDER_AGENT, 403),
    (no_loan, "POST", "/v1/offers", offer_body(), TRAINER, 403),
    (no_loan, "POST", "/v1/offers", offer_body(), ELECTED_FOR_NOBODY, 403),
    (no_loan, "POST", "/v1/offers", offer_body(), ANONYMOUS, 401),
    (no_loan, "GET", "/v1/offers", None, TRAINER, 200),
    (no_loan, "GET", "/v1/offers", None, BORROWER_AGENT, 200),
    (no_loan, "GET", "/v1/requests", None, ELECTED_FOR_NOBODY, 200),
    (no_loan, "GET", "/v1/offers", None, ANONYMOUS, 401),
    (no_loan, "GET", "/v1/ledger/balances", None, TRAINER, 200),
    (proposed, "POST", "/accept", None, BORROWER_ELECTED, 200),
    (proposed, "POST", "/accept", None, BORROWER_HR, 200),
    (proposed, "POST", "/accept", None, BORROWER_AGENT, 403),
    (proposed, "POST", "/accept", None, LENDER_ELECTED, 403),
    (proposed, "POST", "/accept", None, NEIGHBOUR_ELECTED, 403),
    (accepted, "POST", "/approvals/elected", None, LENDER_ELECTED, 200),
    (accepted, "POST", "/approvals/elected", None, LENDER_HR, 403),
    (accepted, "POST", "/approvals/elected", None, BORROWER_ELECTED, 403),
    (accepted, "POST", "/approvals/hr", {"agent_person_id": "a-1"}, LENDER_HR, 200),
    (accepted, "POST", "/approvals/hr", {"agent_person_id": "a-1"}, LENDER_ELECTED, 403),
    (accepted, "POST", "/approvals/hr", {"agent_person_id": "a-1"}, BORROWER_HR, 403),
    # An agent approving for the RH.
    (accepted, "POST", "/approvals/hr", {"agent_person_id": "a-1"}, LENDER_AGENT, 403),
    (accepted, "POST", "/approvals/hr", None, LENDER_HR, 422),
    # The consent is the named agent's, in person: not the RH's, the élue's, a colleague's.
    (named, "POST", "/approvals/agent", None, THE_NAMED_AGENT, 200),
    (named, "POST", "/approvals/agent", None, LENDER_HR, 403),
    (named, "POST", "/approvals/agent", None, LENDER_ELECTED, 403),
    (named, "POST", "/approvals/agent", None, LENDER_AGENT, 403),
    (named, "POST", "/approvals/agent", None, BORROWER_NAMED_AGENT, 403),
    (named, "POST", "/approvals/agent/refusal", {"reason": "Pas dispo."}, THE_NAMED_AGENT, 200),
    (named, "POST", "/approvals/agent/refusal", {"reason": "Pas dispo."}, LENDER_HR, 403),
    (named, "POST", "/approvals/agent/refusal", {"reason": "Pas dispo."}, LENDER_AGENT, 403),
    # Not named yet: the consent waits for the RH.
    (accepted, "POST", "/approvals/agent", None, THE_NAMED_AGENT, 403),
    (accepted, "POST", "/decline", {"reason": "Pas disponible."}, LENDER_ELECTED, 200),
    (accepted, "POST", "/decline", {"reason": "Pas disponible."}, NEIGHBOUR_ELECTED, 403),
    (accepted, "POST", "/cancel", {"reason": "Besoin couvert."}, BORROWER_HR, 200),
    (accepted, "POST", "/cancel", {"reason": "Besoin couvert."}, BORROWER_AGENT, 403),
    (accepted, "GET", "", None, LENDER_AGENT, 200),
    (accepted, "GET", "", None, NEIGHBOUR_ELECTED, 403),
    (accepted, "GET", "/convention.html", None, NEIGHBOUR_ELECTED, 403),
    # Allowed, but not yet agreed: the conflict says why.
    (accepted, "GET", "/convention.html", None, BORROWER_ELECTED, 409),
]


async def test_who_may_do_what(platform: Platform) -> None:
    lending = await platform.start("lending")
    actors = Actors(lending)
    wrong = []
    for setup, method, path, body, who, expected in CASES:
        base = await setup(lending)
        headers = who.headers(actors) if who else {}
        response = await lending.client.request(method, base + path, json=body, headers=headers)
        if response.status_code != expected:
            wrong.append((method, path, who, expected, response.status_code, response.text[:200]))
        elif expected in (401, 403, 409):
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["detail"]
    assert not wrong, "\n".join(map(str, wrong))
