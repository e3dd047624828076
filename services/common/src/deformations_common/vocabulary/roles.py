"""The roles a membership of a collectivité gives, as tokens carry them (``roles`` claim)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ELECTED = "elected"  # élu·e
    SECRETARY = "secretary"  # secrétaire de mairie
    AGENT = "agent"  # agent, technicien·ne
    HR = "hr"  # ressources humaines
    TRAINER = "trainer"  # formateur·rice
    OPERATOR = "operator"  # opérateur de la plateforme
    PARTNER = "partner"  # partenaire (Région, département): statistics, read only

    @property
    def label(self) -> str:
        """The French name of the role, as pages show it."""
        return _LABELS[self]


_LABELS = {
    Role.ELECTED: "élu·e",
    Role.SECRETARY: "secrétaire de mairie",
    Role.AGENT: "agent",
    Role.HR: "ressources humaines",
    Role.TRAINER: "formateur·rice",
    Role.OPERATOR: "opérateur·rice",
    Role.PARTNER: "partenaire",
}
