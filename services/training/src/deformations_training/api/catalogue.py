"""Training bodies, offers and their sessions, and the search."""

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from deformations_common.auth import CurrentPrincipal, OptionalPrincipal
from deformations_common.vocabulary.french import as_paris
from deformations_contracts.types import Modality, TimeSlot
from deformations_training.api.common import RuntimeDep, actor
from deformations_training.api.schemas import (
    BodyIn,
    BodyOut,
    FoundOut,
    MoveIn,
    OfferIn,
    OfferOut,
    ReasonIn,
)
from deformations_training.domain.errors import InvalidTrainingInput
from deformations_training.domain.offers import Format
from deformations_training.domain.search import Criteria, Proximity
from deformations_training.service import offers
from deformations_training.service.uow import TrainingUow

router = APIRouter(prefix="/v1", tags=["catalogue"])

WITHIN = {
    "commune": Proximity.SAME_COMMUNE,
    "epci": Proximity.SAME_EPCI,
    "departement": Proximity.SAME_DEPARTEMENT,
    "region": Proximity.SAME_REGION,
    "partout": Proximity.ELSEWHERE,
}


@router.post("/bodies", status_code=status.HTTP_201_CREATED)
async def register_body(body: BodyIn, runtime: RuntimeDep, principal: CurrentPrincipal) -> BodyOut:
    """Enregistrer un organisme de formation (opérateur)."""
    async with runtime.begin(TrainingUow) as uow:
        registered = await offers.register(
            uow,
            actor(principal),
            siren=body.siren,
            name=body.name,
            agrement_reference=body.agrement_reference,
            agrement_until=body.agrement_until,
        )
        return BodyOut.of(registered, as_paris(uow.now()).date())


@router.get("/bodies")
async def list_bodies(runtime: RuntimeDep, principal: CurrentPrincipal) -> list[BodyOut]:
    async with runtime.begin(TrainingUow) as uow:
        today = as_paris(uow.now()).date()
        return [BodyOut.of(b, today) for b in await offers.list_bodies(uow)]


@router.post("/bodies/{body_siren}/offers", status_code=status.HTTP_201_CREATED)
async def publish_offer(
    body_siren: str, body: OfferIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> OfferOut:
    """Publier une formation de l'organisme (formateur de l'organisme)."""
    async with runtime.begin(TrainingUow) as uow:
        offer = await offers.publish(
            uow,
            actor(principal),
            body_siren=body_siren,
            title=body.title,
            description=body.description,
            theme=body.theme,
            format=body.format,
            duration_minutes=body.duration_minutes,
            capacity=body.capacity,
            price_cents=body.price_cents,
            sessions=[(s.starts_at, s.ends_at) for s in body.sessions],
            place_insee=body.place_insee,
            place_label=body.place_label,
            video_url=body.video_url,
            group_tiers=[(t.min_group_size, t.price_cents) for t in body.group_tiers],
            registration_closes_at=body.registration_closes_at,
        )
        return OfferOut.of(offer)


@router.get("/bodies/{body_siren}/offers")
async def offers_of_body(
    body_siren: str, runtime: RuntimeDep, principal: CurrentPrincipal
) -> list[OfferOut]:
    async with runtime.begin(TrainingUow) as uow:
        return [OfferOut.of(o) for o in await offers.of_body(uow, body_siren)]


@router.get("/offers/search")
async def search_offers(
    runtime: RuntimeDep,
    principal: OptionalPrincipal,
    theme: str | None = None,
    format: Format | None = None,
    from_day: Annotated[date | None, Query(alias="from")] = None,
    to_day: Annotated[date | None, Query(alias="to")] = None,
    near: str | None = None,
    within: str = "partout",
    slot: Annotated[list[TimeSlot] | None, Query()] = None,
    modality: Modality | None = None,
    minutes: Annotated[
        int | None, Query(ge=0, le=60 * 24 * 31, description="Temps disponible par mois.")
    ] = None,
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
) -> list[FoundOut]:
    """Chercher une formation : thème, format, dates, distance (COG) et « ça rentre dans
    mon agenda » : les créneaux du quiz (``slot=evening&slot=lunch``) et le temps dont
    l'élu dispose par mois (``minutes=180`` : pas de formation plus longue).

    Le catalogue des formations ouvertes est public (la page de résultat anonyme de
    l'autodiagnostic y renvoie) ; sans jeton, le lien de visioconférence est masqué."""
    if within not in WITHIN:
        raise InvalidTrainingInput(
            "Distance inconnue : commune, epci, departement, region ou partout.", field="within"
        )
    async with runtime.begin(TrainingUow) as uow:
        place = uow.places.place_of(near) if near else None
        if near and place is None:
            raise InvalidTrainingInput(f"Code INSEE inconnu : {near!r}.", field="near")
        criteria = Criteria(
            theme=theme,
            format=format,
            from_day=from_day,
            to_day=to_day,
            near=place,
            within=WITHIN[within],
            time_slots=frozenset(slot or ()),
            modality=modality,
            minutes_per_month=minutes,
        )
        found = [FoundOut.of(f) for f in await offers.find(uow, criteria)][:limit]
        if principal is None:
            return [f.without_video_link() for f in found]
        return found


@router.get("/offers/{offer_id}")
async def get_offer(offer_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal) -> OfferOut:
    async with runtime.begin(TrainingUow) as uow:
        return OfferOut.of(await offers.get(uow, offer_id))


@router.post("/offers/{offer_id}/cancel")
async def cancel_offer(
    offer_id: UUID, body: ReasonIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> OfferOut:
    async with runtime.begin(TrainingUow) as uow:
        return OfferOut.of(await offers.cancel(uow, actor(principal), offer_id, body.reason))


@router.post("/offers/{offer_id}/sessions/{session_id}/move")
async def move_session(
    offer_id: UUID, session_id: UUID, body: MoveIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> OfferOut:
    async with runtime.begin(TrainingUow) as uow:
        moved = await offers.reschedule_session(
            uow, actor(principal), offer_id, session_id, body.starts_at, body.ends_at, body.reason
        )
        return OfferOut.of(moved)


@router.post("/offers/{offer_id}/sessions/{session_id}/cancel")
async def cancel_session(
    offer_id: UUID,
    session_id: UUID,
    body: ReasonIn,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
) -> OfferOut:
    async with runtime.begin(TrainingUow) as uow:
        changed = await offers.cancel_session(
            uow, actor(principal), offer_id, session_id, body.reason
        )
        return OfferOut.of(changed)
