"""What every page needs: the signed-in person (if any), the CSRF token, cookies."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from deformations_common.service import Runtime, get_runtime
from deformations_common.vocabulary.errors import DomainError
from deformations_common.vocabulary.roles import Role
from deformations_portal.domain.errors import CsrfRejected
from deformations_portal.domain.links import keyed_hash
from deformations_portal.domain.memberships import may_decide
from deformations_portal.domain.operator import operator_membership
from deformations_portal.domain.platform import Platform
from deformations_portal.domain.statistics import reader_membership
from deformations_portal.service import people
from deformations_portal.service.people import SignedIn
from deformations_portal.service.uow import PortalUow
from deformations_portal.settings import PortalSettings
from deformations_portal.web.render import page

R = TypeVar("R", bound=Response)

RuntimeDep = Annotated[Runtime[PortalSettings], Depends(get_runtime)]

SESSION_COOKIE = "portal_session"
SEED_COOKIE = "portal_csrf"


@dataclass
class Page:
    request: Request
    runtime: Runtime[PortalSettings]
    me: SignedIn | None
    csrf: str
    new_seed: str | None

    @property
    def settings(self) -> PortalSettings:
        return self.runtime.settings

    @property
    def platform(self) -> Platform:
        platform: Platform = self.request.app.state.platform
        return platform

    @property
    def referent(self) -> bool:
        return self.me is not None and any(may_decide([m], m.siren) for m in self.me.memberships)

    @property
    def operator(self) -> bool:
        return self.me is not None and operator_membership(self.me.memberships) is not None

    @property
    def statistics_reader(self) -> bool:
        return self.me is not None and reader_membership(self.me.memberships) is not None

    def render(
        self, template: str, title: str, *, status: int = 200, current: str = "", **data: Any
    ) -> HTMLResponse:
        body = page(
            template,
            title=title,
            me=self.me,
            csrf=self.csrf,
            referent=self.referent,
            operator=self.operator,
            statistics_reader=self.statistics_reader,
            platform=self.platform,
            current=current,
            **data,
        )
        return self.finish(HTMLResponse(body, status_code=status))

    def message(
        self,
        title: str,
        message: str,
        *,
        status: int = 200,
        error: bool = False,
        link: dict[str, str] | None = None,
    ) -> HTMLResponse:
        return self.render(
            "message.html", title, status=status, message=message, error=error, link=link
        )

    def redirect(self, to: str) -> RedirectResponse:
        response = RedirectResponse(to, status_code=303)
        self.finish(response)
        return response

    def finish(self, response: R) -> R:
        response.headers["cache-control"] = "no-store"
        # A sign-in link's secret is in its page's address: no page tells it to anyone.
        response.headers["referrer-policy"] = "no-referrer"
        response.headers["x-content-type-options"] = "nosniff"
        response.headers["content-security-policy"] = (
            "default-src 'self'; frame-ancestors 'none'; form-action 'self' "
            + self.settings.oidc_form_targets()
        )
        if self.new_seed is not None:
            set_cookie(response, self.settings, SEED_COOKIE, self.new_seed)
        return response

    def check_csrf(self, submitted: str | None) -> None:
        if not submitted or not hmac.compare_digest(submitted, self.csrf):
            raise CsrfRejected(
                "Ce formulaire a expiré ou ne vient pas de ce site : rechargez la page et "
                "réessayez."
            )


def set_cookie(response: Response, settings: PortalSettings, name: str, value: str) -> None:
    response.set_cookie(
        name,
        value,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
        path="/",
        max_age=settings.session_hours * 3600,
    )


async def load_page(request: Request, runtime: RuntimeDep) -> Page:
    secret = request.cookies.get(SESSION_COOKIE)
    async with runtime.begin(PortalUow) as uow:
        me = await people.current(uow, secret)
    if me is not None:
        return Page(request, runtime, me, me.session.csrf_token, None)
    seed = request.cookies.get(SEED_COOKIE)
    new_seed = None
    if not seed:
        seed = new_seed = secrets.token_urlsafe(24)
    csrf = keyed_hash(runtime.settings.hmac_key(), f"anonymous:{seed}")
    return Page(request, runtime, None, csrf, new_seed)


PageDep = Annotated[Page, Depends(load_page)]


def not_found(page: Page) -> HTMLResponse:
    return page.message(
        "Page introuvable",
        "Cette page n'existe pas ou plus.",
        status=404,
        error=True,
        link={"href": "/", "text": "Revenir à l'accueil"},
    )


def failed(page: Page, title: str, error: DomainError, back: str) -> HTMLResponse:
    """A service's refusal as a page: its French message and the way back."""
    return page.message(
        title,
        error.message,
        status=error.status,
        error=True,
        link={"href": back, "text": "Revenir à la page précédente"},
    )


def acting_as(page: Page, *roles: Role) -> str | None:
    """The SIREN the person acts for, when they act in one of these roles."""
    acting = page.me.acting if page.me is not None else None
    if acting is None or not acting.validated or acting.role not in roles:
        return None
    return acting.siren
