"""Fail closed: every route of every service that changes state refuses whoever it
cannot trust, and changes nothing while refusing.

The routes are not listed by hand: they are read from each running app, included
routers walked, so a mutating route added tomorrow is walked too. For each one:
no token, an expired token, a token for another audience, a forged, an unsigned and a
subject-less one answer 401 (problem details, ``WWW-Authenticate: Bearer``), and the
service's whole schema (outbox included) is the same afterwards. The routes that are
public on purpose are listed below with their reason; a new public route fails the walk
until it is listed.

Then every mutating route is called with a valid token of a third collectivité (one that
owns nothing) under each role in turn, and under none, with a body its own schema
accepts: it answers 403, or 404 where the service hides what exists (the ids exist
nowhere here), and the schema is the same afterwards, unless ``OPEN_TO`` lists the role
with the reason it may act there; a listed role must indeed get past authorisation. The
services check roles in their domain rather than in route dependencies, so the walk
cannot read them off the routes: a new route that lets a role through fails it until it
is listed. A sample of role checks, one or more per service, shows a valid token of a
role without the right answering 403 with nothing changed.

The portal's forms are walked the same way (no session, a forged one, a session without
the form's CSRF token). Last, the production path: training and lending verify the
portal's own RS256 tokens against its JWKS on a real port, and refuse one for another
audience, an expired one, one signed by another key under the same kid, one of another
issuer and one that would live a day.
"""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import jwt
import pytest
from authorization_walk_support import (
    A_UUID,
    ALL_ROLES,
    CREST,
    bearer,
    concrete,
    fingerprint,
    mutating_routes,
    past_dated,
    request_body,
    untrusted_tokens,
)
from browser import serving
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import APIRouter, FastAPI
from platform_harness import Platform, RunningService
from pydantic import AwareDatetime, BaseModel, Field, StringConstraints
from test_lending_support import offer_body

from deformations_common.auth import CurrentPrincipal, OptionalPrincipal
from deformations_common.service import create_app
from deformations_common.vocabulary.roles import Role
from deformations_devtools.portal.support import Portal
from deformations_devtools.testing import free_port
from deformations_matching.domain.cafe_review import QUESTIONS as CAFE_REVIEW_QUESTIONS
from deformations_portal.app import definition as portal_definition
from deformations_portal.domain.memberships import Membership, Status
from deformations_portal.service import people, tokens
from deformations_portal.service.uow import PortalUow
from deformations_portal.settings import PortalSettings

integration = pytest.mark.integration

SERVICES = ("diagnosis", "lending", "matching", "notifications", "training")
# Statistics writes only through its operations API (dead letters); the portal's bearer
# routes are that same API, its forms are walked with sessions below.
BEARER_APPS = (*SERVICES, "statistics", "portal")
AOUSTE = "212600118"

# (service, method, path) → why anyone may call it. Nothing else may be called anonymously.
PUBLIC: dict[tuple[str, str, str], str] = {
    ("diagnosis", "POST", "/v1/responses"): (
        "the self-diagnosis is open to anyone, signed in or not (rate limited per address)"
    ),
    ("diagnosis", "POST", "/quiz"): "the quiz page's form: the same anonymous self-diagnosis",
    ("diagnosis", "POST", "/c/{token}"): (
        "a campaign's quiz: the unguessable campaign token in the path is the authorisation"
    ),
    ("notifications", "POST", "/v1/relay/replies"): (
        "a reply to a relayed message: the message's reply token is the authorisation"
    ),
    ("notifications", "POST", "/v1/unsubscribe"): (
        "one-click unsubscribe from an e-mail (RFC 8058): authorised by the signed token"
    ),
    ("notifications", "POST", "/v1/relay/reply"): (
        "the reply form linked from a relayed e-mail: authorised by its reply token"
    ),
    ("notifications", "POST", "/v1/relay/report"): (
        "the report form linked from a relayed e-mail: authorised by its reply token"
    ),
}

THIRD = "200046977"  # a collectivité of its own: it owns nothing in any service
NO_ROLE: tuple[str, ...] = ()
EVERY_ROLE_AND_NONE = (*((r,) for r in ALL_ROLES), NO_ROLE)
OPERATOR = frozenset({"operator"})
EVERYONE = frozenset(ALL_ROLES) | {""}
DEAD_LETTERS = "the operator redrives or discards dead letters, for the whole platform"

