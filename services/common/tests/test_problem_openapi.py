"""Errors as documented and as answered: problem details in OpenAPI, validation in French."""

from typing import Any, Literal

import httpx
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from deformations_common.errors import (
    PROBLEM_JSON,
    Conflict,
    Forbidden,
    Gone,
    NotFound,
    ProblemError,
    TooManyRequests,
    Unauthorized,
    Unprocessable,
    install_problem_handlers,
)
from deformations_common.problem_openapi import document_problems
from deformations_common.validation_fr import MESSAGES, french_message


class Loan(BaseModel):
    theme: str = Field(min_length=3, max_length=40)
    half_days: int = Field(ge=1, le=20)
    modality: Literal["on_site", "remote"]


ERRORS: list[ProblemError] = [
    Unauthorized("Jeton absent."),
    Forbidden("Pas pour vous."),
    NotFound("Rien ici."),
    Conflict("Déjà fait."),
    Gone("Parti."),
    Unprocessable("Incohérent."),
    TooManyRequests("Doucement.", retry_after_s=3),
]


def app() -> FastAPI:
    api = FastAPI(title="test")
    install_problem_handlers(api)
    document_problems(api)

    @api.post("/loans", status_code=201)
    async def lend(loan: Loan) -> Loan:
        return loan

    @api.get("/refused/{status}")
    async def refused(status: int) -> None:
        raise {e.status: e for e in ERRORS}[status]

    @api.get("/page", response_class=HTMLResponse, responses={404: {"content": {"text/html": {}}}})
    async def page(token: str) -> str:
        return "<p>ok</p>"

    return api


async def call(api: FastAPI, method: str, path: str, **kwargs: Any) -> httpx.Response:
    transport = httpx.ASGITransport(app=api)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.request(method, path, **kwargs)


async def test_a_validation_error_is_problem_details_in_french_with_its_locations() -> None:
    body = {"theme": "a", "half_days": 0, "modality": "sur place", "extra": 1}
    refused = await call(app(), "POST", "/loans", json=body)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == PROBLEM_JSON
    problem = refused.json()
    assert problem["detail"] == "La requête ne correspond pas au schéma attendu."
    assert {tuple(e["loc"]): (e["type"], e["msg"]) for e in problem["errors"]} == {
        ("body", "theme"): ("string_too_short", "Au moins 3 caractère(s)."),
        ("body", "half_days"): ("greater_than_equal", "Doit être supérieur ou égal à 1."),
        ("body", "modality"): (
            "literal_error",
            "Valeur non admise (attendu : 'on_site' ou 'remote').",
        ),
    }
    missing = await call(app(), "POST", "/loans", json={})
    assert {e["msg"] for e in missing.json()["errors"]} == {"Champ obligatoire."}
    bad_json = await call(
        app(), "POST", "/loans", content=b"{", headers={"content-type": "application/json"}
    )
    assert [e["msg"] for e in bad_json.json()["errors"]] == ["JSON invalide."]


def test_every_message_is_french_and_an_unknown_type_gets_a_generic_one() -> None:
    assert french_message({"type": "a_new_pydantic_type", "msg": "Something"}) == "Valeur invalide."
    # A context without what the sentence names: still a sentence, never a crash.
    assert french_message({"type": "string_too_short", "ctx": {}}) == "Valeur invalide."
    assert french_message(
        {"type": "value_error", "ctx": {"error": ValueError("fuseau horaire inconnu")}}
    ) == ("Valeur invalide : fuseau horaire inconnu.")
    assert not [m for m in MESSAGES.values() if " must " in m or "Input should" in m]


def test_openapi_documents_errors_as_the_one_problem_schema() -> None:
    document = app().openapi()
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    assert schemas["Problem"]["required"] == ["type", "title", "status"]
    problem = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    responses = document["paths"]["/loans"]["post"]["responses"]
    assert {status: r["content"] for status, r in responses.items() if status != "201"} == {
        "422": problem,
        "4XX": problem,
        "5XX": problem,
    }
    # A page keeps its HTML errors; its query validation still answers problem details.
    page = document["paths"]["/page"]["get"]["responses"]
    assert page["404"]["content"] == {"text/html": {}}
    assert page["422"]["content"] == problem
    assert "4XX" not in page
    assert app().openapi() is not None  # built once per app, and again for a new one
    assert "application/json" not in str(
        {
            s: r
            for p in document["paths"].values()
            for o in p.values()
            for s, r in o["responses"].items()
            if s[0] in "45"
        }
    )


ENGLISH_TITLES = {
    "Bad request",
    "Unauthorized",
    "Forbidden",
    "Not found",
    "Not Found",
    "Conflict",
    "Gone",
    "Unprocessable content",
    "Too many requests",
    "Method Not Allowed",
}


async def test_every_problem_title_is_french() -> None:
    titles = {}
    for error in ERRORS:
        answer = await call(app(), "GET", f"/refused/{error.status}")
        assert answer.status_code == error.status
        assert answer.headers["content-type"] == PROBLEM_JSON
        titles[error.status] = answer.json()["title"]
    # The framework's own refusals (no such route, wrong method) too.
    for method, path in (("GET", "/nowhere"), ("DELETE", "/loans")):
        answer = await call(app(), method, path)
        assert answer.status_code in (404, 405)
        titles[answer.status_code + 1000] = answer.json()["title"]
    validation = await call(app(), "POST", "/loans", json={})
    titles[422] = validation.json()["title"]
    assert not set(titles.values()) & ENGLISH_TITLES, titles
    assert titles[404] == titles[1404] == "Introuvable"
    assert titles[1405] == "Méthode non autorisée"
    assert titles[422] == "Contenu non traitable"
    assert titles[429] == "Trop de requêtes"
