"""HTML and PDF rendering of a ``Document``.

PDF uses fpdf2: pure Python (its wheels bring Pillow and fontTools, nothing to install on
the system), unlike HTML-to-PDF engines such as WeasyPrint (Pango, Cairo) or wkhtmltopdf
(a binary), so the service image stays small and the same everywhere. Its built-in
Helvetica covers Latin-1, which holds French accents and guillemets; the few French
characters outside it (œ, typographic apostrophes and dashes) are transliterated.
"""

from __future__ import annotations

import re
from functools import cache

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from jinja2 import Environment, PackageLoader, select_autoescape

from .model import Document


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("deformations_lending.documents", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(document: Document) -> str:
    return _environment().get_template("document.html.j2").render(doc=document)


_LATIN1_FALLBACKS = str.maketrans(
    {
        "œ": "oe",
        "Œ": "OE",
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "–": "-",
        "—": "-",
        "…": "...",
        "\u202f": " ",
        "€": "EUR",
    }
)


# « L. 512-7 », « n° 2008-580 », « 3 h 30 » must not be split across lines.
_UNBREAKABLE = re.compile(r"(?<=\bL\.) (?=\d)|(?<=n°) (?=\d)|(?<=\d) (?=h\b)|(?<=\bh) (?=\d)")


def pdf_text(text: str) -> str:
    """Text as Helvetica can print it; anything still outside Latin-1 becomes « ? »."""
    text = _UNBREAKABLE.sub("\u00a0", text.translate(_LATIN1_FALLBACKS))
    return text.encode("latin-1", "replace").decode("latin-1")


class _Pdf(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self._footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", size=8)
        self.cell(0, 10, pdf_text(f"{self._footer_text} – page {self.page_no()}/{{nb}}"), align="C")


def render_pdf(document: Document, *, compress: bool = True) -> bytes:
    pdf = _Pdf(document.reference)
    pdf.set_compression(compress)
    pdf.set_title(pdf_text(document.title))
    pdf.set_creator("deformations")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()

    def para(text: str, *, size: int = 10, style: str = "", gap: float = 2) -> None:
        pdf.set_font("Helvetica", style=style, size=size)
        pdf.multi_cell(0, size * 0.5, pdf_text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(gap)

    para(document.title, size=16, style="B", gap=1)
    para(document.subtitle, size=11, style="I", gap=1)
    para(document.reference, size=9, gap=4)
    for line in document.preamble:
        para(line)
    for section in document.sections:
        pdf.ln(2)
        para(section.heading, size=11, style="B")
        for paragraph in section.paragraphs:
            para(paragraph)
        for item in section.items:
            para(f"- {item}", gap=1)
    pdf.ln(4)
    para(document.place_and_date)
    for signatory in document.signatures:
        pdf.ln(4)
        para(signatory, style="B", gap=18)
    para(document.notice, size=8)
    return bytes(pdf.output())
