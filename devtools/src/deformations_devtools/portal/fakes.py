"""The services as the portal's pages see them, at the HTTP boundary (httpx MockTransport).

Each call is kept with the claims of the token the portal sent, so a test can check who the
portal acted as, for which audience, and that nothing but GETs happened on a page view."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import jwt

CREST = "212601082"
AOUSTE = "212600118"


class FakeServices:
    def __init__(self) -> None:
        self.loan_id = uuid.uuid4()
        self.session_id = uuid.uuid4()
        self.proposal_id = uuid.uuid4()
        self.campaign_id = uuid.uuid4()
        self.offer_id = uuid.uuid4()
        self.evaluation_id = uuid.uuid4()
        self.programme_id = uuid.uuid4()
        self.gathering_id = uuid.uuid4()
        self.calls: list[tuple[str, str, dict[str, Any], Any]] = []
        self.recipient: dict[str, Any] | None = None

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def loan(self) -> dict[str, Any]:
        """A loan as lending's ``GET /v1/loans/{id}`` returns it: accepted by Aouste, the
        élue of Crest has agreed, its HR and the agent have not yet."""
        base = f"/v1/loans/{self.loan_id}"
        return {
            "id": str(self.loan_id),
            "offer_id": str(uuid.UUID(int=1)),
            "request_id": None,
            "proposal_id": None,
            "agent_role": "Chargée de mission énergie",
            "theme": "energie",
            "theme_label": "Énergie",
            "scope": "Préparer le plan de sobriété des bâtiments communaux.",
            "lender": {"siren": CREST, "name": "Crest"},
            "borrower": {"siren": AOUSTE, "name": "Aouste-sur-Sye"},
            "half_days": 4,
            "period": {
                "start": "2026-12-01",
                "end": "2027-03-31",
                "label": "du 1er décembre 2026 au 31 mars 2027",
            },
            "modality": "on_site",
            "status": "accepted",
            "status_label": "accepté par la collectivité d'accueil",
            "approvals": {"elected": "2026-11-30T10:00:00+00:00", "hr": None, "agent": None},
            "missing_approvals": [
                "la validation des ressources humaines de la collectivité d'origine",
                "l'accord de l'agent",
            ],
            "sessions": [
                {
                    "id": str(self.session_id),
                    "label": "lundi 14 décembre 2026, matin",
                    "day": "2026-12-14",
                    "part": "am",
                    "status": "scheduled",
                    "remote": False,
                    "place_label": "Mairie d'Aouste-sur-Sye",
                    "sequence": 0,
                }
            ],
            "feedback_from": [],
            "documents": {
                "convention_html": f"{base}/convention.html",
                "convention_pdf": f"{base}/convention.pdf",
            },
        }

    def offer(self) -> dict[str, Any]:
        """A training offer as the training service returns it (GET /v1/offers/{id})."""
        return {
            "id": str(self.offer_id),
            "body_siren": "130005481",
            "title": "Rénovation énergétique des bâtiments communaux",
            "description": "Une soirée pour choisir par où commencer.",
            "theme": "energie",
            "format": "evening",
            "duration_minutes": 120,
            "capacity": 20,
            "price_cents": 15_000,
            "group_tiers": [{"min_group_size": 8, "price_cents": 7_500}],
            "place_label": "Salle du conseil, mairie de Crest",
            "place_insee": "26108",
            "video_url": None,
            "registration_closes_at": None,
            "cancelled": False,
            "sessions": [
                {
                    "id": str(self.session_id),
                    "starts_at": "2026-12-14T17:00:00Z",
                    "ends_at": "2026-12-14T19:00:00Z",
                    "cancelled": False,
                }
            ],
        }

    def training(self, path: str) -> httpx.Response | None:
        """The training service's answers to the pages the e-mails link to."""
        if path == f"/v1/offers/{self.offer_id}":
            return httpx.Response(200, json=self.offer())
        if path.startswith("/v1/people/") and path.endswith("/journey"):
            return httpx.Response(200, json=[])
        if path.startswith("/v1/people/") and path.endswith("/rebonds"):
            return httpx.Response(200, json=[])
        if path.startswith("/v1/people/") and path.endswith("/evaluations"):
            evaluation = {
                "id": str(self.evaluation_id),
                "kind": "impact_6_months",
                "offer_id": str(self.offer_id),
                "due_at": "2027-06-14T19:00:00Z",
                "answered": False,
            }
            return httpx.Response(200, json=[evaluation])
        if path == f"/v1/programmes/{self.programme_id}":
            return httpx.Response(200, json=self.programme())
        return None

    def programme(self) -> dict[str, Any]:
        """A closed programme (GET /v1/programmes/{id}) whose review is open."""
        return {
            "id": str(self.programme_id),
            "recipe_code": "t10_non_conference",
            "title": "Non-conférence du Crestois",
            "territory_siren": CREST,
            "facilitator_id": str(uuid.uuid4()),
            "status": "closed",
            "participants": [],
            "steps": [{"key": "appel", "title": "L'appel à contributions", "status": "done"}],
            "sessions": [],
            "review_questions": ["Chacun est reparti avec une idée à tester."],
            "reviews_received": 0,
        }

    def evening(self, path: str) -> httpx.Response | None:
        """A speed-dating evening of two rounds (matching's GETs of its page), over."""
        base = f"/v1/speed-datings/{self.gathering_id}"
        if path == f"{base}/rotation":
            rounds = [
                {
                    "number": n,
                    "starts_at": f"2026-12-01T17:{n}0:00Z",
                    "ends_at": f"2026-12-01T17:{n}8:00Z",
                }
                for n in (1, 2)
            ]
            table = [{"person_id": str(uuid.uuid4()), "partners": [None, None]}]
            return httpx.Response(
                200, json={"gathering_id": str(self.gathering_id), "rounds": rounds, "table": table}
            )
        if path == f"{base}/marks":
            marks = {"gathering_id": str(self.gathering_id), "see_again": [], "mutual": []}
            return httpx.Response(200, json=marks)
        if path == "/v1/sessions":
            return httpx.Response(200, json=[])
        return None

    def handle(self, request: httpx.Request) -> httpx.Response:
        token = request.headers["authorization"].removeprefix("Bearer ")
        claims = jwt.decode(token, options={"verify_signature": False})
        body = json.loads(request.content) if request.content else None
        self.calls.append((request.method, request.url.path, claims, body))
        path, method = request.url.path, request.method
        if path == f"/v1/loans/{self.loan_id}" and method == "GET":
            return httpx.Response(200, json=self.loan())
        if path == "/v1/loans" and method == "GET":
            return httpx.Response(200, json=[self.loan()])
        if path.startswith(f"/v1/loans/{self.loan_id}/approvals/") and method == "POST":
            return httpx.Response(200, json=self.loan())
        if path == "/v1/proposals" and method == "GET":
            proposal = {
                "proposal_id": str(self.proposal_id),
                "kind": "need_offer",
                "theme": "Énergie",
                "reasons": ["Collectivités voisines"],
            }
            return httpx.Response(200, json=[proposal])
        if path == f"/v1/campaigns/{self.campaign_id}/collective" and method == "GET":
            result = {"team_label": "Conseil municipal de Crest", "response_count": 5}
            return httpx.Response(200, json=result)
        if path == "/v1/peer-calls" and method == "GET":
            return httpx.Response(200, json=[])
        if method == "GET" and (training := self.training(path)) is not None:
            return training
        if method == "GET" and (evening := self.evening(path)) is not None:
            return evening
        if path == "/v1/me/recipient" and method == "GET":
            if self.recipient is None:
                return httpx.Response(404, json={"detail": "inconnu"})
            return httpx.Response(200, json=self.recipient)
        if path == "/v1/me/recipient" and method == "PUT":
            # As notifications: only the address the token vouches for as verified.
            vouched = claims.get("email") if claims.get("email_verified") is True else None
            if not isinstance(body, dict) or vouched != body.get("email"):
                return httpx.Response(403, json={"detail": "adresse non vérifiée"})
            self.recipient = body
            return httpx.Response(200, json=body)
        return httpx.Response(404, json={"detail": "introuvable"})
