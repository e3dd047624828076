"""``make bench``: every benchmark of the platform in one run; the last line is one JSON object.

Runs bench/backbone.py's measures first (they carry the broker ceiling), then each
``bench/<service>.py`` that exists, each exposing ``async def run(infra) -> dict``.
"""

import importlib
import json
import sys
from pathlib import Path

import uvloop

sys.path.insert(0, str(Path(__file__).parent))

import backbone

SERVICE_BENCHES = ("diagnosis", "lending", "notifications", "portal")


async def main() -> None:
    results = await backbone.run(backbone.parse_args(sys.argv[1:]))
    for name in SERVICE_BENCHES:
        if (Path(__file__).parent / f"{name}.py").exists():
            module = importlib.import_module(name)
            figures = await module.run(backbone.infra_from_env())
            print(f"{name}: {json.dumps(figures)}", file=sys.stderr)
            results.update(figures)
    print(json.dumps(results))


if __name__ == "__main__":
    uvloop.run(main())  # the event loop uvicorn runs the services on
