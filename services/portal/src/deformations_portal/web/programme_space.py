"""The page of a programme's space on training's API (the boussole's survey, the
non-conférence's half-day): the space is read with the programme; each form posts, calls
training, then comes back to its own part of the page; a refusal is shown beside that form,
with what was typed, and nothing changes. Each recipe says its names and draws its page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi.responses import Response

from deformations_common.vocabulary.errors import DomainError, InvalidInput
from deformations_portal.web.context import Page, failed, not_found
from deformations_portal.web.links import to_sign_in
from deformations_portal.web.training import training_client
from deformations_portal.web.training_client import TrainingClient
from deformations_portal.web.training_programmes import load_programme, programme_uuid

# What a form does with training: the client, the space's API path, the form, the space.
Action = Callable[[TrainingClient, str, dict[str, str], dict[str, Any]], Awaitable[object]]


@dataclass(frozen=True)
class Feedback:
    """What the page says back: the form just done, or the one refused (its key, the
    French reason, what was typed, to show beside it)."""

    notice: str = ""
    error_for: str = ""
    error: str = ""
    given: Mapping[str, str] = field(default_factory=dict)
    status: int = 200

    def shown(self) -> dict[str, Any]:
        """The template's variables for it."""
        return {
            "notice": self.notice,
            "error_for": self.error_for,
            "error": self.error,
            "given": dict(self.given),
        }


# The recipe's page: the programme, its space as training returns it, the feedback.
Render = Callable[[Page, dict[str, Any], dict[str, Any], Feedback], Awaitable[Response]]


@dataclass(frozen=True)
class SpacePage:
    """A recipe's page over its programme's space: its names, its forms' words, its drawing."""

    recipe: str  # the catalogue's code of the recipe the programme must follow
    not_this: str  # the refusal when it follows another one
    title: str  # « Non-conférence »: what a page of refusal is about
    path: str  # the page below /programmes/{id}/
    api: str  # training's space below /v1/programmes/{id}/
    done: Mapping[str, str]  # what the page says once a form is done, by the form's key
    anchors: Mapping[str, str]  # where each form sits on the page, so as to land beside it
    render: Render


async def load(
    page: Page, of: SpacePage, programme_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The programme and its space; InvalidInput when it follows another recipe."""
    programme = await load_programme(page, programme_id)
    if programme["recipe_code"] != of.recipe:
        raise InvalidInput(of.not_this)
    client = await training_client(page)
    space: dict[str, Any] = await client.get(f"/v1/programmes/{programme['id']}/{of.api}")
    return programme, space


async def show(page: Page, of: SpacePage, programme_id: str, fait: str) -> Response:
    """The page, with what the form just done says (``fait``: its key)."""
    if page.me is None:
        return to_sign_in(page)
    try:
        programme, space = await load(page, of, programme_id)
        return await of.render(page, programme, space, Feedback(notice=of.done.get(fait, "")))
    except DomainError as exc:
        if exc.status == 404 or isinstance(exc, InvalidInput):
            return not_found(page)
        return failed(page, of.title, exc, f"/programmes/{programme_id}")


async def act(page: Page, of: SpacePage, programme_id: str, done: str, action: Action) -> Response:
    """Check the form, call training, and come back beside the form (or show why not)."""
    if page.me is None:
        return page.redirect("/connexion")
    form = await page.request.form()
    given = {k: str(v) for k, v in form.items()}
    back = f"/programmes/{programme_id}/{of.path}"
    try:
        page.check_csrf(given.get("csrf"))
        programme, space = await load(page, of, programme_uuid(programme_id))
    except DomainError as exc:
        return failed(page, of.title, exc, back)
    base = f"/v1/programmes/{programme['id']}/{of.api}"
    try:
        await action(await training_client(page), base, given, space)
    except DomainError as exc:
        if exc.status in (401, 403):
            # Not this person's to do: the form is not on her page to show it beside.
            return failed(page, of.title, exc, back)
        refused = Feedback(error_for=done, error=exc.message, given=given, status=exc.status)
        return await of.render(page, programme, space, refused)
    return page.redirect(f"{back}?fait={done}#{of.anchors[done]}")
