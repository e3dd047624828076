"""Moderation of the free text people post (appels à pairs, offers and requests)."""

from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from deformations_contracts.base import EventData
from deformations_contracts.types import Instant, PersonId
from deformations_contracts.values import ShortText


class ContentKind(StrEnum):
    PEER_CALL = "peer_call"
    OFFER = "offer"
    REQUEST = "request"


class ContentHidden(EventData):
    """An operator hid a person's text from public lists, with a reason told to its author.

    Published by the service that owns the text (matching for appels à pairs, lending for
    offers and requests). The author still sees it, marked hidden with the reason; nobody
    else does until an operator shows it again.
    """

    routing_key: ClassVar[str] = "content.hidden.v1"
    producer: ClassVar[str] = "matching"
    other_producers: ClassVar[tuple[str, ...]] = ("lending",)

    content_id: UUID
    kind: ContentKind
    person_id: PersonId
    reason: ShortText
    hidden_at: Instant

    def subject(self) -> str:
        return str(self.content_id)
