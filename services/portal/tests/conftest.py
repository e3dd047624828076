import sys
from pathlib import Path

# Lets the tests import their fake unit of work (pytest runs with importlib mode).
sys.path.insert(0, str(Path(__file__).parent))
