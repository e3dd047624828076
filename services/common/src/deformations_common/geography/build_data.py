"""Rebuild the vendored geography files from the COG reference CSV files.

Run once when the reference data changes::

    uv run python -m deformations_common.geography.build_data /path/to/cog

It keeps only the columns the services need and writes them gzip-compressed,
with a fixed mtime so that a rebuild from the same input is byte-identical.
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"

_COLUMNS: dict[str, list[str]] = {
    "communes.csv": [
        "insee_code",
        "name",
        "siren",
        "departement",
        "region",
        "epci_siren",
        "population",
    ],
    "epci.csv": ["siren", "name", "kind", "population"],
    "departements.csv": ["code", "name", "region"],
    "regions.csv": ["code", "name"],
}


def build(source: Path, target: Path = DATA_DIR) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name, columns in _COLUMNS.items():
        with (source / name).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row[column] for column in columns])
        payload = buffer.getvalue().encode("utf-8")
        with (
            (target / f"{name}.gz").open("wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as zipped,
        ):
            zipped.write(payload)


if __name__ == "__main__":
    build(Path(sys.argv[1]))
