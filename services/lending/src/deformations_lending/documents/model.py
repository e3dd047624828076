"""A document as data: a title, a few facts and numbered sections."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...] = ()
    items: tuple[str, ...] = ()  # a bulleted list after the paragraphs


@dataclass(frozen=True, slots=True)
class Document:
    kind: str  # "convention" or "attestation"
    title: str
    subtitle: str
    reference: str
    preamble: tuple[str, ...]
    sections: tuple[Section, ...]
    signatures: tuple[str, ...]  # one block per signatory
    place_and_date: str
    notice: str  # shown in small print at the end

    def text(self) -> str:
        """Everything the document says, as plain text (search, tests, e-mails)."""
        parts = [self.title, self.subtitle, self.reference, *self.preamble]
        for section in self.sections:
            parts.append(section.heading)
            parts.extend(section.paragraphs)
            parts.extend(section.items)
        parts.extend([self.place_and_date, *self.signatures, self.notice])
        return "\n".join(parts)
