"""« Mon agenda »: the person's coming dates from three services, as one list in time order.

Each service answers in its own shape (matching's sessions, lending's loans with their
half-days, training's journey of enrolments); here they become ``Entry`` values, so the
page and the iCalendar feed read one thing. Payloads are the services' JSON: a field a
service does not send raises ``KeyError``/``TypeError``, which the caller shows as that
service being unavailable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from deformations_common.vocabulary.french import PARIS, date_fr, time_fr
from deformations_contracts.values import HALF_DAY_MINUTES


@dataclass(frozen=True, slots=True)
class Entry:
    """One dated thing in the agenda; ``key`` is stable across calls (the page's anchor).

    ``session_id`` and ``sequence`` are those of the session's ``session.scheduled.v1``:
    the iCalendar file writes them as the mailed invitation does (same UID, same SEQUENCE).
    """

    key: str
    source: str  # "matching", "lending", "training"
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    href: str
    session_id: str
    sequence: int = 0

    @property
    def when(self) -> str:
        """« mardi 3 mars 2026, de 9 h à 12 h 30 », in Paris time."""
        end = self.ends_at.astimezone(PARIS)
        if end.date() != self.starts_at.astimezone(PARIS).date():
            return f"du {date_fr(self.starts_at)} à {time_fr(self.starts_at)} au {date_fr(end)}"
        return f"{date_fr(self.starts_at)}, de {time_fr(self.starts_at)} à {time_fr(end)}"


MATCHING_KINDS = {
    "peer_group": "Groupe de pairs",
    "cafe_elus_techniciens": "Café élus/techniciens",
    "speed_dating_round": "Soirée de rencontres entre élus",
    "loan_half_day": "Demi-journée de prêt",
    "training_session": "Séance de formation",
    "programme_session": "Séance de programme",
}
_HALF_DAY_STARTS = {"am": time(9, 0), "pm": time(14, 0)}
# A half-day of a loan still to come: neither held nor cancelled.
_COMING_HALF_DAY = frozenset({"scheduled", "confirmed"})


def _aware(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("a service sent a time without its zone")
    return moment


def _place(remote: bool, label: str | None) -> str:
    return "À distance" if remote else (label or "Lieu à préciser")


def from_matching(sessions: Iterable[dict[str, Any]], now: datetime) -> list[Entry]:
    entries = []
    for s in sessions:
        ends = _aware(s["ends_at"])
        if s.get("cancelled") or ends <= now:
            continue
        kind = MATCHING_KINDS.get(s["kind"], "Séance")
        entries.append(
            Entry(
                key=f"matching-{s['session_id']}",
                source="matching",
                title=f"{kind} : {s['title']}" if s.get("title") else kind,
                starts_at=_aware(s["starts_at"]),
                ends_at=ends,
                place=_place(bool(s.get("remote")), s.get("place_label")),
                # Matching has no page of its own for a session yet: its line in the agenda.
                href=f"/espace/agenda#matching-{s['session_id']}",
                session_id=str(s["session_id"]),
                sequence=int(s.get("sequence", 0)),
            )
        )
    return entries


def from_lending(loans: Iterable[dict[str, Any]], now: datetime) -> list[Entry]:
    """The half-days of the loans of the person's collectivité (lender or borrower)."""
    entries = []
    for loan in loans:
        what = f"Prêt de compétences : {loan['agent_role']} – {loan['theme_label']}"
        for s in loan["sessions"]:
            if s["status"] not in _COMING_HALF_DAY:
                continue
            starts = datetime.combine(
                date.fromisoformat(s["day"]), _HALF_DAY_STARTS[s["part"]], tzinfo=PARIS
            )
            ends = starts + timedelta(minutes=HALF_DAY_MINUTES)
            if ends <= now:
                continue
            entries.append(
                Entry(
                    key=f"lending-{s['id']}",
                    source="lending",
                    title=f"{what} ({loan['lender']['name']} → {loan['borrower']['name']})",
                    starts_at=starts,
                    ends_at=ends,
                    place=_place(bool(s.get("remote")), s.get("place_label")),
                    href=f"/seances/{s['id']}",
                    session_id=str(s["id"]),
                    sequence=int(s.get("sequence", 0)),
                )
            )
    return entries


def from_training(journey: Iterable[dict[str, Any]], now: datetime) -> list[Entry]:
    """The sessions of the offers she holds a confirmed place in (not the waitlist)."""
    entries = []
    for step in journey:
        offer, enrolment = step["offer"], step["enrolment"]
        if enrolment["status"] != "confirmed" or offer["cancelled"]:
            continue
        remote = offer.get("place_label") is None and offer.get("video_url") is not None
        for s in offer["sessions"]:
            ends = _aware(s["ends_at"])
            if s["cancelled"] or ends <= now:
                continue
            entries.append(
                Entry(
                    key=f"training-{s['id']}",
                    source="training",
                    title=f"Formation : {offer['title']}",
                    starts_at=_aware(s["starts_at"]),
                    ends_at=ends,
                    place=_place(remote, offer.get("place_label")),
                    href=f"/formations/{offer['id']}",
                    session_id=str(s["id"]),
                    sequence=int(s.get("sequence", 0)),
                )
            )
    return entries


def in_order(*groups: Iterable[Entry]) -> list[Entry]:
    """All entries soonest first; a date given twice (same key) is kept once."""
    seen: dict[str, Entry] = {}
    for group in groups:
        for entry in group:
            seen.setdefault(entry.key, entry)
    return sorted(seen.values(), key=lambda e: (e.starts_at, e.ends_at, e.title, e.key))
