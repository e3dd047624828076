"""Documents of a loan: the mise à disposition convention and the agent's attestation.

Each document is first built as plain data (``Document``), then rendered to HTML (Jinja2)
or PDF (fpdf2) from that same data, so both formats always say the same thing.
"""

from .attestation import build_attestation
from .convention import Party, build_convention
from .model import Document, Section
from .render import render_html, render_pdf

__all__ = [
    "Document",
    "Party",
    "Section",
    "build_attestation",
    "build_convention",
    "render_html",
    "render_pdf",
]
