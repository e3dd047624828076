import contextlib
import re
import zlib
from datetime import date, datetime, timedelta
from uuid import uuid4

import pytest
from lending_factories import BORROWER, LENDER, NOW, agree, half_days_from, make_loan, make_offer

from deformations_lending.documents import (
    Party,
    build_attestation,
    build_convention,
    render_html,
    render_pdf,
)
from deformations_lending.documents.render import pdf_text
from deformations_lending.domain.errors import InvalidTransitionError
from deformations_lending.domain.loan_model import Loan
from deformations_lending.domain.offers import Offer
from deformations_lending.domain.sessions import record_session_held, schedule_session

ISSUED = date(2026, 3, 2)


def _agreed_with_sessions() -> tuple[Loan, Offer]:
    offer = make_offer()
    loan, offer = agree(make_loan(offer, half_days=2), offer)
    for day in half_days_from(date(2026, 3, 3), 2):
        loan = schedule_session(
            loan, offer, session_id=uuid4(), half_day=day, agent_bookings=frozenset(), now=NOW
        ).loan
    return loan, offer


def test_convention_names_parties_role_scope_schedule_duration_and_reimbursement() -> None:
    loan, offer = _agreed_with_sessions()
    doc = build_convention(loan, offer, lender=LENDER, borrower=BORROWER, issued_on=ISSUED)
    text = doc.text()
    for expected in (
        "la commune de Bourg-en-Bresse (SIREN 210100533)",
        "la commune de Péronnas (SIREN 210102893)",
        "technicien restauration collective",
        "Diagnostic des menus et plan d'approvisionnement local de la cantine.",
        "mardi 3 mars 2026, après-midi",
        "jeudi 5 mars 2026, matin",
        "du 2 mars 2026 au 31 mai 2026",
        "2 demi-journées",
        "7 h de travail",
        "L. 512-6",
        "L. 512-7",
        "L. 512-11",
        "décret n° 2008-580 du 18 juin 2008",
        "remboursement de la rémunération de l'agent",
        "coût horaire chargé",
        "L'agent a donné son accord",
        "organe délibérant",
        "Alimentation durable et restauration collective",
    ):
        assert expected in text, expected
    assert loan.agent_ref not in text  # the agent is never named or referenced


def test_convention_html_is_escaped_french_html() -> None:
    loan, offer = _agreed_with_sessions()
    doc = build_convention(loan, offer, lender=LENDER, borrower=BORROWER, issued_on=ISSUED)
    html = render_html(doc)
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="fr">' in html
    assert "Article 5 – Remboursement" in html
    assert "<li>mardi 3 mars 2026, après-midi</li>" in html
    evil = Party(siren=LENDER.siren, name="<script>alert(1)</script>")
    html = render_html(
        build_convention(loan, offer, lender=evil, borrower=BORROWER, issued_on=ISSUED)
    )
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def _pdf_streams_text(pdf: bytes) -> str:
    """Decoded text of every content stream (enough to look for words)."""
    chunks = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        data = match.group(1)
        with contextlib.suppress(zlib.error):
            data = zlib.decompress(data)
        chunks.append(data.decode("latin-1"))
    return "".join(chunks)


def test_convention_pdf_is_a_valid_pdf_with_the_content() -> None:
    loan, offer = _agreed_with_sessions()
    doc = build_convention(loan, offer, lender=LENDER, borrower=BORROWER, issued_on=ISSUED)
    pdf = render_pdf(doc)
    assert pdf.startswith(b"%PDF-1.")
    assert pdf.rstrip().endswith(b"%%EOF")
    startxref = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
    assert pdf[startxref : startxref + 4] == b"xref"
    assert re.search(rb"/Type\s*/Pages\b", pdf)
    assert re.search(rb"/Count\s+([1-9])", pdf)
    text = _pdf_streams_text(pdf)
    for word in ("Convention de mise", "SIREN 210100533", "Remboursement", "512-11"):
        assert word in text, word
    assert "P\xe9ronnas" in text  # accents kept in Latin-1


def test_pdf_text_transliterates_what_helvetica_cannot_print() -> None:
    assert pdf_text("mise en œuvre – l’agent") == "mise en oeuvre - l'agent"
    assert pdf_text("Péronnas « ici »") == "Péronnas « ici »"
    assert pdf_text("article L. 512-7, 3 h 30") == "article L.\xa0512-7, 3\xa0h\xa030"


def test_no_convention_before_agreement() -> None:
    offer = make_offer()
    loan = make_loan(offer)
    with pytest.raises(InvalidTransitionError, match="convenu"):
        build_convention(loan, offer, lender=LENDER, borrower=BORROWER, issued_on=ISSUED)
    loan, offer = agree(loan, offer)
    with pytest.raises(InvalidTransitionError, match="pas celles du prêt"):
        build_convention(loan, offer, lender=BORROWER, borrower=LENDER, issued_on=ISSUED)


def test_attestation_lists_held_half_days_only() -> None:
    loan, _ = _agreed_with_sessions()
    with pytest.raises(InvalidTransitionError, match="effectuée"):
        build_attestation(loan, lender=LENDER, borrower=BORROWER, issued_on=ISSUED)
    first = loan.sessions[0]
    after = datetime.combine(first.half_day.day, datetime.min.time(), NOW.tzinfo) + timedelta(
        hours=20
    )
    loan = record_session_held(loan, session_id=first.id, transaction_id=uuid4(), now=after).loan
    doc = build_attestation(loan, lender=LENDER, borrower=BORROWER, issued_on=ISSUED)
    text = doc.text()
    assert "1 demi-journée, soit 3 h 30" in text
    assert "mardi 3 mars 2026, après-midi" in text
    assert "jeudi 5 mars 2026" not in text
    assert "technicien restauration collective" in text
    assert text.startswith("Attestation")
    assert "La commune de Bourg-en-Bresse (SIREN 210100533) atteste" in text
    assert render_pdf(doc).startswith(b"%PDF-")


def test_designation_elides_before_a_vowel() -> None:
    assert Party("210100046", "Ambérieu-en-Bugey").designation == "la commune d'Ambérieu-en-Bugey"
    assert Party("200071751", "CA du Bassin de Bourg-en-Bresse", kind="epci").designation == (
        "CA du Bassin de Bourg-en-Bresse"
    )
