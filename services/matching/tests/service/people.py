"""Élus of the CC du Crestois et de Pays de Saillans, and their diagnoses, for use-case tests."""

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from deformations_common.auth import Principal
from deformations_contracts.events.diagnosis import Availability, DiagnosisCompleted, NextStep
from deformations_contracts.events.people import (
    MembershipChanged,
    MembershipRole,
    MembershipStatus,
)
from deformations_contracts.types import Modality, TimeSlot

EPCI = "200040509"
# (INSEE, SIREN) of communes of the EPCI.
CREST = ("26108", "212601082")
SAILLANS = ("26289", "938438454")
AOUSTE = ("26011", "212600118")
MIRABEL = ("26183", "212601835")
PIEGROS = ("26234", "212602346")
AUREL = ("26019", "212600191")
COMMUNES = [CREST, SAILLANS, AOUSTE, MIRABEL, PIEGROS, AUREL]


def elected(sub: str, authority: str | None = None) -> Principal:
    return Principal(sub=sub, authority=authority, roles=frozenset({"elected"}))


def with_roles(sub: str, *roles: str, authority: str | None = None) -> Principal:
    return Principal(sub=sub, authority=authority, roles=frozenset(roles))


def diagnosis(
    person: str,
    commune: tuple[str, str],
    at: datetime,
    *,
    theme: str = "alimentation",
    slot: TimeSlot = TimeSlot.EVENING,
) -> DiagnosisCompleted:
    return DiagnosisCompleted(
        response_id=uuid4(),
        questionnaire_version="test",
        person_id=person,
        collectivite_siren=commune[1],
        commune_insee=commune[0],
        family="solidaire",
        clear_cut=0.6,
        axis_scores={"reseau": 25.0, "echelle": 35.0, "pratique": 40.0, "vision": 70.0},
        priority_themes=[theme],
        availability=Availability(
            time_slots=[slot], modality=Modality.EITHER, half_days_per_month=1
        ),
        next_steps=[NextStep(recipe_code="t07_groupe_entraide", format="groupe", label="Pairs")],
        completed_at=at,
    )


def membership(
    person: str,
    siren: str,
    at: datetime,
    *,
    status: MembershipStatus = MembershipStatus.VALIDATED,
    role: MembershipRole = MembershipRole.ELECTED,
    membership_id: UUID | None = None,
) -> MembershipChanged:
    """A membership as the portal publishes it."""
    return MembershipChanged(
        membership_id=membership_id or uuid5(NAMESPACE_URL, f"{person}@{siren}"),
        person_id=person,
        siren=siren,
        role=role,
        status=status,
        changed_at=at,
    )