# (service, method, path) → (the roles that may act there for a third collectivité, why).
# "" stands for a token without roles. Every other role must be refused (403/404).
OPEN_TO: dict[tuple[str, str, str], tuple[frozenset[str], str]] = {
    **{
        (s, "POST", f"/v1/operations/dead-letters/{a}"): (OPERATOR, DEAD_LETTERS)
        for s in BEARER_APPS
        for a in ("redrive", "discard")
    },
    ("diagnosis", "POST", "/v1/campaigns"): (
        frozenset({"elected", "trainer", "operator"}),
        "an elected opens campaigns for their own commune, a trainer or operator for any",
    ),
    ("diagnosis", "POST", "/v1/questionnaire-versions"): (OPERATOR, "the operator edits"),
    ("lending", "POST", "/v1/offers"): (
        frozenset({"elected", "hr"}),
        "an elected or HR offers a skill of their own collectivité",
    ),
    ("lending", "POST", "/v1/requests"): (
        frozenset({"elected", "hr"}),
        "an elected or HR asks for a skill for their own collectivité",
    ),
    ("matching", "POST", "/v1/operator/rematch"): (OPERATOR, "the operator reruns matching"),
    ("matching", "POST", "/v1/peer-calls"): (
        frozenset({"elected"}),
        "an elected posts their own appel à pairs",
    ),
    ("matching", "POST", "/v1/cafes"): (OPERATOR, "the operator plans cafés"),
    ("matching", "POST", "/v1/speed-datings"): (
        frozenset({"trainer", "operator"}),
        "a trainer or the operator plans a speed dating",
    ),
    ("matching", "POST", "/v1/common-slots"): (
        frozenset({"hr", "trainer", "operator"}),
        "those who organise find common slots (it computes, stores nothing)",
    ),
    # PUT /v1/me/recipient is not listed: anyone signed in registers her own address, but
    # only with a token vouching for it as proven hers (the walk's tokens vouch for none).
    ("notifications", "DELETE", "/v1/me/recipient"): (EVERYONE, "forgetting one's own address"),
    ("notifications", "DELETE", "/v1/me/unsubscribe-links"): (
        EVERYONE,
        "revoking one's own unsubscribe links",
    ),
    ("notifications", "POST", "/v1/webhooks"): (OPERATOR, "the operator subscribes webhooks"),
    ("notifications", "POST", "/v1/relay/inbound"): (
        OPERATOR,
        "the mail gateway's inbound hook, with the operator's token",
    ),
    ("training", "POST", "/v1/bodies"): (OPERATOR, "the operator registers training bodies"),
    ("training", "POST", "/v1/bodies/{body_siren}/offers"): (
        OPERATOR,
        "the operator publishes offers on a body's behalf",
    ),
    ("training", "POST", "/v1/offers/{offer_id}/groups"): (
        frozenset({"hr", "operator"}),
        "HR enrols a group of its own collectivité, the operator any",
    ),
    ("training", "PUT", "/v1/collectivites/{siren}/budgets/{year}"): (
        OPERATOR,
        "the operator, platform-wide, may record any collectivité's budget",
    ),
}

# Optional fields a route needs to get as far as its authorisation (the example body
# holds only the required ones).
BODY_EXTRAS: dict[tuple[str, str, str], dict[str, Any]] = {
    ("matching", "PUT", "/v1/cafes/{cycle_id}/review/mine"): {
        "scores": dict.fromkeys(CAFE_REVIEW_QUESTIONS, 3)
    },
}

# Things another collectivité (CREST) owns, created before the walk over them:
# service → (method, path, body or None for the route's example, role, id parameter).
OWNED: dict[str, list[tuple[str, str, dict[str, Any] | None, str, str]]] = {
    "diagnosis": [
        (
            "POST",
            "/v1/campaigns",
            {"team_kind": "municipal_council", "collectivite_siren": CREST},
            "elected",
            "campaign_id",
        )
    ],
    "lending": [
        ("POST", "/v1/offers", None, "hr", "offer_id"),
        ("POST", "/v1/requests", None, "hr", "request_id"),
    ],
    "matching": [("POST", "/v1/peer-calls", None, "elected", "call_id")],
}

