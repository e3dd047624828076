"""The carnet de bord (booklet, thématique 2): an élu's own learning portfolio.

Each participant of a carnet de bord programme keeps entries: resources, situations of
learning, notes, links to modules followed, each with tags. An entry is private: nobody
but its author sees it, not the coach, not an operator, unless the author shares it with
the programme's coach; sharing can be undone at any time and the coach then loses sight
of it. The coach meets each élu once a month (the programme's sessions) and, after six
months, runs the collective review (the programme's last step).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from deformations_training.domain.errors import InvalidTrainingInput, NotFound
from deformations_training.domain.programmes import Programme

CARNET_RECIPE = "t02_carnet_de_bord"
MAX_TAGS = 12
_TAG = re.compile(r"^[a-z0-9àâäéèêëîïôöûüç][a-z0-9àâäéèêëîïôöûüç_-]{0,39}$")


class EntryKind(StrEnum):
    RESOURCE = "resource"
    SITUATION = "situation"
    NOTE = "note"
    MODULE = "module"


@dataclass(slots=True)
class CarnetEntry:
    id: UUID
    programme_id: UUID
    author_id: str
    kind: EntryKind
    title: str
    body: str
    tags: list[str] = field(default_factory=list)
    # An offer of the training catalogue the élu followed (kind ``module``).
    offer_id: UUID | None = None
    url: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    shared_at: datetime | None = None

    @property
    def shared(self) -> bool:
        return self.shared_at is not None

    def visible_to(self, person_id: str, programme: Programme) -> bool:
        """The author always; the programme's coach only while the entry is shared."""
        if person_id == self.author_id:
            return True
        return self.shared and person_id == programme.facilitator_id


def write_entry(
    *,
    entry_id: UUID,
    programme: Programme,
    author_id: str,
    kind: EntryKind,
    title: str,
    body: str,
    tags: list[str],
    offer_id: UUID | None,
    url: str | None,
    at: datetime,
) -> CarnetEntry:
    if programme.recipe_code != CARNET_RECIPE:
        raise InvalidTrainingInput("Ce programme n'est pas un carnet de bord.")
    participant = programme.participant(author_id)
    if participant is None or not programme.is_member(author_id):
        raise NotFound("Vous ne tenez pas de carnet dans ce programme.")
    title, body = title.strip(), body.strip()
    if not 3 <= len(title) <= 200:
        raise InvalidTrainingInput("Le titre compte de 3 à 200 caractères.")
    if len(body) > 20_000:
        raise InvalidTrainingInput("Le texte compte au plus 20 000 caractères.")
    cleaned = list(dict.fromkeys(t.strip().lower() for t in tags if t.strip()))
    if len(cleaned) > MAX_TAGS or any(not _TAG.match(t) for t in cleaned):
        raise InvalidTrainingInput(
            f"Au plus {MAX_TAGS} mots-clés, en minuscules, sans espace (ex. « alimentation »)."
        )
    if url is not None and not url.startswith(("https://", "http://")):
        raise InvalidTrainingInput("Un lien commence par https:// ou http://.")
    if kind is EntryKind.MODULE and offer_id is None:
        raise InvalidTrainingInput("Une entrée « module suivi » désigne la formation suivie.")
    return CarnetEntry(
        id=entry_id,
        programme_id=programme.id,
        author_id=author_id,
        kind=kind,
        title=title,
        body=body,
        tags=cleaned,
        offer_id=offer_id,
        url=url,
        created_at=at,
        updated_at=at,
    )
