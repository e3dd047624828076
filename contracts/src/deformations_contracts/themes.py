"""The taxonomy of transition themes shared by every service.

Codes are stable identifiers carried in events; labels are French UI text.
Consumers must tolerate codes they do not know (a newer producer may add some):
event models type themes as ``ThemeCode`` (a constrained string), not as the enum.
"""

from enum import StrEnum
from typing import Annotated

from pydantic import StringConstraints


class Theme(StrEnum):
    ALIMENTATION = "alimentation"
    ENERGIE = "energie"
    MOBILITE = "mobilite"
    BIODIVERSITE = "biodiversite"
    SOBRIETE_FONCIERE = "sobriete_fonciere"
    EAU = "eau"
    RENOVATION = "renovation"
    DECHETS = "dechets"
    PARTICIPATION = "participation"
    ACHATS_FINANCES = "achats_finances"
    SOLIDARITES = "solidarites"
    ADAPTATION = "adaptation"
    NUMERIQUE = "numerique"
    ECONOMIE_LOCALE = "economie_locale"


LABELS: dict[Theme, str] = {
    Theme.ALIMENTATION: "Alimentation durable et restauration collective",
    Theme.ENERGIE: "Énergie : sobriété, efficacité, renouvelables",
    Theme.MOBILITE: "Mobilités du quotidien",
    Theme.BIODIVERSITE: "Biodiversité et nature en ville",
    Theme.SOBRIETE_FONCIERE: "Sobriété foncière (ZAN) et urbanisme",
    Theme.EAU: "Eau et milieux aquatiques",
    Theme.RENOVATION: "Rénovation des bâtiments et de l'habitat",
    Theme.DECHETS: "Déchets et économie circulaire",
    Theme.PARTICIPATION: "Participation citoyenne et démocratie locale",
    Theme.ACHATS_FINANCES: "Achats publics responsables et finances",
    Theme.SOLIDARITES: "Solidarités et cohésion sociale",
    Theme.ADAPTATION: "Adaptation au changement climatique et risques",
    Theme.NUMERIQUE: "Numérique responsable et inclusion numérique",
    Theme.ECONOMIE_LOCALE: "Économie locale, commerces et emploi",
}

# A theme code as carried in events: any lowercase code, known or not yet known.
ThemeCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]


def label(code: str) -> str:
    """French label of a theme code; an unknown code is shown as itself."""
    try:
        return LABELS[Theme(code)]
    except ValueError:
        return code
