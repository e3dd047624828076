"""The collectivités reference rows (see ``deformations_lending.domain.collectivites``)."""

from deformations_common.db import Connection
from deformations_lending.domain.collectivites import Collectivite, describe
from deformations_lending.repositories.statements import Statements


class CollectiviteRepository:
    """The collectivités reference rows."""

    def __init__(self, conn: Connection) -> None:
        self._db = Statements(conn)

    async def remember(self, *sirens: str) -> list[Collectivite]:
        """Describe the collectivités and keep them in the reference table (idempotent)."""
        described = [describe(siren) for siren in sirens]
        # The EPCI too, so that balances per EPCI are shown with its name.
        epcis = {c.epci_siren for c in described if c.epci_siren and c.epci_siren not in sirens}
        rows = described + [describe(siren) for siren in sorted(epcis)]
        await self._db.executemany(
            """INSERT INTO collectivites (siren, name, kind, insee_code, departement, epci_siren)
               VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT (siren) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,
                   insee_code = EXCLUDED.insee_code, departement = EXCLUDED.departement,
                   epci_siren = EXCLUDED.epci_siren""",
            [(c.siren, c.name, c.kind, c.insee_code, c.departement, c.epci_siren) for c in rows],
        )
        return described
