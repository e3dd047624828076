"""The public pages every French public site owes its visitors, following the platform.

Accessibility statement (RGAA 4.1 model), legal notice, personal data, site map, help and
contact; plus the stylesheet of the platform's colours (CSS custom properties, served from
the site because the content security policy forbids inline styles).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response
from fastapi.routing import APIRoute

from deformations_portal.web.catalogue import shown_catalogue
from deformations_portal.web.context import PageDep

router = APIRouter(include_in_schema=False)

# The automated checks the test suite runs on every public page in a real Chromium.
AUTOMATED_CHECKS = (
    "axe-core (règles WCAG 2.1 A et AA) : aucune anomalie d'impact « sérieux » ou "
    "« critique » tolérée",
    "langue de la page déclarée (fr) et titre de page présent",
    "lien d'évitement « Aller au contenu » atteint en premier au clavier et menant au "
    "contenu principal",
    "focus visible sur chaque lien et bouton atteint au clavier, de l'en-tête au pied de "
    "page (page Aide)",
    "affichage sur un écran de téléphone (390 pixels) sans défilement horizontal",
    "contraste des couleurs de la plateforme vérifié (WCAG AA) au démarrage du site",
)


# No RGAA audit has been made yet: the law then calls the site « non conforme ».
COMPLIANCE = "non conforme"
STATEMENT_DATE = "1er décembre 2026"
# axe-core's figures per public page, written and verified by the browser test of the public
# pages (tests/test_portal_public_browser.py): the statement publishes what was measured.
AUTOMATED_REPORT = Path(__file__).with_name("accessibility_report.json")
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
IMPACTS = ("critical", "serious", "moderate", "minor")


@dataclass(frozen=True)
class PageResult:
    path: str
    title: str
    critical: int
    serious: int
    moderate: int
    minor: int
    passes: int


@dataclass(frozen=True)
class AutomatedReport:
    tool: str
    version: str
    checked_on: date
    pages: tuple[PageResult, ...]

    @property
    def checked_on_fr(self) -> str:
        day = "1er" if self.checked_on.day == 1 else str(self.checked_on.day)
        return f"{day} {MONTHS[self.checked_on.month - 1]} {self.checked_on.year}"

    def total(self, impact: str) -> int:
        return sum(int(getattr(page, impact)) for page in self.pages)


def load_report(path: Path = AUTOMATED_REPORT) -> AutomatedReport:
    """The committed report of the automated checks (its JSON as the browser test writes it)."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return AutomatedReport(
        tool=raw["tool"],
        version=raw["version"],
        checked_on=date.fromisoformat(raw["checked_on"]),
        pages=tuple(
            PageResult(
                path=page["path"],
                title=page["title"],
                passes=page["passes"],
                **{impact: page["violations"][impact] for impact in IMPACTS},
            )
            for page in raw["pages"]
        ),
    )


@dataclass(frozen=True)
class Entry:
    path: str
    title: str
    section: str
    signed_in: bool = False


# The routes people use, in the order of the site map; only those the site really serves
# are shown (the map is checked against the application's routes).
SITE_MAP = (
    Entry("/", "Accueil", "Le site"),
    Entry("/thematiques", "Les 11 thématiques du livret", "Le site"),
    Entry("/connexion", "Se connecter", "Le site"),
    Entry("/espace", "Mon espace", "Votre espace", signed_in=True),
    Entry("/adhesions", "Mes collectivités", "Votre espace", signed_in=True),
    Entry("/adhesions/rejoindre", "Rejoindre une collectivité", "Votre espace", signed_in=True),
    Entry("/referent", "Demandes à valider (référents)", "Votre espace", signed_in=True),
    Entry("/compte", "Mon compte", "Votre espace", signed_in=True),
    Entry("/aide", "Aide", "Informations"),
    Entry("/contact", "Contact", "Informations"),
    Entry("/accessibilite", "Accessibilité : non conforme", "Informations"),
    Entry("/mentions-legales", "Mentions légales", "Informations"),
    Entry("/donnees-personnelles", "Données personnelles et cookies", "Informations"),
    Entry("/plan-du-site", "Plan du site", "Informations"),
)


def served_pages(routers: Sequence[APIRouter]) -> set[str]:
    """The paths of the pages the application's routers answer with GET."""
    return {
        route.path
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute) and "GET" in (route.methods or ()) and "{" not in route.path
    }


@router.get("/plateforme.css")
async def platform_css(page: PageDep) -> Response:
    return Response(
        page.platform.palette.css(),
        media_type="text/css",
        headers={"cache-control": "public, max-age=300", "x-content-type-options": "nosniff"},
    )


@router.get("/accessibilite")
async def accessibility(page: PageDep) -> Response:
    return page.render(
        "public/accessibility.html",
        "Déclaration d'accessibilité",
        current="accessibilite",
        checks=AUTOMATED_CHECKS,
        report=load_report(),
        compliance=COMPLIANCE,
        statement_date=STATEMENT_DATE,
        site_url=page.settings.app_url,
    )


@router.get("/mentions-legales")
async def legal_notice(page: PageDep) -> Response:
    return page.render(
        "public/legal.html",
        "Mentions légales",
        current="mentions",
        site_url=page.settings.app_url,
    )


@router.get("/donnees-personnelles")
async def personal_data(page: PageDep) -> Response:
    return page.render(
        "public/privacy.html",
        "Données personnelles et cookies",
        current="donnees",
        session_hours=page.settings.session_hours,
        link_minutes=page.settings.sign_in_link_minutes,
        # One value for every service (deploy/README.md, common settings).
        erased_days=page.settings.erased_people_retention_days,
    )


@router.get("/plan-du-site")
async def site_map(page: PageDep) -> Response:
    served = served_pages(page.request.app.state.definition.routers)
    sections: dict[str, list[Entry]] = {}
    for entry in SITE_MAP:
        if entry.path in served:
            sections.setdefault(entry.section, []).append(entry)
    return page.render(
        "public/sitemap.html",
        "Plan du site",
        current="plan",
        sections=sections,
        catalogue=await shown_catalogue(page),
    )


@router.get("/aide")
async def help_page(page: PageDep) -> Response:
    return page.render(
        "public/help.html",
        "Aide",
        current="aide",
        catalogue=await shown_catalogue(page),
        oidc_name=page.settings.oidc_provider_name,
        oidc=page.settings.oidc_enabled,
    )


@router.get("/contact")
async def contact(page: PageDep) -> Response:
    return page.render("public/contact.html", "Contact", current="contact")
