import sys
from pathlib import Path

# Lets the tests import their small helper modules (pytest runs with importlib mode).
sys.path.insert(0, str(Path(__file__).parent))

from training_service import service  # noqa: F401  (the fixture of a running service)
