"""Sessions matching planned (peer group, café, speed-dating evening): publish, move, cancel.

Every change republishes the session's full state with a higher ``sequence``, as lending
does, so that notifications sends an iCalendar update (REQUEST, SEQUENCE n) or a CANCEL.
Only the organiser of a session, or an operator, may change it.
"""

from datetime import datetime, timedelta
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from deformations_common.auth import Principal
from deformations_common.vocabulary.roles import Role
from deformations_contracts.events.sessions import (
    SessionCancelled,
    SessionRescheduled,
    SessionScheduled,
)
from deformations_matching.domain.errors import (
    NotAllowed,
    PastSession,
    PlaceRequired,
    SessionCancelledAlready,
    SessionPast,
    Unchanged,
    UnknownSession,
)
from deformations_matching.repositories.plans import SessionRow
from deformations_matching.service.uow import MatchingUow

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=300)]


class RescheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    starts_at: AwareDatetime
    duration_minutes: int | None = Field(
        default=None, ge=5, le=600, description="Omitted: the session keeps its duration."
    )
    remote: bool | None = Field(default=None, description="Omitted: unchanged.")
    place_label: Annotated[str, StringConstraints(min_length=3, max_length=200)] | None = None
    reason: Reason | None = None


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason


class SessionOut(BaseModel):
    session_id: UUID
    kind: str
    related_id: UUID
    title: str | None
    starts_at: datetime
    ends_at: datetime
    remote: bool
    place_label: str | None
    participants: list[str]
    sequence: int
    cancelled: bool


async def publish(uow: MatchingUow, session: SessionScheduled, *, organiser: str) -> None:
    """Store a new session with its organiser and publish it (``session.scheduled.v1``)."""
    await uow.plans.insert_session(session, organiser=organiser)
    await uow.emit(session)


def _out(row: SessionRow, state: dict[str, object]) -> SessionOut:
    return SessionOut.model_validate(
        {
            **state,
            "kind": row.kind,
            "sequence": row.sequence,
            "cancelled": row.cancelled_at is not None,
        }
    )


async def _changeable(uow: MatchingUow, principal: Principal, session_id: UUID) -> SessionRow:
    row = await uow.plans.get_session(session_id, lock=True)
    if row is None:
        raise UnknownSession("Cette séance n'existe pas.")
    if row.organiser != principal.sub and not principal.has_role(Role.OPERATOR):
        raise NotAllowed("Seul l'organisateur de la séance peut la modifier.")
    if row.cancelled_at is not None:
        raise SessionCancelledAlready("Cette séance est déjà annulée.")
    if row.state is None:
        raise UnknownSession("Cette séance, planifiée avant les modifications, ne peut changer.")
    return row


def _may_see(principal: Principal, row: SessionRow) -> bool:
    participants = (row.state or {}).get("participants", [])
    assert isinstance(participants, list)
    return (
        principal.sub == row.organiser
        or principal.sub in participants
        or principal.has_role(Role.OPERATOR)
    )


async def list_sessions(
    uow: MatchingUow, principal: Principal, related_id: UUID
) -> list[SessionOut]:
    """The sessions of a group, café pair or gathering that the person organises or attends."""
    rows = await uow.plans.sessions_related([related_id])
    return [_out(r, r.state) for r in rows if r.state is not None and _may_see(principal, r)]


async def my_coming_sessions(uow: MatchingUow, principal: Principal) -> list[SessionOut]:
    """The sessions the person organises or attends that are not over nor cancelled."""
    rows = await uow.plans.coming_sessions_of(principal.sub, uow.now())
    return [_out(r, r.state) for r in rows if r.state is not None]


async def get_session(uow: MatchingUow, principal: Principal, session_id: UUID) -> SessionOut:
    row = await uow.plans.get_session(session_id)
    if row is None or row.state is None:
        raise UnknownSession("Cette séance n'existe pas.")
    if not _may_see(principal, row):
        raise NotAllowed("Vous ne participez pas à cette séance.")
    return _out(row, row.state)


async def reschedule(
    uow: MatchingUow, principal: Principal, session_id: UUID, body: RescheduleIn
) -> SessionOut:
    """Move a session (and optionally its place): ``session.rescheduled.v1``, sequence + 1."""
    row = await _changeable(uow, principal, session_id)
    assert row.state is not None
    now = uow.now()
    if body.starts_at <= now:
        raise PastSession("Le nouvel horaire doit être dans le futur.")
    before = SessionScheduled.model_validate({**row.state, "sequence": 0, "scheduled_at": now})
    if before.ends_at <= now:
        raise SessionPast("Cette séance a déjà eu lieu.")
    duration = (
        timedelta(minutes=body.duration_minutes)
        if body.duration_minutes is not None
        else before.ends_at - before.starts_at
    )
    remote = before.remote if body.remote is None else body.remote
    place = body.place_label if body.place_label is not None else before.place_label
    if not remote and place is None:
        raise PlaceRequired("Une séance sur place a besoin d'un lieu.")
    ends = body.starts_at + duration
    if (body.starts_at, ends, remote, place) == (
        before.starts_at,
        before.ends_at,
        before.remote,
        before.place_label,
    ):
        raise Unchanged("La séance a déjà cet horaire et ce lieu.")
    state = {
        k: v for k, v in row.state.items() if k not in {"scheduled_at", "rescheduled_at", "reason"}
    }
    changed = SessionRescheduled.model_validate(
        {
            **state,
            "starts_at": body.starts_at,
            "ends_at": ends,
            "remote": remote,
            "place_label": place,
            "sequence": row.sequence + 1,
            "previous_starts_at": before.starts_at,
            "reason": body.reason,
            "rescheduled_at": now,
        }
    )
    await uow.plans.update_session(changed, cancelled_at=None)
    await uow.emit(changed)
    updated = await uow.plans.get_session(session_id)
    assert updated is not None
    return _out(updated, changed.model_dump(mode="json"))


async def cancel(
    uow: MatchingUow, principal: Principal, session_id: UUID, body: CancelIn
) -> SessionOut:
    """Cancel a session: ``session.cancelled.v1`` with sequence + 1 (an iCalendar CANCEL)."""
    row = await _changeable(uow, principal, session_id)
    assert row.state is not None
    now = uow.now()
    state = {
        k: v for k, v in row.state.items() if k not in {"scheduled_at", "rescheduled_at", "reason"}
    }
    state.pop("previous_starts_at", None)
    cancelled = SessionCancelled.model_validate(
        {**state, "sequence": row.sequence + 1, "reason": body.reason, "cancelled_at": now}
    )
    if cancelled.ends_at <= now:
        raise SessionPast("Cette séance a déjà eu lieu.")
    await uow.plans.update_session(cancelled, cancelled_at=now)
    await uow.emit(cancelled)
    updated = await uow.plans.get_session(session_id)
    assert updated is not None
    return _out(updated, cancelled.model_dump(mode="json"))
