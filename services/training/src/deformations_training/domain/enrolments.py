"""Enrolments: a place within capacity, or the ordered waitlist; attendance.

States::

    (enrol) ──> CONFIRMED ──(cancel)──> CANCELLED
        │           ▲
        └─> WAITLISTED ──(a place frees up, first in line)──┘
                   └──(cancel)──> CANCELLED

The waitlist is ordered by the time of the request (then by id, for ties): whenever
confirmed enrolments fall below capacity, the first ones in line are promoted, in
order. The repository serialises every change of one offer's enrolments (a row lock
on the offer), so the count these functions are given is the truth of that moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from deformations_training.domain.errors import InvalidTrainingInput, InvalidTransition
from deformations_training.domain.offers import Offer


class EnrolmentStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Enrolment:
    id: UUID
    offer_id: UUID
    person_id: str
    collectivite_siren: str | None
    group_id: UUID | None
    status: EnrolmentStatus
    requested_at: datetime
    price_cents: int
    confirmed_at: datetime | None = None
    cancelled_at: datetime | None = None
    # Who asked for it: the élu, or the RH or secrétaire of their collectivité.
    enrolled_by: str | None = None
    attended: frozenset[UUID] = frozenset()

    @property
    def active(self) -> bool:
        return self.status is not EnrolmentStatus.CANCELLED


def admission(offer: Offer, confirmed: int, now: datetime) -> EnrolmentStatus:
    """Where a new enrolment goes: a place while one is left, the waitlist after."""
    offer.ensure_open(now)
    return EnrolmentStatus.CONFIRMED if confirmed < offer.capacity else EnrolmentStatus.WAITLISTED


def enrol(
    *,
    enrolment_id: UUID,
    offer: Offer,
    person_id: str,
    collectivite_siren: str | None,
    group_id: UUID | None,
    confirmed: int,
    price_cents: int,
    enrolled_by: str,
    now: datetime,
) -> Enrolment:
    status = admission(offer, confirmed, now)
    return Enrolment(
        id=enrolment_id,
        offer_id=offer.id,
        person_id=person_id,
        collectivite_siren=collectivite_siren,
        group_id=group_id,
        status=status,
        requested_at=now,
        price_cents=price_cents,
        confirmed_at=now if status is EnrolmentStatus.CONFIRMED else None,
        enrolled_by=enrolled_by,
    )


def cancel(enrolment: Enrolment, offer: Offer, now: datetime) -> Enrolment:
    if enrolment.status is EnrolmentStatus.CANCELLED:
        raise InvalidTransition("Cette inscription est déjà annulée.")
    starts = offer.starts_at()
    if offer.cancelled_at is None and starts is not None and starts <= now:
        raise InvalidTransition("La formation a commencé : l'inscription ne s'annule plus.")
    return replace(enrolment, status=EnrolmentStatus.CANCELLED, cancelled_at=now)


def promotions(capacity: int, confirmed: int, waitlist: Sequence[Enrolment]) -> list[Enrolment]:
    """The waitlisted enrolments that get the free places, first in line first."""
    free = max(0, capacity - confirmed)
    ordered = sorted(waitlist, key=lambda e: (e.requested_at, str(e.id)))
    return [e for e in ordered if e.status is EnrolmentStatus.WAITLISTED][:free]


def promote(enrolment: Enrolment, price_cents: int, now: datetime) -> Enrolment:
    if enrolment.status is not EnrolmentStatus.WAITLISTED:
        raise InvalidTransition("Seule une inscription en liste d'attente peut être promue.")
    return replace(
        enrolment, status=EnrolmentStatus.CONFIRMED, confirmed_at=now, price_cents=price_cents
    )


def record_attendance(
    enrolment: Enrolment, offer: Offer, session_id: UUID, present: bool, now: datetime
) -> Enrolment:
    """The trainer's register: present or absent at one session that has begun."""
    if enrolment.status is not EnrolmentStatus.CONFIRMED:
        raise InvalidTransition("Seule une inscription confirmée a une présence.")
    session = offer.session(session_id)
    if session.cancelled:
        raise InvalidTransition("Cette séance a été annulée.")
    if session.starts_at > now:
        raise InvalidTrainingInput("La présence se note une fois la séance commencée.")
    attended = enrolment.attended | {session_id} if present else enrolment.attended - {session_id}
    return replace(enrolment, attended=frozenset(attended))


def followed(enrolment: Enrolment, offer: Offer) -> bool:
    """The élu followed the offer: present at a session (any, for e-learning: confirmed)."""
    if enrolment.status is not EnrolmentStatus.CONFIRMED:
        return False
    if not offer.active_sessions():
        return True
    return bool(enrolment.attended)
