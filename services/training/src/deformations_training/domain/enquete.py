"""Les élus enquêteurs (booklet, thématique 4): a small group of élus enquires.

The enquiry has one question and an interview guide; its field list names the
collectivités (checked against the COG) and the people and places to meet; each field
entry collects its interview notes once met; the learnings are written together and,
once shared, are readable by everyone the enquiry met — the network it built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from deformations_training.domain.errors import InvalidTrainingInput, NotFound

ENQUETE = "t04_elus_enqueteurs"
MAX_FIELD = 60


def _text(value: str, low: int, high: int, what: str) -> str:
    cleaned = value.strip()
    if not low <= len(cleaned) <= high:
        raise InvalidTrainingInput(f"{what} compte de {low} à {high} caractères.")
    return cleaned


class FieldStatus(StrEnum):
    TO_MEET = "to_meet"
    MET = "met"


@dataclass(slots=True)
class FieldEntry:
    id: UUID
    collectivite_siren: str
    collectivite: str
    whom: str  # « la maire », « l'agriculteur du GAEC » — a role, not a contact detail
    place: str
    person_id: str | None = None  # when the person is a member of the platform
    status: FieldStatus = FieldStatus.TO_MEET
    notes: list[str] = field(default_factory=list)
    met_at: datetime | None = None


@dataclass(slots=True)
class Learning:
    id: UUID
    text: str
    written_by: str
    shared_at: datetime | None = None


@dataclass(slots=True)
class Enquete:
    programme_id: UUID
    question: str = ""
    guide: list[str] = field(default_factory=list)
    field_list: list[FieldEntry] = field(default_factory=list)
    learnings: list[Learning] = field(default_factory=list)

    def set_question(self, question: str, guide: list[str]) -> None:
        self.question = _text(question, 10, 500, "La question d'enquête")
        cleaned = [_text(q, 3, 500, "Une question du guide") for q in guide]
        if not 1 <= len(cleaned) <= 30:
            raise InvalidTrainingInput("Le guide d'entretien compte de 1 à 30 questions.")
        self.guide = cleaned

    def add_field(self, entry: FieldEntry) -> None:
        if len(self.field_list) >= MAX_FIELD:
            raise InvalidTrainingInput(f"La liste de terrain compte au plus {MAX_FIELD} entrées.")
        entry.whom = _text(entry.whom, 3, 200, "La personne à rencontrer")
        entry.place = _text(entry.place, 3, 200, "Le lieu")
        self.field_list.append(entry)

    def interview(self, entry_id: UUID, notes: str, at: datetime) -> FieldEntry:
        if not self.question:
            raise InvalidTrainingInput("Posez d'abord la question d'enquête et son guide.")
        entry = self.entry(entry_id)
        entry.notes.append(_text(notes, 3, 10_000, "Les notes d'entretien"))
        entry.status, entry.met_at = FieldStatus.MET, entry.met_at or at
        return entry

    def learn(self, learning: Learning) -> None:
        learning.text = _text(learning.text, 3, 2000, "Un apprentissage")
        self.learnings.append(learning)

    def share(self, learning_id: UUID, at: datetime) -> None:
        for learning in self.learnings:
            if learning.id == learning_id:
                learning.shared_at = learning.shared_at or at
                return
        raise NotFound("Apprentissage introuvable.")

    def entry(self, entry_id: UUID) -> FieldEntry:
        for found in self.field_list:
            if found.id == entry_id:
                return found
        raise NotFound("Entrée de la liste de terrain introuvable.")

    def network(self) -> list[str]:
        """The platform members the enquiry met: they read its shared learnings."""
        return sorted(
            {e.person_id for e in self.field_list if e.person_id and e.status is FieldStatus.MET}
        )

    def shared_learnings(self) -> list[Learning]:
        return [learning for learning in self.learnings if learning.shared_at is not None]
