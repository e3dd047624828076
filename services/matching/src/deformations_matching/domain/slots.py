"""Common time slots of a group ("horaires décalés"), or who blocks when there is none."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from deformations_contracts.types import Modality, TimeSlot
from deformations_matching.domain.model import Availability

SLOT_LABELS: Mapping[str, str] = {
    TimeSlot.EARLY_MORNING: "tôt le matin",
    TimeSlot.MORNING: "le matin",
    TimeSlot.LUNCH: "à la pause déjeuner",
    TimeSlot.AFTERNOON: "l'après-midi",
    TimeSlot.EVENING: "en soirée",
    TimeSlot.WEEKEND: "le week-end",
}
_DAYS = {"mon": "lundi", "tue": "mardi", "wed": "mercredi", "thu": "jeudi", "fri": "vendredi"}
_PARTS = {"am": "matin", "pm": "après-midi"}
MODALITY_LABELS: Mapping[Modality, str] = {
    Modality.ON_SITE: "sur place",
    Modality.REMOTE: "à distance",
    Modality.EITHER: "sur place ou à distance",
}


def slot_label(slot: str) -> str:
    """French label of a slot key: a ``TimeSlot`` or a weekday half-day such as ``tue_am``."""
    if slot in SLOT_LABELS:
        return SLOT_LABELS[slot]
    day, _, part = slot.partition("_")
    if day in _DAYS and part in _PARTS:
        return f"{_DAYS[day]} {_PARTS[part]}"
    return slot


def _slot_order(slot: str) -> tuple[int, str]:
    order = list(SLOT_LABELS)
    return (order.index(slot) if slot in SLOT_LABELS else len(order), slot)


@dataclass(frozen=True, slots=True)
class SlotReport:
    """The outcome for a group: common slots and modalities, or the blockers and why."""

    slots: tuple[str, ...]
    modalities: tuple[Modality, ...]
    # For each candidate slot (when none is common): the members who cannot attend it.
    blockers: Mapping[str, tuple[str, ...]]
    # Members whose modality excludes everyone else's (on site only vs remote only).
    modality_blockers: tuple[str, ...]
    explanation: str

    @property
    def found(self) -> bool:
        return bool(self.slots) and bool(self.modalities)


def common_modalities(modalities: Sequence[Modality]) -> tuple[Modality, ...]:
    """Modalities every member accepts (``EITHER`` accepts both)."""
    result = []
    for modality in (Modality.ON_SITE, Modality.REMOTE):
        if all(m in (modality, Modality.EITHER) for m in modalities):
            result.append(modality)
    return tuple(result)


def common_slots(
    members: Mapping[str, Availability], candidates: Sequence[str] | None = None
) -> SlotReport:
    """Slots that every member can attend, in a fixed order; otherwise who blocks each slot.

    A member with no slot given is taken as available at any slot. ``candidates``
    restricts the slots considered (default: every slot someone gave).
    """
    if not members:
        return SlotReport((), (), {}, (), "Aucun membre : rien à planifier.")
    constrained = {person: a.slots for person, a in members.items() if a.slots}
    pool = set(candidates) if candidates is not None else set().union(*constrained.values())
    if not constrained and candidates is None:
        pool = set(SLOT_LABELS)
    ordered = sorted(pool, key=_slot_order)
    blockers = {
        slot: tuple(sorted(p for p, given in constrained.items() if slot not in given))
        for slot in ordered
    }
    slots = tuple(slot for slot in ordered if not blockers[slot])
    modalities = common_modalities([a.modality for a in members.values()])
    modality_blockers: tuple[str, ...] = ()
    if not modalities:
        on_site = sorted(p for p, a in members.items() if a.modality == Modality.ON_SITE)
        remote = sorted(p for p, a in members.items() if a.modality == Modality.REMOTE)
        modality_blockers = tuple(on_site if len(on_site) <= len(remote) else remote)
    explanation = _explain(slots, modalities, blockers, modality_blockers, len(members))
    return SlotReport(
        slots=slots,
        modalities=modalities,
        blockers={} if slots else blockers,
        modality_blockers=modality_blockers,
        explanation=explanation,
    )


def _explain(
    slots: tuple[str, ...],
    modalities: tuple[Modality, ...],
    blockers: Mapping[str, tuple[str, ...]],
    modality_blockers: tuple[str, ...],
    size: int,
) -> str:
    parts = []
    if slots:
        parts.append("Créneaux communs : " + ", ".join(slot_label(s) for s in slots) + ".")
    elif blockers:
        best = min(blockers, key=lambda s: (len(blockers[s]), _slot_order(s)))
        missing = blockers[best]
        parts.append(
            "Aucun créneau commun. Le plus proche : "
            f"{slot_label(best)} ({size - len(missing)} sur {size} disponibles) ; "
            "empêché(s) : " + ", ".join(missing) + "."
        )
    else:
        parts.append("Aucun créneau proposé par les membres.")
    if modalities:
        parts.append(
            "Modalité possible : " + " ou ".join(MODALITY_LABELS[m] for m in modalities) + "."
        )
    else:
        parts.append(
            "Aucune modalité commune (certains seulement sur place, d'autres seulement "
            "à distance) ; à convaincre : " + ", ".join(modality_blockers) + "."
        )
    return " ".join(parts)


def blocking_members(report: SlotReport) -> tuple[str, ...]:
    """Who stands in the way when no slot is common: the members missing from the closest
    slots (those the fewest members cannot attend), plus the modality blockers."""
    if report.found or not report.blockers:
        return tuple(sorted(report.modality_blockers)) if not report.found else ()
    fewest = min(len(people) for people in report.blockers.values())
    closest = {p for people in report.blockers.values() if len(people) == fewest for p in people}
    return tuple(sorted(closest | set(report.modality_blockers)))