# On what another collectivité owns, the roles of a third that may still act, and why.
OWNED_OPEN_TO: dict[tuple[str, str, str], tuple[frozenset[str], str]] = {
    ("diagnosis", "PATCH", "/v1/campaigns/{campaign_id}"): (OPERATOR, "the operator, for all"),
    ("diagnosis", "POST", "/v1/campaigns/{campaign_id}/close"): (OPERATOR, "the operator"),
    ("matching", "POST", "/v1/peer-calls/{call_id}/join"): (
        frozenset({"elected"}),
        "an elected of any collectivité answers an appel à pairs: that is what it is for",
    ),
    ("matching", "POST", "/v1/peer-calls/{call_id}/group"): (
        OPERATOR,
        "the operator forms a group for the author",
    ),
    ("matching", "POST", "/v1/peer-calls/{call_id}/withdraw"): (
        OPERATOR,
        "the operator may withdraw any appel à pairs",
    ),
    ("matching", "POST", "/v1/operations/moderation/peer-calls/{call_id}/hide"): (
        OPERATOR,
        "the operator moderates",
    ),
    ("matching", "POST", "/v1/operations/moderation/peer-calls/{call_id}/show"): (
        OPERATOR,
        "the operator moderates",
    ),
    **{
        ("lending", "POST", f"/v1/operations/moderation/{texts}/{{{key}}}/{action}"): (
            OPERATOR,
            "the operator moderates every collectivité's offers and requests",
        )
        for texts, key in (("offers", "offer_id"), ("requests", "request_id"))
        for action in ("hide", "show")
    },
}

# A valid token of a role without the right, on routes that need a role (a sample: the
# full matrices live with each service's policy tests). (method, path, body, roles, SIREN)
ROLE_CASES: dict[str, list[tuple[str, str, dict[str, Any] | None, tuple[str, ...], str]]] = {
    "diagnosis": [
        (
            "POST",
            "/v1/campaigns",
            {"team_kind": "municipal_council", "collectivite_siren": CREST},
            ("agent",),
            CREST,
        ),
        (
            "POST",
            "/v1/campaigns",
            {"team_kind": "municipal_council", "collectivite_siren": CREST},
            ("elected",),
            AOUSTE,
        ),
        ("POST", "/v1/questionnaire-versions", {"source": "version: x"}, ("trainer",), CREST),
        ("POST", "/v1/questionnaire-versions/2031-01-v1/publish", None, ("elected",), CREST),
    ],
    "lending": [
        ("POST", "/v1/offers", offer_body(), ("agent",), CREST),
        # Even its own élue and HR may not hide their offer: moderation is the platform's.
        (
            "POST",
            f"/v1/operations/moderation/offers/{A_UUID}/hide",
            {"reason": "Un motif"},
            ("elected", "hr"),
            CREST,
        ),
    ],
    "matching": [("POST", "/v1/operator/rematch", None, ("elected", "hr"), CREST)],
    "notifications": [
        (
            "POST",
            "/v1/webhooks",
            {"url": "https://example.org/hook", "event_types": ["*"]},
            ("elected", "hr"),
            CREST,
        ),
        (
            "POST",
            "/v1/relay/inbound",
            {"to": "relais+0123456789@example.org", "subject": "Re", "body": "Merci"},
            ("hr",),
            CREST,
        ),
        ("POST", f"/v1/notifications/{A_UUID}/retry", None, ("elected",), CREST),
        # Anyone signed in, but only to someone one shares a context with (a stranger here).
        (
            "POST",
            "/v1/relay/messages",
            {"to": "personne-inconnue", "subject": "Bonjour", "body": "Une question"},
            ("elected", "hr"),
            CREST,
        ),
    ],
    "training": [
        ("POST", "/v1/bodies", {"siren": "130025265", "name": "Organisme"}, ("elected",), CREST),
        (
            "PUT",
            f"/v1/collectivites/{CREST}/budgets/2026",
            {"voted_cents": 100_000},
            ("hr",),
            AOUSTE,
        ),
        (
            "PUT",
            f"/v1/collectivites/{CREST}/budgets/2026",
            {"voted_cents": 100_000},
            ("elected", "agent"),
            CREST,
        ),
    ],
}


