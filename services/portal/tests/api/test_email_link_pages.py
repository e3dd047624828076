"""The pages the e-mails link to, over HTTP on the real database, the services faked at
the HTTP boundary (they verify the token the portal sends; here we read its claims)."""

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt

from deformations_common.action_links import LoanAction, action_claim, make_action_token
from deformations_common.service import create_app
from deformations_common.settings import Environment
from deformations_devtools.people import person_id
from deformations_devtools.portal import demo
from deformations_devtools.portal.support import Portal
from deformations_devtools.testing import Infra, isolated_settings, running
from deformations_portal.app import definition
from deformations_portal.settings import PortalSettings

LOAN = uuid.uuid4()
SESSION = uuid.uuid4()


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


class Services:
    """Lending and notifications as the portal sees them; every call is kept."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, Any], Any]] = []
        self.recipient: dict[str, Any] | None = None

    def loan(self) -> dict[str, Any]:
        return {
            "id": str(LOAN),
            "agent_role": "Chargée de mission énergie",
            "theme_label": "Énergie",
            "lender": {"siren": demo.CREST, "name": "Crest"},
            "borrower": {"siren": demo.AOUSTE, "name": "Aouste-sur-Sye"},
            "half_days": 4,
            # As lending returns it: accepted, the élue of Crest has agreed.
            "status": "accepted",
            "status_label": "accepté par la collectivité d'accueil",
            "approvals": {"elected": "2026-11-30T10:00:00+00:00", "hr": None, "agent": None},
            "missing_approvals": [
                "la validation des ressources humaines de la collectivité d'origine",
                "l'accord de l'agent",
            ],
            "sessions": [
                {
                    "id": str(SESSION),
                    "label": "Demi-journée 1",
                    "day": "2026-12-14",
                    "status": "scheduled",
                    "remote": False,
                    "place_label": "Mairie d'Aouste-sur-Sye",
                }
            ],
            "feedback_from": [],
        }

    def handle(self, request: httpx.Request) -> httpx.Response:
        token = request.headers["authorization"].removeprefix("Bearer ")
        claims = jwt.decode(token, options={"verify_signature": False})
        body = json.loads(request.content) if request.content else None
        self.calls.append((request.method, request.url.path, claims, body))
        path = request.url.path
        if path == f"/v1/loans/{LOAN}":
            return httpx.Response(200, json=self.loan())
        if path == "/v1/loans":
            return httpx.Response(200, json=[self.loan()])
        if path == f"/v1/loans/{LOAN}/approvals/hr" and request.method == "POST":
            return httpx.Response(200, json=self.loan())
        if path == "/v1/me/recipient" and request.method == "GET":
            if self.recipient is None:
                return httpx.Response(404, json={"detail": "inconnu"})
            return httpx.Response(200, json=self.recipient)
        if path == "/v1/me/recipient" and request.method == "PUT":
            assert claims["email_verified"] is True and claims["email"] == body["email"]
            self.recipient = {**body, "quiet_hours": body["quiet_hours"]}
            return httpx.Response(200, json=self.recipient)
        return httpx.Response(404, json={"detail": "introuvable"})


async def test_an_email_link_goes_through_sign_in_and_acts_only_on_post(
    infra: Infra, database_url: str, namespace: str
) -> None:
    settings = isolated_settings(
        PortalSettings,
        infra,
        database_url,
        namespace,
        "portal",
        smtp_port=1,
        environment=Environment.DEV,
    )
    services = Services()
    app = create_app(definition(settings))
    async with running(app) as client:
        app.state.clients._http = httpx.AsyncClient(transport=httpx.MockTransport(services.handle))
        await Portal(settings).run(demo.create_accounts)
        # Signed out: the link goes through sign-in…
        opened = await client.get(f"/prets/{LOAN}")
        assert opened.status_code == 303 and opened.headers["location"] == "/connexion"
        signin = await client.get("/connexion/dev")
        hr = demo.ACCOUNTS[2]
        assert hr.role == "hr"
        signed = await client.post(
            "/connexion/dev", data={"email": hr.email, "csrf": csrf_of(signin)}
        )
        # … and comes back to the page of the link.
        assert signed.status_code == 303 and signed.headers["location"] == f"/prets/{LOAN}"
        page = await client.get(f"/prets/{LOAN}")
        assert page.status_code == 200, page.text
        assert "Aouste-sur-Sye" in page.text and "Valider et désigner l&#39;agent" in page.text
        assert all(method == "GET" for method, *_ in services.calls)  # nothing changed on GET
        _, _, claims, _ = services.calls[-1]
        assert claims["aud"] == "lending" and claims["authority"] == demo.CREST
        assert claims["sub"] == str(person_id("rh-crest"))
        # The action needs the form's CSRF token.
        refused = await client.post(f"/prets/{LOAN}/accord", data={})
        assert refused.status_code == 403 and "Ce formulaire a expiré" in refused.text
        assert not [c for c in services.calls if c[0] == "POST"]
        # The RH's approval names the agent: without one, lending is not called.
        unnamed = await client.post(f"/prets/{LOAN}/accord", data={"csrf": csrf_of(page)})
        assert unnamed.status_code == 422 and "Choisissez l&#39;agent" in unnamed.text
        assert not [c for c in services.calls if c[0] == "POST"]
        agent = str(person_id("agent-crest"))
        done = await client.post(
            f"/prets/{LOAN}/accord", data={"csrf": csrf_of(page), "agent": agent}
        )
        assert done.status_code == 303 and done.headers["location"] == f"/prets/{LOAN}?fait=accord"
        assert [(c[1], c[3]) for c in services.calls if c[0] == "POST"] == [
            (f"/v1/loans/{LOAN}/approvals/hr", {"agent_person_id": agent})
        ]
        # The half-day of the loan, and one that is not there.
        session = await client.get(f"/seances/{SESSION}")
        assert session.status_code == 200 and "Mairie d&#39;Aouste-sur-Sye" in session.text
        assert (await client.get(f"/seances/{uuid.uuid4()}")).status_code == 404
        assert (await client.get(f"/prets/{LOAN}/avis")).status_code == 200
        # Preferences: an empty form first, saved with a PUT to notifications.
        form = await client.get("/preferences")
        assert form.status_code == 200 and "Heures calmes" in form.text
        saved = await client.post(
            "/preferences",
            data={
                "csrf": csrf_of(form),
                "email": "rh@crest.demo.deformations.fr",
                "quiet": "oui",
                "quiet_start": "20:00",
                "quiet_end": "08:00",
                "frequency": "daily",
                "consent": "oui",
            },
        )
        assert saved.status_code == 303
        put = services.calls[-1]
        assert put[0] == "PUT" and put[2]["aud"] == "notifications"
        assert put[3]["digest"] == {"frequency": "daily"}
        assert put[3]["quiet_hours"] == {"start": "20:00", "end": "08:00"}
        again = await client.get("/preferences?notice=enregistre")
        assert "Vos préférences sont enregistrées" in again.text and 'value="20:00"' in again.text
        result = await client.get(f"/diagnostic/resultats/{LOAN}")
        assert result.status_code == 303 and result.headers["location"] == f"/resultats/{LOAN}"


def test_the_return_path_stays_on_this_site() -> None:
    from deformations_portal.web.links import safe_return

    assert safe_return("/prets/1?x=2") == "/prets/1?x=2"
    for bad in ("//evil.example/x", "https://evil.example/", "/\\evil", None, ""):
        assert safe_return(bad) is None


async def test_a_signed_action_link_readies_the_action_and_a_bad_one_changes_nothing(
    infra: Infra, database_url: str, namespace: str
) -> None:
    settings = isolated_settings(
        PortalSettings,
        infra,
        database_url,
        namespace,
        "portal",
        smtp_port=1,
        environment=Environment.DEV,
    )
    hr_id = person_id("rh-crest")

    def link(person: uuid.UUID = hr_id, *, issued: datetime | None = None, key: bytes = b"") -> str:
        claim = action_claim(LOAN, LoanAction.APPROVE, person, issued or datetime.now(UTC))
        token = make_action_token(claim, key or settings.link_key())
        return f"/prets/{LOAN}?action=accord&jeton={token}"

    services = Services()
    app = create_app(definition(settings))
    async with running(app) as client:
        app.state.clients._http = httpx.AsyncClient(transport=httpx.MockTransport(services.handle))
        await Portal(settings).run(demo.create_accounts)
        fresh = link()
        # Signed out: sign-in first, then back to the very link, token included.
        assert (await client.get(fresh)).headers["location"] == "/connexion"
        signin = await client.get("/connexion/dev")
        hr = demo.ACCOUNTS[2]
        signed = await client.post(
            "/connexion/dev", data={"email": hr.email, "csrf": csrf_of(signin)}
        )
        assert signed.status_code == 303 and signed.headers["location"] == fresh
        page = await client.get(fresh)
        assert page.status_code == 200, page.text
        assert "Vous êtes invité·e à approuver ce prêt" in page.text
        # The one confirm button, at the top, autofocused: not a second one further down.
        assert page.text.count('action="/prets/' + str(LOAN) + '/accord"') == 1
        assert page.text.index("invitation-titre") < page.text.index("Accords de la collectivité")
        # Lapsed, forged, or someone else's: the French notice and the normal page.
        for bad in (
            link(issued=datetime.now(UTC) - timedelta(days=8)),
            link(key=b"une-autre-cle-de-signature-bien-longue"),
            link(person_id("elue-crest")),
            f"/prets/{LOAN}?action=accepter&jeton=" + fresh.rsplit("=", 1)[1],
        ):
            shown = await client.get(bad)
            assert shown.status_code == 200, shown.text
            assert "Ce lien a expiré ou n&#39;est pas valable pour vous" in shown.text
            assert "Vous êtes invité·e" not in shown.text
            assert "Valider et désigner l&#39;agent" in shown.text
        assert all(method == "GET" for method, *_ in services.calls)  # GET never acts
        agent = str(person_id("agent-crest"))
        done = await client.post(
            f"/prets/{LOAN}/accord", data={"csrf": csrf_of(page), "agent": agent}
        )
        assert done.status_code == 303 and done.headers["location"] == f"/prets/{LOAN}?fait=accord"
        assert [c[1] for c in services.calls if c[0] == "POST"] == [
            f"/v1/loans/{LOAN}/approvals/hr"
        ]
