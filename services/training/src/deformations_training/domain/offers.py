"""Training offers, their dated sessions and the price tiers of an offre groupée.

An offer is given by one body on one theme in one format, on site (a commune of the
COG and a public place) or remote (a video link), in dated sessions (none for
e-learning), for at most ``capacity`` people at ``price_cents`` per person.

An offre groupée (booklet, thématique 8: « si vous venez avec 8 élus de votre
territoire, le prix de la formation est divisé par 2 ») adds tiers: a group of élus of
one territory who register together pay the tier of their size. The price is settled
when registration closes and re-priced whenever a member cancels (``price_for``).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from deformations_contracts.events.training import TrainingFormat as Format
from deformations_contracts.themes import Theme
from deformations_training.domain.errors import (
    InvalidTrainingInput,
    InvalidTransition,
    RegistrationClosed,
)

MAX_CAPACITY = 500
MAX_PRICE_CENTS = 1_000_000
MAX_SESSIONS = 20

__all__ = ["Format", "Offer", "PriceTier", "Session", "new_offer"]


@dataclass(frozen=True, slots=True)
class Session:
    id: UUID
    starts_at: datetime
    ends_at: datetime
    # Raised on every change announced to participants (iCalendar's SEQUENCE).
    sequence: int = 0
    cancelled: bool = False


@dataclass(frozen=True, slots=True)
class PriceTier:
    """From ``min_group_size`` élus of one territory, each pays ``price_cents``."""

    min_group_size: int
    price_cents: int


@dataclass(frozen=True, slots=True)
class Offer:
    id: UUID
    body_siren: str
    title: str
    theme: str
    format: Format
    duration_minutes: int
    capacity: int
    price_cents: int
    sessions: tuple[Session, ...]
    place_insee: str | None
    place_label: str | None
    video_url: str | None
    group_tiers: tuple[PriceTier, ...]
    registration_closes_at: datetime | None
    published_at: datetime
    cancelled_at: datetime | None = None
    description: str = field(default="")

    @property
    def remote(self) -> bool:
        return self.place_insee is None

    @property
    def grouped(self) -> bool:
        return bool(self.group_tiers)

    def active_sessions(self) -> tuple[Session, ...]:
        return tuple(s for s in self.sessions if not s.cancelled)

    def starts_at(self) -> datetime | None:
        active = self.active_sessions()
        return min(s.starts_at for s in active) if active else None

    def ends_at(self) -> datetime | None:
        active = self.active_sessions()
        return max(s.ends_at for s in active) if active else None

    def closes_at(self) -> datetime | None:
        """When registration closes: as set, or at the start of the first session."""
        return self.registration_closes_at or self.starts_at()

    def registration_open(self, now: datetime) -> bool:
        closes = self.closes_at()
        return self.cancelled_at is None and (closes is None or now < closes)

    def ensure_open(self, now: datetime) -> None:
        if self.cancelled_at is not None:
            raise RegistrationClosed("Cette formation a été annulée.", offer_id=str(self.id))
        if not self.registration_open(now):
            raise RegistrationClosed(
                "Les inscriptions à cette formation sont closes.", offer_id=str(self.id)
            )

    def price_for(self, group_size: int) -> int:
        """The price per person for a group of ``group_size`` (1: the single price)."""
        price = self.price_cents
        for tier in self.group_tiers:
            if group_size >= tier.min_group_size:
                price = min(price, tier.price_cents)
        return price

    def session(self, session_id: UUID) -> Session:
        for session in self.sessions:
            if session.id == session_id:
                return session
        raise InvalidTrainingInput(
            "Cette séance n'appartient pas à la formation.", session_id=str(session_id)
        )

    def reschedule(
        self, session_id: UUID, starts_at: datetime, ends_at: datetime, now: datetime
    ) -> Offer:
        session = self.session(session_id)
        if session.cancelled:
            raise InvalidTransition("Cette séance est annulée.")
        _check_session_times(starts_at, ends_at, now)
        moved = replace(session, starts_at=starts_at, ends_at=ends_at)
        others = [s for s in self.sessions if s.id != session_id]
        _check_no_overlap([*(s for s in others if not s.cancelled), moved])
        return replace(
            self, sessions=tuple(moved if s.id == session_id else s for s in self.sessions)
        )

    def cancel_session(self, session_id: UUID, now: datetime) -> Offer:
        session = self.session(session_id)
        if session.cancelled:
            raise InvalidTransition("Cette séance est déjà annulée.")
        if session.starts_at <= now:
            raise InvalidTransition("Une séance commencée ne peut plus être annulée.")
        return replace(
            self,
            sessions=tuple(
                replace(s, cancelled=True) if s.id == session_id else s for s in self.sessions
            ),
        )


def _check_session_times(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise InvalidTrainingInput("Les horaires d'une séance indiquent leur fuseau horaire.")
    if ends_at <= starts_at:
        raise InvalidTrainingInput("Une séance se termine après avoir commencé.")
    if starts_at <= now:
        raise InvalidTrainingInput("Une séance se programme dans le futur.")
    if (ends_at - starts_at).total_seconds() > 12 * 3600:
        raise InvalidTrainingInput("Une séance dure au plus 12 heures.")


def _check_no_overlap(sessions: Sequence[Session]) -> None:
    ordered = sorted(sessions, key=lambda s: s.starts_at)
    for before, after in itertools.pairwise(ordered):
        if after.starts_at < before.ends_at:
            raise InvalidTrainingInput("Deux séances d'une formation se chevauchent.")


def check_tiers(tiers: Sequence[PriceTier], price_cents: int, capacity: int) -> None:
    """Tiers fall with the size of the group, below the single price, within capacity."""
    sizes = [t.min_group_size for t in tiers]
    if sizes != sorted(set(sizes)):
        raise InvalidTrainingInput(
            "Les paliers d'une offre groupée se donnent par taille croissante, une fois chacun.",
            field="group_tiers",
        )
    previous = price_cents
    for tier in tiers:
        if tier.min_group_size < 2:
            raise InvalidTrainingInput(
                "Un palier d'offre groupée commence à 2 élus au moins.", field="group_tiers"
            )
        if tier.min_group_size > capacity:
            raise InvalidTrainingInput(
                "Un palier d'offre groupée ne dépasse pas la capacité de la formation.",
                field="group_tiers",
            )
        if not 0 <= tier.price_cents < previous:
            raise InvalidTrainingInput(
                "Le prix d'un palier baisse avec la taille du groupe.", field="group_tiers"
            )
        previous = tier.price_cents


def new_offer(
    *,
    offer_id: UUID,
    body_siren: str,
    title: str,
    description: str,
    theme: str,
    format: Format,
    duration_minutes: int,
    capacity: int,
    price_cents: int,
    sessions: Sequence[Session],
    place_insee: str | None,
    place_label: str | None,
    video_url: str | None,
    group_tiers: Sequence[PriceTier],
    registration_closes_at: datetime | None,
    now: datetime,
) -> Offer:
    title = title.strip()
    if not 5 <= len(title) <= 200:
        raise InvalidTrainingInput("Le titre compte de 5 à 200 caractères.", field="title")
    if theme not in {t.value for t in Theme}:
        raise InvalidTrainingInput(
            f"Thème inconnu : {theme!r} (voir la liste des thèmes).", field="theme"
        )
    if not 15 <= duration_minutes <= 60 * 24 * 5:
        raise InvalidTrainingInput(
            "La durée d'une formation va de 15 minutes à 5 jours.", field="duration_minutes"
        )
    if not 1 <= capacity <= MAX_CAPACITY:
        raise InvalidTrainingInput(
            f"La capacité va de 1 à {MAX_CAPACITY} personnes.", field="capacity"
        )
    if not 0 <= price_cents <= MAX_PRICE_CENTS:
        raise InvalidTrainingInput("Le prix par personne est invalide.", field="price_cents")
    if (place_insee is None) == (video_url is None):
        raise InvalidTrainingInput(
            "Une formation a un lieu (commune) ou un lien de visioconférence, l'un des deux.",
            field="place_insee",
        )
    if place_insee is not None and not (place_label or "").strip():
        raise InvalidTrainingInput(
            "Une formation sur place précise la salle (« Salle du conseil, mairie de … »).",
            field="place_label",
        )
    if video_url is not None and not video_url.startswith("https://"):
        raise InvalidTrainingInput(
            "Le lien de visioconférence commence par https://.", field="video_url"
        )
    if format is Format.E_LEARNING:
        if place_insee is not None:
            raise InvalidTrainingInput(
                "Une formation en ligne se suit par un lien, pas sur place.", field="format"
            )
    elif not sessions:
        raise InvalidTrainingInput(
            "Une formation (hors e-learning) a au moins une séance datée.", field="sessions"
        )
    if len(sessions) > MAX_SESSIONS:
        raise InvalidTrainingInput(
            f"Une formation a au plus {MAX_SESSIONS} séances.", field="sessions"
        )
    for session in sessions:
        _check_session_times(session.starts_at, session.ends_at, now)
    _check_no_overlap(sessions)
    check_tiers(group_tiers, price_cents, capacity)
    first = min((s.starts_at for s in sessions), default=None)
    if registration_closes_at is not None:
        if registration_closes_at <= now:
            raise InvalidTrainingInput(
                "La clôture des inscriptions est dans le futur.", field="registration_closes_at"
            )
        if first is not None and registration_closes_at > first:
            raise InvalidTrainingInput(
                "Les inscriptions closent au plus tard au début de la première séance.",
                field="registration_closes_at",
            )
    if group_tiers and registration_closes_at is None and first is None:
        raise InvalidTrainingInput(
            "Une offre groupée a une date de clôture des inscriptions, où son prix est arrêté.",
            field="registration_closes_at",
        )
    return Offer(
        id=offer_id,
        body_siren=body_siren,
        title=title,
        description=description.strip(),
        theme=theme,
        format=format,
        duration_minutes=duration_minutes,
        capacity=capacity,
        price_cents=price_cents,
        sessions=tuple(sorted(sessions, key=lambda s: s.starts_at)),
        place_insee=place_insee,
        place_label=(place_label or "").strip() or None,
        video_url=video_url,
        group_tiers=tuple(group_tiers),
        registration_closes_at=registration_closes_at,
        published_at=now,
    )


def cancel_offer(offer: Offer, now: datetime) -> Offer:
    if offer.cancelled_at is not None:
        raise InvalidTransition("Cette formation est déjà annulée.")
    starts = offer.starts_at()
    if starts is not None and starts <= now:
        raise InvalidTransition("Une formation commencée ne peut plus être annulée.")
    return replace(
        offer,
        cancelled_at=now,
        sessions=tuple(replace(s, cancelled=True) for s in offer.sessions),
    )