# Requests with the right, to show the fingerprint sees a write.
PERMITTED: dict[str, tuple[str, str, dict[str, Any] | None, tuple[str, ...], str]] = {
    "lending": ("POST", "/v1/offers", offer_body(), ("hr",), CREST),
    "training": (
        "PUT",
        f"/v1/collectivites/{CREST}/budgets/2026",
        {"voted_cents": 100_000},
        ("hr",),
        CREST,
    ),
}


def assert_unauthorized(response: Any, what: str) -> None:
    assert response.status_code == 401, f"{what}: {response.status_code} {response.text[:300]}"
    assert response.headers["content-type"].startswith("application/problem+json"), what
    assert response.headers.get("www-authenticate") == "Bearer", what
    assert response.json()["status"] == 401, what


async def start(platform: Platform, name: str) -> RunningService:
    # One audience per service, as deployed: a token for one is refused by the others.
    return await platform.start(name, jwt_audience=name)


@integration
@pytest.mark.parametrize("name", [*SERVICES, "statistics"])
async def test_every_mutating_route_refuses_a_caller_it_cannot_trust(
    platform: Platform, name: str
) -> None:
    service = await start(platform, name)
    routes = mutating_routes(service.app)
    assert len(routes) >= (2 if name == "statistics" else 5), f"{name}: found only {routes}"
    listed = {(m, p) for (s, m, p) in PUBLIC if s == name}
    assert listed <= {r.key for r in routes}, f"{name}: PUBLIC lists routes that are gone"
    tokens = untrusted_tokens(service.settings)
    before = await fingerprint(service.runtime)
    for route in routes:
        path = concrete(route.path)
        what = f"{name} {route.method} {route.path}"
        public = route.key in listed
        assert route.requires_token or public, (
            f"{what} takes no bearer token: protect it (CurrentPrincipal) or list it in PUBLIC "
            "with the reason anyone may call it"
        )
        anonymous = await service.client.request(route.method, path, json={})
        if public:
            assert anonymous.status_code != 401, f"{what}: PUBLIC but refused anonymously"
        else:
            assert_unauthorized(anonymous, f"{what} without a token")
        if not route.reads_token:
            continue
        # A bad token is never taken for no token, not even where anonymous is allowed.
        for kind, token in tokens.items():
            response = await service.client.request(
                route.method, path, json={}, headers=bearer(token)
            )
            assert_unauthorized(response, f"{what} with a token: {kind}")
    assert await fingerprint(service.runtime) == before, f"{name}: a refused request wrote"


@integration
@pytest.mark.parametrize("name", SERVICES)
async def test_a_role_without_the_right_is_forbidden_and_changes_nothing(
    platform: Platform, name: str
) -> None:
    service = await start(platform, name)
    before = await fingerprint(service.runtime)
    for method, path, body, roles, siren in ROLE_CASES[name]:
        headers = service.auth("walk-person", authority=siren, roles=roles)
        response = await service.client.request(method, path, json=body, headers=headers)
        what = f"{name} {method} {path} as {roles} of {siren}"
        assert response.status_code == 403, f"{what}: {response.status_code} {response.text}"
        assert response.headers["content-type"].startswith("application/problem+json"), what
    assert await fingerprint(service.runtime) == before, f"{name}: a forbidden request wrote"
    if name in PERMITTED:
        # The same kind of request with the right does write: the fingerprint sees it.
        method, path, body, roles, siren = PERMITTED[name]
        headers = service.auth("walk-person", authority=siren, roles=roles)
        response = await service.client.request(method, path, json=body, headers=headers)
        assert response.status_code in (200, 201), response.text
        assert await fingerprint(service.runtime) != before


