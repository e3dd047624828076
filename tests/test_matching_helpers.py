"""Helpers of the matching tests: events as lending and diagnosis publish them, on the
real broker, and the communes of a real EPCI (CC du Crestois et de Pays de Saillans)."""

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import aio_pika
import jsonschema
from platform_harness import Platform

from deformations_common.codec import encode
from deformations_contracts.base import EventData
from deformations_contracts.events.diagnosis import Availability, DiagnosisCompleted, NextStep
from deformations_contracts.events.lending import (
    ReimbursementBasis,
    SkillOffered,
    SkillRequested,
    SkillVisibility,
)
from deformations_contracts.types import Modality, TimeSlot
from deformations_contracts.values import CollectiviteRef, Period, WeekdayHalfDay
from deformations_devtools.testing import wait_until

SCHEMAS = Path(__file__).parents[1] / "contracts" / "schemas"
EPCI = "200040509"
# (INSEE, SIREN) of communes of the EPCI above.
CREST = ("26108", "212601082")
SAILLANS = ("26289", "938438454")
AOUSTE = ("26011", "212600118")
MIRABEL = ("26183", "212601835")
PIEGROS = ("26234", "212602346")
COMMUNES = [CREST, SAILLANS, AOUSTE, MIRABEL, PIEGROS]


async def publish(platform: Platform, event: EventData, *, source: str | None = None) -> UUID:
    """Publish an event on the test's exchange as its producer's relay would."""
    message = encode(event, source=source or event.producer)
    await platform.publish(message)
    return message.event_id


def where(commune: tuple[str, str]) -> CollectiviteRef:
    return CollectiviteRef(siren=commune[1], insee_code=commune[0], epci_siren=EPCI)


def offered(
    commune: tuple[str, str] = CREST,
    *,
    theme: str = "alimentation",
    description: str = "Notre technicienne de la cuisine centrale accompagne l'introduction "
    "de produits bio et locaux en restauration scolaire.",
    offer_id: UUID | None = None,
    capacity: int = 6,
    period: Period | None = None,
) -> SkillOffered:
    return SkillOffered(
        offer_id=offer_id or uuid4(),
        collectivite=where(commune),
        theme=theme,
        description=description,
        agent_role="Technicienne restauration collective",
        skill_visibility=SkillVisibility.VISIBLE,
        capacity_half_days=capacity,
        # Dates from today: past its end, an offer is no longer proposed.
        period=period or Period(start=date.today(), end=date.today() + timedelta(days=180)),
        possible_half_days=[WeekdayHalfDay(weekday=2, part="am")],
        modality=Modality.ON_SITE,
        reimbursement_basis=ReimbursementBasis.SALARY_COSTS,
        offered_at=datetime.now(UTC),
    )


def requested(
    commune: tuple[str, str] = SAILLANS,
    *,
    theme: str = "alimentation",
    need: str = "Nous voulons des produits bio et locaux à la cantine scolaire de l'école.",
    request_id: UUID | None = None,
    half_days: int = 2,
) -> SkillRequested:
    return SkillRequested(
        request_id=request_id or uuid4(),
        collectivite=where(commune),
        theme=theme,
        need=need,
        period=Period(start=date.today(), end=date.today() + timedelta(days=120)),
        half_days_wanted=half_days,
        preferred_half_days=[WeekdayHalfDay(weekday=2, part="am")],
        modality=Modality.EITHER,
        requested_at=datetime.now(UTC),
    )


def diagnosed(
    person: str,
    commune: tuple[str, str] = CREST,
    *,
    themes: tuple[str, ...] = ("alimentation",),
    slots: tuple[TimeSlot, ...] = (TimeSlot.EVENING,),
    reseau: float = 20.0,
    half_days: int = 1,
) -> DiagnosisCompleted:
    return DiagnosisCompleted(
        response_id=uuid4(),
        questionnaire_version="2026.1",
        person_id=person,
        collectivite_siren=commune[1],
        commune_insee=commune[0],
        family="solidaire",
        clear_cut=0.5,
        axis_scores={"vision": 60.0, "reseau": reseau, "echelle": 30.0, "pratique": 30.0},
        priority_themes=list(themes),
        availability=Availability(
            time_slots=list(slots), modality=Modality.EITHER, half_days_per_month=half_days
        ),
        next_steps=[
            NextStep(recipe_code="t06_cafe_elus_techniciens", format="cafe", label="Un café")
        ],
        completed_at=datetime.now(UTC) - timedelta(minutes=5),
    )


def validated(message: aio_pika.abc.AbstractIncomingMessage, routing_key: str) -> dict[str, Any]:
    """The event data, checked against its committed JSON Schema."""
    data: dict[str, Any] = json.loads(message.body)
    schema = json.loads((SCHEMAS / f"{routing_key}.json").read_text())
    jsonschema.validate(data, schema)
    return data


async def drain(
    queue: aio_pika.abc.AbstractQueue,
    routing_key: str,
    count: int,
    *,
    headers: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """``count`` events from a tap, each validated against its schema (and their headers)."""
    out: list[dict[str, Any]] = []

    async def received() -> bool:
        message = await queue.get(fail=False)
        if message is not None:
            await message.ack()
            out.append(validated(message, routing_key))
            if headers is not None:
                headers.append(dict(message.headers or {}))
        return len(out) >= count

    await wait_until(received, what=f"{count} {routing_key} event(s)")
    return out
