"""The demo platforms, one TOML file per Région: pass one as PLATFORM_FILE."""

from pathlib import Path

FOLDER = Path(__file__).parent
AUVERGNE_RHONE_ALPES = FOLDER / "auvergne-rhone-alpes.toml"
ILE_DE_FRANCE = FOLDER / "ile-de-france.toml"
DEMO_PLATFORMS = (AUVERGNE_RHONE_ALPES, ILE_DE_FRANCE)
