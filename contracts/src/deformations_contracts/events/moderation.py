"""Moderation of the free text people post (appels à pairs, offers and requests)."""

from enum import StrEnum
from typing import ClassVar, Self
from uuid import UUID

from pydantic import Field, model_validator

from deformations_contracts.base import EventData
from deformations_contracts.types import Instant, PersonId, Siren
from deformations_contracts.values import ShortText


class ContentKind(StrEnum):
    PEER_CALL = "peer_call"
    OFFER = "offer"
    REQUEST = "request"


class ContentHidden(EventData):
    """An operator hid a person's text from public lists, with a reason told to its author.

    Published by the service that owns the text (matching for appels à pairs, lending for
    offers and requests). The author still sees it, marked hidden with the reason; nobody
    else does until an operator shows it again. Who is told: the person who wrote it, else
    the people registered for the collectivité that published it (an offer, a request).
    """

    routing_key: ClassVar[str] = "content.hidden.v1"
    producer: ClassVar[str] = "matching"
    other_producers: ClassVar[tuple[str, ...]] = ("lending",)

    content_id: UUID
    kind: ContentKind
    person_id: PersonId | None = Field(default=None, description="Its author, when a person.")
    collectivite_siren: Siren | None = Field(
        default=None, description="The collectivité that published it (offers, requests)."
    )
    reason: ShortText
    hidden_at: Instant

    @model_validator(mode="after")
    def _someone_to_tell(self) -> Self:
        if self.person_id is None and self.collectivite_siren is None:
            raise ValueError("a hidden text names its author or its collectivité")
        return self

    def subject(self) -> str:
        return str(self.content_id)


class ContentShown(EventData):
    """An operator showed again a text hidden before (``content.hidden.v1``).

    Published by the service that owns the text, like the hiding, so that whoever keeps a
    copy of it (matching, of lending's offers) offers it again. Nobody is told: the text
    is simply back in public lists. A consumer keeps the latest of the hiding and the
    showing by their times, whatever order they arrive in.
    """

    routing_key: ClassVar[str] = "content.shown.v1"
    producer: ClassVar[str] = "matching"
    other_producers: ClassVar[tuple[str, ...]] = ("lending",)

    content_id: UUID
    kind: ContentKind
    shown_at: Instant

    def subject(self) -> str:
        return str(self.content_id)
