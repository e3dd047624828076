"""One platform per Région: its name, look, legal entity and the collectivités it covers.

Pure: built from a plain mapping (a TOML file or defaults) and checked once, at start-up,
so that a palette people could not read or a région the COG does not know never serves.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from deformations_common.geography import load_geography
from deformations_common.scope import OutsideScope, PlatformMisconfigured, PlatformScope

# WCAG 2.1 AA: normal text needs 4.5:1 against its background.
AA_NORMAL_TEXT = 4.5
# A focus ring must stand out from the page (WCAG 2.2 non-text contrast, 3:1).
AA_NON_TEXT = 3.0
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")

# The territory's errors are the shared ones (matching refuses with the same codes).
__all__ = [
    "Host",
    "LegalEntity",
    "OutsideScope",
    "Palette",
    "Platform",
    "PlatformMisconfigured",
    "contrast",
    "luminance",
]


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    if not HEX_COLOUR.match(colour):
        raise PlatformMisconfigured(
            f"La couleur « {colour} » n'est pas au format #rrggbb.", colour=colour
        )
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two colours, from 1 to 21."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@dataclass(frozen=True)
class Palette:
    primary: str = "#1b5e40"  # header background, links, buttons
    primary_light: str = "#e6f2ec"  # success notices
    text: str = "#1e1e1e"
    muted: str = "#4a4a4a"  # help text, footer
    background: str = "#fafaf7"
    on_primary: str = "#ffffff"  # text on the header and buttons
    error: str = "#b00020"
    focus: str = "#f2a900"

    def pairs(self) -> list[tuple[str, str, str, float]]:
        """Every pair of colours the stylesheet draws one on the other."""
        return [
            ("texte sur fond", self.text, self.background, AA_NORMAL_TEXT),
            ("texte secondaire sur fond", self.muted, self.background, AA_NORMAL_TEXT),
            ("texte secondaire sur blanc", self.muted, "#ffffff", AA_NORMAL_TEXT),
            ("liens sur fond", self.primary, self.background, AA_NORMAL_TEXT),
            ("liens sur blanc", self.primary, "#ffffff", AA_NORMAL_TEXT),
            ("en-tête et boutons", self.on_primary, self.primary, AA_NORMAL_TEXT),
            ("texte sur message de succès", self.text, self.primary_light, AA_NORMAL_TEXT),
            ("erreurs sur blanc", self.error, "#ffffff", AA_NORMAL_TEXT),
            ("bouton de suppression", "#ffffff", self.error, AA_NORMAL_TEXT),
            ("contour du focus sur l'en-tête", self.focus, self.primary, AA_NON_TEXT),
        ]

    def check(self) -> None:
        """Refuse a palette that fails WCAG AA, naming every pair that fails."""
        failing = [
            f"{name} ({fg} sur {bg} : {contrast(fg, bg):.2f}:1, il faut {need}:1)"
            for name, fg, bg, need in self.pairs()
            if contrast(fg, bg) < need
        ]
        if failing:
            raise PlatformMisconfigured(
                "Ces couleurs ne sont pas assez contrastées (WCAG AA) : " + " ; ".join(failing),
                failing=failing,
            )

    def css(self) -> str:
        return (
            ":root { "
            f"--vert: {self.primary}; --vert-clair: {self.primary_light}; "
            f"--texte: {self.text}; --gris: {self.muted}; --fond: {self.background}; "
            f"--sur-vert: {self.on_primary}; --erreur: {self.error}; --focus: {self.focus}; "
            "}\n"
        )


@dataclass(frozen=True)
class LegalEntity:
    name: str = "Association Déformations (exemple)"
    address: str = "Adresse à compléter par l'éditeur"
    siret: str = ""
    publication_director: str = "La présidence de l'association"
    email: str = "contact@deformations.example.org"


@dataclass(frozen=True)
class Host:
    name: str = "Hébergeur à compléter"
    address: str = "Adresse à compléter"
    contact: str = ""


@dataclass(frozen=True)
class Platform:
    name: str = "Déformations"
    tagline: str = "se former aux transitions entre élu·es de collectivités voisines"
    logo: str = ""  # a path under the site (/static/…) or an https URL; empty: text only
    logo_alt: str = ""
    palette: Palette = field(default_factory=Palette)
    publisher: LegalEntity = field(default_factory=LegalEntity)
    host: Host = field(default_factory=Host)
    mail_processor: str = "Le serveur de messagerie de l'hébergeur"
    contact_email: str = "contact@deformations.example.org"
    dpo_email: str = "dpo@deformations.example.org"
    accessibility_email: str = "accessibilite@deformations.example.org"
    # The région (COG code) and the départements it covers; empty: the whole country.
    region: str = ""
    departements: tuple[str, ...] = ()
    # An operator's choice: people may ask to join a collectivité outside the région.
    outside_allowed: bool = False

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Platform:
        """Build and check a platform from a TOML-like mapping."""
        known = {"name", "tagline", "logo", "logo_alt", "mail_processor", "contact_email"}
        known |= {"dpo_email", "accessibility_email", "region", "departements"}
        known |= {"outside_allowed", "palette", "publisher", "host"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise PlatformMisconfigured(
                "Réglages de plateforme inconnus : " + ", ".join(unknown), unknown=unknown
            )
        plain = {k: v for k, v in data.items() if k not in {"palette", "publisher", "host"}}
        if "departements" in plain:
            plain["departements"] = tuple(str(d) for d in plain["departements"])
        try:
            platform = cls(
                palette=Palette(**data.get("palette", {})),
                publisher=LegalEntity(**data.get("publisher", {})),
                host=Host(**data.get("host", {})),
                **plain,
            )
        except TypeError as error:
            raise PlatformMisconfigured(
                f"Réglage de plateforme invalide : {error}", reason=str(error)
            ) from error
        platform.check()
        return platform

    def check(self) -> None:
        self.palette.check()
        if self.logo and not (self.logo.startswith("/") or self.logo.startswith("https://")):
            raise PlatformMisconfigured(
                "Le logo doit être un chemin du site (/static/…) ou une adresse https.",
                logo=self.logo,
            )
        if self.logo and not self.logo_alt:
            raise PlatformMisconfigured("Le logo doit avoir un texte alternatif (logo_alt).")
        _ = self.territory  # checks the région and its départements against the COG

    @cached_property
    def territory(self) -> PlatformScope:
        """The collectivités covered, as matching and the statistics read them too."""
        return PlatformScope.of(
            load_geography(),
            region=self.region,
            departements=self.departements,
            outside_allowed=self.outside_allowed,
        )

    @property
    def covered_departements(self) -> frozenset[str]:
        return self.territory.departements

    @property
    def region_name(self) -> str:
        return self.territory.region_name(load_geography())

    def covers(self, siren: str) -> bool:
        return self.territory.covers_collectivite(load_geography(), siren)

    def require_in_scope(self, siren: str, *, operator: bool = False) -> None:
        """Refuse a collectivité elsewhere, unless the platform welcomes them or an operator
        acts (``OutsideScope``, as matching refuses to organise anything there)."""
        if not operator:
            self.territory.require_proposable(load_geography(), siren.strip())
