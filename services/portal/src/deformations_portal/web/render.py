"""Renders pages from plain data; routes only gather it."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from deformations_common.vocabulary.collectivites import collectivite_name
from deformations_common.vocabulary.french import date_fr, datetime_fr


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("deformations_portal.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["collectivite"] = collectivite_name
    env.filters["date_fr"] = date_fr
    env.filters["datetime_fr"] = datetime_fr
    return env


def page(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