@integration
@pytest.mark.parametrize("name", BEARER_APPS)
async def test_every_role_of_a_third_collectivite_is_refused_and_changes_nothing(
    platform: Platform, name: str
) -> None:
    service = await start(platform, name)
    routes = {r.key: r for r in mutating_routes(service.app)}
    open_to = {(m, p): roles for (s, m, p), (roles, _) in OPEN_TO.items() if s == name}
    assert open_to.keys() <= routes.keys(), f"{name}: OPEN_TO lists routes that are gone"
    public = {(m, p) for (s, m, p) in PUBLIC if s == name}
    assert len(routes) >= 2, f"{name}: the walk found only {routes}"
    for key, route in routes.items():
        if key in public or not route.reads_token:
            continue
        body = request_body(service.app, route.method, route.path)
        body |= BODY_EXTRAS.get((name, *key), {})
        path = concrete(route.path)
        allowed = open_to.get(key, frozenset())
        before = await fingerprint(service.runtime)
        # Dates in the past too: rights answer first, whatever the body's rules say.
        bodies = [body] if past_dated(body) == body else [body, past_dated(body)]
        for roles, sent in ((r, b) for r in EVERY_ROLE_AND_NONE for b in bodies):
            if "".join(roles) in allowed:
                continue
            headers = service.auth("walk-third", authority=THIRD, roles=roles)
            response = await service.client.request(route.method, path, json=sent, headers=headers)
            what = f"{name} {route.method} {route.path} as {roles or 'no role'} of {THIRD}"
            assert response.status_code in (403, 404), (
                f"{what}: {response.status_code} {response.text[:300]} — refuse it, or list "
                "the role in OPEN_TO with the reason it may act there (rights before the body)"
            )
            assert response.headers["content-type"].startswith("application/problem+json"), what
        after = await fingerprint(service.runtime)
        assert after == before, f"{name} {route.method} {route.path}: a refused request wrote"
        # The allow-list stays true: a listed role does get past the authorisation.
        for role in sorted(allowed):
            headers = service.auth("walk-third", authority=THIRD, roles=(role,) if role else ())
            response = await service.client.request(route.method, path, json=body, headers=headers)
            what = f"{name} {route.method} {route.path} as {role or 'no role'}: OPEN_TO"
            assert response.status_code not in (401, 403), f"{what} but {response.text[:300]}"
            assert response.status_code < 500, f"{what}: {response.text[:300]}"


@integration
@pytest.mark.parametrize("name", sorted(OWNED))
async def test_every_role_of_a_third_collectivite_is_refused_on_what_another_owns(
    platform: Platform, name: str
) -> None:
    """The same walk over things that exist, so that a 404 is not the only answer: each
    route that names one of them, under each role of the third collectivité."""
    service = await start(platform, name)
    ids: dict[str, str] = {}
    for method, path, body, role, parameter in OWNED[name]:
        created = await service.client.request(
            method,
            path,
            json=request_body(service.app, method, path) if body is None else body,
            headers=service.auth("walk-owner", authority=CREST, roles=(role,)),
        )
        assert created.status_code == 201, f"{name} {path}: {created.text}"
        ids[parameter] = created.json().get("id") or created.json()[parameter]
    routes = [r for r in mutating_routes(service.app) if any(f"{{{k}}}" in r.path for k in ids)]
    open_to = {(m, p): roles for (s, m, p), (roles, _) in OWNED_OPEN_TO.items() if s == name}
    assert open_to.keys() <= {r.key for r in routes}, f"{name}: OWNED_OPEN_TO lists gone routes"
    allowed_calls = []
    before = await fingerprint(service.runtime)
    for route in routes:
        path = route.path
        for parameter, value in ids.items():
            path = path.replace(f"{{{parameter}}}", value)
        path = concrete(path)
        body = request_body(service.app, route.method, route.path)
        bodies = [body] if past_dated(body) == body else [body, past_dated(body)]
        allowed = open_to.get(route.key, frozenset())
        for roles in EVERY_ROLE_AND_NONE:
            if "".join(roles) in allowed:
                allowed_calls.append((route, path, body, roles))
                continue
            headers = service.auth("walk-third", authority=THIRD, roles=roles)
            for sent in bodies:
                response = await service.client.request(
                    route.method, path, json=sent, headers=headers
                )
                what = f"{name} {route.method} {route.path} as {roles or 'no role'} of {THIRD}"
                assert response.status_code in (403, 404), (
                    f"{what}, on what {CREST} owns: {response.status_code} {response.text[:300]}"
                )
    assert await fingerprint(service.runtime) == before, f"{name}: a refused request wrote"
    # Last, as they may change what they act on: the listed roles get past authorisation.
    for route, path, body, roles in allowed_calls:
        headers = service.auth("walk-third", authority=THIRD, roles=roles)
        response = await service.client.request(route.method, path, json=body, headers=headers)
        what = f"{name} {route.method} {route.path} as {roles}: OWNED_OPEN_TO"
        assert response.status_code not in (401, 403), f"{what} but {response.text[:300]}"
        assert response.status_code < 500, f"{what}: {response.text[:300]}"


