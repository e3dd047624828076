"""The « à la carte » cycle: rebonds and journeys; questionnaires and their results."""

from uuid import UUID

from fastapi import APIRouter, status

from deformations_common.auth import CurrentPrincipal
from deformations_training.api.common import RuntimeDep, actor
from deformations_training.api.schemas import (
    AnswersIn,
    EvaluationOut,
    RebondAnswerIn,
    RebondIn,
    RebondOut,
    ResultsOut,
    StepOut,
)
from deformations_training.service import evaluations, journey
from deformations_training.service.uow import TrainingUow

router = APIRouter(prefix="/v1", tags=["parcours"])


@router.post("/enrolments/{enrolment_id}/rebond", status_code=status.HTTP_201_CREATED)
async def propose_rebond(
    enrolment_id: UUID, body: RebondIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> RebondOut:
    """Débrief du formateur et rebond sur mesure, à l'issue du module."""
    async with runtime.begin(TrainingUow) as uow:
        rebond = await journey.propose(
            uow,
            actor(principal),
            enrolment_id,
            kind=body.kind,
            offer_id=body.offer_id,
            debrief=body.debrief,
            proposal=body.proposal,
        )
        return RebondOut.of(rebond)


@router.post("/rebonds/{rebond_id}/answer")
async def answer_rebond(
    rebond_id: UUID, body: RebondAnswerIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> RebondOut:
    """À prendre ou à laisser : prendre un module inscrit l'élu."""
    async with runtime.begin(TrainingUow) as uow:
        answered = await journey.answer(uow, actor(principal), rebond_id, take=body.take)
        return RebondOut.of(answered.rebond, answered.enrolment)


@router.get("/people/{person_id}/journey")
async def person_journey(
    person_id: str, runtime: RuntimeDep, principal: CurrentPrincipal
) -> list[StepOut]:
    async with runtime.begin(TrainingUow) as uow:
        return [StepOut.of(s) for s in await journey.of_person(uow, actor(principal), person_id)]


@router.get("/people/{person_id}/rebonds")
async def person_rebonds(
    person_id: str, runtime: RuntimeDep, principal: CurrentPrincipal
) -> list[RebondOut]:
    async with runtime.begin(TrainingUow) as uow:
        return [RebondOut.of(r) for r in await journey.rebonds_of(uow, actor(principal), person_id)]


@router.get("/people/{person_id}/evaluations")
async def open_evaluations(
    person_id: str, runtime: RuntimeDep, principal: CurrentPrincipal
) -> list[EvaluationOut]:
    """Les questionnaires ouverts de la personne."""
    async with runtime.begin(TrainingUow) as uow:
        found = await evaluations.open_for(uow, actor(principal), person_id)
        return [EvaluationOut.of(e) for e in found]


@router.post("/evaluations/{evaluation_id}/answers")
async def answer_evaluation(
    evaluation_id: UUID, body: AnswersIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> EvaluationOut:
    async with runtime.begin(TrainingUow) as uow:
        answered = await evaluations.answer(uow, actor(principal), evaluation_id, body.answers)
        return EvaluationOut.of(answered)


@router.get("/offers/{offer_id}/results")
async def offer_results(
    offer_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> list[ResultsOut]:
    """Satisfaction et impact d'une formation (à partir de 3 réponses)."""
    async with runtime.begin(TrainingUow) as uow:
        found = await evaluations.results(uow, actor(principal), offer_id=offer_id, body_siren=None)
        return [ResultsOut.of(r) for r in found]


@router.get("/bodies/{body_siren}/results")
async def body_results(
    body_siren: str, runtime: RuntimeDep, principal: CurrentPrincipal
) -> list[ResultsOut]:
    async with runtime.begin(TrainingUow) as uow:
        found = await evaluations.results(
            uow, actor(principal), offer_id=None, body_siren=body_siren
        )
        return [ResultsOut.of(r) for r in found]
