"""Use cases of questionnaires: the élu's own, their answers, results from 3 answers."""

from collections.abc import Mapping
from uuid import UUID

from deformations_training import events
from deformations_training.domain import evaluations as rules
from deformations_training.domain.errors import InvalidTrainingInput, NotFound
from deformations_training.domain.evaluations import Evaluation, EvaluationKind, Results
from deformations_training.domain.policy import Actor, may_act_for_person, may_manage_body
from deformations_training.service import offers as offer_cases
from deformations_training.service.uow import TrainingUow


async def open_for(uow: TrainingUow, actor: Actor, person_id: str) -> list[Evaluation]:
    """The person's questionnaires that are due and not answered yet."""
    may_act_for_person(actor, person_id)
    now = uow.now()
    return [
        e
        for e in await uow.evaluations.of_person(person_id)
        if e.answered_at is None and e.due_at <= now
    ]


async def answer(
    uow: TrainingUow, actor: Actor, evaluation_id: UUID, answers: Mapping[str, int]
) -> Evaluation:
    evaluation = await uow.evaluations.get(evaluation_id, for_update=True)
    if evaluation is None:
        raise NotFound("Ce questionnaire n'existe pas.", evaluation_id=str(evaluation_id))
    may_act_for_person(actor, evaluation.person_id)
    answered = rules.answer(evaluation, answers, uow.now())
    await uow.evaluations.save_answers(answered)
    offer = await offer_cases.get(uow, answered.offer_id)
    enrolment = await uow.enrolments.get(answered.enrolment_id)
    # In the answer's transaction: the statistics count every answer, once.
    await uow.emit(
        events.evaluation_answered(
            answered, offer, enrolment.collectivite_siren if enrolment else None
        )
    )
    return answered


async def results(
    uow: TrainingUow, actor: Actor, *, offer_id: UUID | None, body_siren: str | None
) -> list[Results]:
    """Per offer or per body, each questionnaire's means, shown only from 3 answers."""
    if (offer_id is None) == (body_siren is None):
        raise InvalidTrainingInput("Demandez les résultats d'une formation ou d'un organisme.")
    if offer_id is not None:
        body_siren_checked = (await offer_cases.get(uow, offer_id)).body_siren
    else:
        assert body_siren is not None
        body_siren_checked = body_siren
    may_manage_body(actor, body_siren_checked)
    return [
        rules.results(
            kind, await uow.evaluations.answers_for(kind, offer_id=offer_id, body_siren=body_siren)
        )
        for kind in EvaluationKind
    ]
