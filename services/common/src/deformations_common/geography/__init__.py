"""Reference French administrative geography (COG), vendored with its attribution.

>>> geo = load_geography()
>>> geo.epci_of("01001").siren
'200069193'
"""

from deformations_common.geography.loader import Geography, UnknownCollectiviteError, load_geography
from deformations_common.geography.model import Commune, Departement, Epci, Region

__all__ = [
    "Commune",
    "Departement",
    "Epci",
    "Geography",
    "Region",
    "UnknownCollectiviteError",
    "load_geography",
]
