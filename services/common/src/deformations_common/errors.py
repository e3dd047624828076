"""Errors with an HTTP status, rendered as RFC 9457 problem details."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from deformations_common.validation_fr import french_message
from deformations_common.vocabulary.errors import DomainError

PROBLEM_JSON = "application/problem+json"


class ProblemError(Exception):
    """Base of every error a request can end with. Subclasses set status and title."""

    status: int = 400
    title: str = "Requête invalide"
    type_slug: str = "bad-request"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://deformations.fr/problems/{self.type_slug}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        body.update(self.extensions)
        return body


class NotFound(ProblemError):
    status, title, type_slug = 404, "Introuvable", "not-found"


class Conflict(ProblemError):
    status, title, type_slug = 409, "Conflit", "conflict"


class Unauthorized(ProblemError):
    status, title, type_slug = 401, "Authentification requise", "unauthorized"


class Forbidden(ProblemError):
    status, title, type_slug = 403, "Accès refusé", "forbidden"


class Unprocessable(ProblemError):
    status, title, type_slug = 422, "Contenu non traitable", "unprocessable"


class Gone(ProblemError):
    status, title, type_slug = 410, "Plus disponible", "gone"


class TooManyRequests(ProblemError):
    """A limit reached; ``retry_after_s`` also goes in the Retry-After header."""

    status, title, type_slug = 429, "Trop de requêtes", "too-many-requests"

    def __init__(self, detail: str, *, retry_after_s: int, **extensions: Any) -> None:
        super().__init__(detail, retry_after_s=retry_after_s, **extensions)


# French titles by status (RFC 9457 "title": a short summary, the same for every
# occurrence of the problem), for domain errors and framework errors alike.
_TITLES = {
    400: "Requête invalide",
    401: "Authentification requise",
    403: "Accès refusé",
    404: "Introuvable",
    405: "Méthode non autorisée",
    409: "Conflit",
    410: "Plus disponible",
    413: "Contenu trop volumineux",
    415: "Type de contenu non pris en charge",
    422: "Contenu non traitable",
    429: "Trop de requêtes",
    500: "Erreur interne",
    503: "Service momentanément indisponible",
}


def french_title(status: int) -> str:
    """The French title of a status, for any problem details the services answer."""
    return _TITLES.get(status, "Erreur")


def domain_problem(error: DomainError, instance: str | None = None) -> dict[str, Any]:
    """A domain error as problem details: its French message, code and details."""
    body: dict[str, Any] = {
        "type": f"https://deformations.fr/problems/{error.code.replace('_', '-')}",
        "title": french_title(error.status),
        "status": error.status,
        "detail": error.message,
        "code": error.code,
    }
    if instance:
        body["instance"] = instance
    body.update(error.details)
    return body


def problem_response(status: int, body: dict[str, Any]) -> JSONResponse:
    headers: dict[str, str] = {}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if status in (429, 503) and "retry_after_s" in body:
        headers["Retry-After"] = str(body["retry_after_s"])
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers or None)


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ProblemError)
        return problem_response(exc.status, exc.to_problem(str(request.url.path)))

    async def on_domain_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        return problem_response(exc.status, domain_problem(exc, str(request.url.path)))

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {"loc": list(e.get("loc", ())), "msg": french_message(e), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        body = Unprocessable("La requête ne correspond pas au schéma attendu.").to_problem(
            str(request.url.path)
        )
        body["errors"] = errors
        return problem_response(422, body)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        # Starlette's own details ("Not Found", "Method Not Allowed") are English: the
        # title is the French one of the status, whatever raised it.
        body = {
            "type": "about:blank",
            "title": french_title(exc.status_code),
            "status": exc.status_code,
            "instance": str(request.url.path),
        }
        return problem_response(exc.status_code, body)

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