def test_the_walk_sees_routes_of_nested_routers_and_tells_protected_from_not() -> None:
    """Without a live service: what makes the walk fail on a new unprotected route."""
    inner, outer, app = APIRouter(prefix="/inner"), APIRouter(prefix="/v1"), FastAPI()

    @inner.post("/open")
    async def forgotten() -> None: ...

    @inner.delete("/{thing_id}")
    async def protected(thing_id: str, principal: CurrentPrincipal) -> None: ...

    @outer.put("/maybe")
    async def optional(principal: OptionalPrincipal) -> None: ...

    @outer.get("/read")
    async def read() -> None: ...

    outer.include_router(inner)
    app.include_router(outer)
    found = {r.key: (r.reads_token, r.requires_token) for r in mutating_routes(app)}
    assert found == {
        ("POST", "/v1/inner/open"): (False, False),
        ("DELETE", "/v1/inner/{thing_id}"): (True, True),
        ("PUT", "/v1/maybe"): (True, False),
    }
    assert concrete("/v1/inner/{thing_id}/x/{siren}") == f"/v1/inner/{A_UUID}/x/{CREST}"


def test_the_example_bodies_pass_the_schemas_they_come_from() -> None:
    """A body that fails validation would be refused before any authorisation: the walk
    would prove nothing. The examples follow patterns, bounds and required fields."""

    class Inner(BaseModel):
        insee: Annotated[str, StringConstraints(pattern=r"^(?:[0-9]{2}|2A|2B)[0-9]{3}$")]

    class Body(BaseModel):
        theme: Annotated[str, StringConstraints(pattern=r"^t(0[1-9]|1[01])_[a-z0-9_]{2,35}$")]
        title: Annotated[str, StringConstraints(min_length=12)]
        seats: Annotated[int, Field(ge=3)]
        at: AwareDatetime
        people: Annotated[list[Inner], Field(min_length=2)]
        note: str | None = None

    app = FastAPI()

    @app.post("/things")
    async def create(body: Body) -> None: ...

    sample = request_body(app, "POST", "/things")
    Body.model_validate(sample)
    assert "note" not in sample
    assert request_body(app, "DELETE", "/things") == {}


# The portal's forms: (method, path) → why they are open without a session.
PORTAL_PUBLIC: dict[tuple[str, str], str] = {
    ("POST", "/connexion/oidc"): "starts a sign-in, for whoever is not signed in yet",
    ("POST", "/connexion/lien"): "asks for a sign-in link (rate limited per address and IP)",
    ("POST", "/connexion/lien/valider"): "a sign-in link's button: its secret authorises",
    ("POST", "/connexion/dev"): "the demo's sign-in: only with ENVIRONMENT=dev (404 otherwise)",
    ("POST", "/deconnexion"): "signing out: without a session it ends nothing",
}


