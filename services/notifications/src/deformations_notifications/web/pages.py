"""The small French HTML pages that mail links open, rendered from ``web/templates``.

Autoescape is on: tokens from links and messages from people are shown as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import jinja2
from fastapi import Depends
from fastapi.responses import HTMLResponse

from deformations_notifications.api.deps import RuntimeDep

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True, slots=True)
class Pages:
    """The pages under the name of the platform the links came from (PLATFORM_NAME)."""

    platform_name: str

    def page(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        """``template`` (a page of ``web/templates``) rendered with ``context``."""
        html = _env.get_template(template).render(platform_name=self.platform_name, **context)
        return HTMLResponse(html, status_code=status)

    def notice(self, title: str, text: str, status: int = 200) -> HTMLResponse:
        """A page with a title and one sentence."""
        return self.page("notice.html.j2", status, title=title, text=text)


def _pages(runtime: RuntimeDep) -> Pages:
    return Pages(runtime.settings.platform_name)


PagesDep = Annotated[Pages, Depends(_pages)]
