"""The small French HTML pages that mail links open, rendered from ``web/templates``.

Autoescape is on: tokens from links and messages from people are shown as text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from fastapi.responses import HTMLResponse

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def page(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """``template`` (a page of ``web/templates``) rendered with ``context``."""
    return HTMLResponse(_env.get_template(template).render(**context), status_code=status)


def notice(title: str, text: str, status: int = 200) -> HTMLResponse:
    """A page with a title and one sentence."""
    return page("notice.html.j2", status, title=title, text=text)