@integration
async def test_every_form_of_the_portal_needs_a_session_and_its_token(
    platform: Platform,
) -> None:
    portal = await platform.start("portal")
    every = mutating_routes(portal.app)
    # The operations API every service mounts (dead letters) takes a bearer token, not a
    # session: refused without one, like the services' own routes.
    for route in (r for r in every if r.path.startswith("/v1/")):
        refused = await portal.client.request(route.method, concrete(route.path), json={})
        assert refused.status_code == 401, f"portal {route.method} {route.path}: {refused}"
    routes = [r for r in every if not r.path.startswith("/v1/")]
    assert len(routes) >= 10, routes
    assert set(PORTAL_PUBLIC) <= {r.key for r in routes}, "PORTAL_PUBLIC lists routes that are gone"
    async with portal.runtime.begin(PortalUow) as uow:
        operator = await people.create_operator(uow, "ops@example.org", "200040509")
        session = await people.open_session(uow, operator)
    before = await fingerprint(portal.runtime)
    for route in routes:
        path = concrete(route.path)
        what = f"portal {route.method} {path}"
        for cookie in ({}, {"portal_session": "forged-or-expired"}):
            portal.client.cookies.clear()
            portal.client.cookies.update(cookie)
            response = await portal.client.request(route.method, path, data={"csrf": "guess"})
            if route.key in PORTAL_PUBLIC:
                assert response.status_code in (303, 403, 404), f"{what}: {response.status_code}"
                if response.status_code == 303:
                    assert response.headers["location"] == "/", what
            else:
                assert response.status_code == 303, f"{what} without a session"
                assert response.headers["location"] == "/connexion", what
        # Signed in with every right, but the form's token missing or wrong: refused.
        portal.client.cookies.clear()
        portal.client.cookies.update({"portal_session": session.secret})
        for form in ({}, {"csrf": "guess"}):
            response = await portal.client.request(route.method, path, data=form)
            expected = 404 if path == "/connexion/dev" else 403
            assert response.status_code == expected, f"{what} without its token: {response}"
    portal.client.cookies.clear()
    assert await fingerprint(portal.runtime) == before, "portal: a refused form wrote"


@integration
async def test_the_portal_tokens_hold_only_for_their_audience_and_five_minutes(
    platform: Platform,
) -> None:
    """The production path: services verify the portal's RS256 tokens against its JWKS,
    served on a real port; the tokens are the portal's own issuer's."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = platform.settings("portal", http_port=port, public_url=url, app_url=url)
    assert isinstance(settings, PortalSettings)
    await platform.stack.enter_async_context(
        serving(create_app(portal_definition(settings)), port, "portal")
    )
    issuer = await Portal(settings).run(tokens.load_issuer)
    now = datetime.now(UTC)
    operator = Membership(uuid.uuid4(), uuid.uuid4(), CREST, Role.OPERATOR, Status.VALIDATED, now)
    stranger = tokens.TokenIssuer(
        issuer.issuer,
        issuer.kid,
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        issuer.ttl,
    )
    for name in ("training", "lending"):
        service = await platform.start(
            name,
            jwt_jwks_url=f"{url}/.well-known/jwks.json",
            jwt_issuer=settings.issuer,
            jwt_audience=name,
        )
        other = "lending" if name == "training" else "training"
        refused = {
            "another audience": issuer.issue(operator.person_id, operator, other, now),
            "expired": issuer.issue(operator.person_id, operator, name, now - timedelta(minutes=6)),
            "another key, same kid": stranger.issue(operator.person_id, operator, name, now),
            "another issuer": tokens.TokenIssuer(
                "http://elsewhere", issuer.kid, issuer.private_key, issuer.ttl
            ).issue(operator.person_id, operator, name, now),
            "a day long": jwt.encode(
                {
                    "iss": issuer.issuer,
                    "sub": str(operator.person_id),
                    "aud": name,
                    "iat": now,
                    "exp": now + timedelta(days=1),
                    "roles": ["operator"],
                    "authority": CREST,
                },
                issuer.private_key,
                algorithm="RS256",
                headers={"kid": issuer.kid},
            ),
        }
        good = issuer.issue(operator.person_id, operator, name, now)
        before = await fingerprint(service.runtime)
        for route in mutating_routes(service.app):
            path = concrete(route.path)
            for kind, token in refused.items():
                response = await service.client.request(
                    route.method, path, json={}, headers=bearer(token)
                )
                assert_unauthorized(response, f"{name} {route.method} {path}: {kind}")
            accepted = await service.client.request(
                route.method, path, json={}, headers=bearer(good)
            )
            assert accepted.status_code != 401, f"{name} {path}: {accepted.text}"
        assert await fingerprint(service.runtime) == before
