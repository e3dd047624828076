"""Programmes: any recipe of the booklet run step by step, and the carnet de bord."""

from uuid import UUID

from fastapi import APIRouter, status
from pydantic import AwareDatetime

from deformations_common.auth import CurrentPrincipal
from deformations_contracts.catalogue.programmes import load_programmes
from deformations_contracts.catalogue.recipes import load_catalogue
from deformations_training.api.common import RuntimeDep, actor
from deformations_training.api.programme_schemas import (
    AgendaItemOut,
    AnswerIn,
    CancelIn,
    CodevOutputOut,
    CriterionOut,
    EntryIn,
    EntryOut,
    InviteIn,
    MaterialIn,
    MaterialOut,
    ProgrammeIn,
    ProgrammeOut,
    ProgrammeSessionIn,
    ProgrammeSessionOut,
    RecipeOut,
    RescheduleIn,
    ReviewIn,
    ShareIn,
    StepFinishIn,
    ToolboxOut,
)
from deformations_training.domain.codev import CHARTER, session_agenda
from deformations_training.service import carnet, programmes
from deformations_training.service.programmes import Invitee, PlannedSession
from deformations_training.service.uow import TrainingUow

router = APIRouter(prefix="/v1", tags=["programmes"])


@router.get("/recipes")
async def recipes() -> list[RecipeOut]:
    """Les recettes du livret : leurs étapes, ou l'outil de la plateforme qui les mène."""
    catalogue = load_catalogue()
    return [RecipeOut.of(r, catalogue.title_of(r.code)) for r in load_programmes().programmes]


@router.post("/programmes", status_code=status.HTTP_201_CREATED)
async def start(
    body: ProgrammeIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> ProgrammeOut:
    async with runtime.begin(TrainingUow) as uow:
        started = await programmes.start(
            uow,
            actor(principal),
            recipe_code=body.recipe_code,
            territory_siren=body.territory_siren,
            title=body.title,
        )
        return ProgrammeOut.of(started)


@router.get("/programmes")
async def mine(runtime: RuntimeDep, principal: CurrentPrincipal) -> list[ProgrammeOut]:
    """Les programmes que j'anime ou auxquels je suis invité."""
    async with runtime.begin(TrainingUow) as uow:
        return [ProgrammeOut.of(p) for p in await programmes.of_person(uow, actor(principal))]


@router.get("/programmes/{programme_id}")
async def one(programme_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal) -> ProgrammeOut:
    async with runtime.begin(TrainingUow) as uow:
        return ProgrammeOut.of(await programmes.get(uow, actor(principal), programme_id))


@router.post("/programmes/{programme_id}/invitations")
async def invite(
    programme_id: UUID, body: InviteIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> ProgrammeOut:
    async with runtime.begin(TrainingUow) as uow:
        people = [Invitee(p.person_id, p.collectivite_siren) for p in body.people]
        return ProgrammeOut.of(await programmes.invite(uow, actor(principal), programme_id, people))


@router.post("/programmes/{programme_id}/invitation")
async def answer(
    programme_id: UUID, body: AnswerIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> ProgrammeOut:
    """Accepter ou décliner l'invitation."""
    async with runtime.begin(TrainingUow) as uow:
        return ProgrammeOut.of(
            await programmes.answer_invitation(
                uow,
                actor(principal),
                programme_id,
                accept=body.accept,
                charter_accepted=body.charter_accepted,
            )
        )


@router.post("/programmes/{programme_id}/steps/{key}/start")
async def start_step(
    programme_id: UUID, key: str, runtime: RuntimeDep, principal: CurrentPrincipal
) -> ProgrammeOut:
    async with runtime.begin(TrainingUow) as uow:
        return ProgrammeOut.of(
            await programmes.start_step(uow, actor(principal), programme_id, key)
        )


@router.post("/programmes/{programme_id}/steps/{key}/finish")
async def finish_step(
    programme_id: UUID,
    key: str,
    body: StepFinishIn,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
) -> ProgrammeOut:
    async with runtime.begin(TrainingUow) as uow:
        return ProgrammeOut.of(
            await programmes.finish_step(
                uow, actor(principal), programme_id, key, skipped=body.skipped
            )
        )


@router.post("/programmes/{programme_id}/materials", status_code=status.HTTP_201_CREATED)
async def add_material(
    programme_id: UUID, body: MaterialIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> MaterialOut:
    """Ce qu'une étape a produit : notes, lien, fichier texte."""
    async with runtime.begin(TrainingUow) as uow:
        material = await programmes.add_material(
            uow,
            actor(principal),
            programme_id,
            step_key=body.step_key,
            kind=body.kind,
            title=body.title,
            body=body.body,
        )
        return MaterialOut.of(material)


@router.post("/programmes/{programme_id}/sessions", status_code=status.HTTP_201_CREATED)
async def plan_session(
    programme_id: UUID, body: ProgrammeSessionIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> ProgrammeSessionOut:
    async with runtime.begin(TrainingUow) as uow:
        planned = PlannedSession(
            body.step_key,
            body.title,
            body.starts_at,
            body.ends_at,
            body.remote,
            body.place_label,
            body.place_insee,
        )
        session = await programmes.plan_session(uow, actor(principal), programme_id, planned)
        return ProgrammeSessionOut.of(session)


@router.post("/programmes/{programme_id}/sessions/{session_id}/reschedule")
async def reschedule_session(
    programme_id: UUID,
    session_id: UUID,
    body: RescheduleIn,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
) -> ProgrammeSessionOut:
    async with runtime.begin(TrainingUow) as uow:
        session = await programmes.reschedule_session(
            uow,
            actor(principal),
            programme_id,
            session_id,
            starts_at=body.starts_at,
            ends_at=body.ends_at,
            reason=body.reason,
        )
        return ProgrammeSessionOut.of(session)


@router.post("/programmes/{programme_id}/sessions/{session_id}/cancel")
async def cancel_session(
    programme_id: UUID,
    session_id: UUID,
    body: CancelIn,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
) -> ProgrammeSessionOut:
    async with runtime.begin(TrainingUow) as uow:
        session = await programmes.cancel_session(
            uow, actor(principal), programme_id, session_id, reason=body.reason
        )
        return ProgrammeSessionOut.of(session)


@router.post("/programmes/{programme_id}/close")
async def close(
    programme_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> ProgrammeOut:
    """Clore le programme : le bilan s'ouvre aux participants."""
    async with runtime.begin(TrainingUow) as uow:
        return ProgrammeOut.of(await programmes.close(uow, actor(principal), programme_id))


@router.post("/programmes/{programme_id}/review", status_code=status.HTTP_201_CREATED)
async def answer_review(
    programme_id: UUID, body: ReviewIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> list[CriterionOut]:
    """Répondre au bilan : une note de 1 à 4 par critère « On sera content si… »."""
    async with runtime.begin(TrainingUow) as uow:
        review = await programmes.answer_review(
            uow, actor(principal), programme_id, [(a.score, a.comment) for a in body.answers]
        )
        return [
            CriterionOut(criterion=a.criterion, mean_score=a.score, answers=1)
            for a in review.answers
        ]


@router.get("/programmes/{programme_id}/review")
async def review_summary(
    programme_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> list[CriterionOut]:
    async with runtime.begin(TrainingUow) as uow:
        summary = await programmes.review_summary(uow, actor(principal), programme_id)
        return [CriterionOut(criterion=c, mean_score=m, answers=n) for c, m, n in summary]


@router.get("/programmes/{programme_id}/toolbox")
async def toolbox(
    programme_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> ToolboxOut:
    """Boîte à outils territoriale : les chiffres du territoire hôte, d'après le COG."""
    async with runtime.begin(TrainingUow) as uow:
        return ToolboxOut.of(await programmes.toolbox(uow, actor(principal), programme_id))


@router.get("/codev/charter")
async def codev_charter() -> list[str]:
    """La charte informelle du co-dev des formateurs, acceptée en le rejoignant."""
    return list(CHARTER)


@router.get("/codev/agenda")
async def codev_agenda(starts_at: AwareDatetime) -> list[AgendaItemOut]:
    """L'ordre du jour minuté d'une séance de co-développement en six étapes."""
    return [
        AgendaItemOut(title=i.title, starts_at=i.starts_at, ends_at=i.ends_at)
        for i in session_agenda(starts_at)
    ]


@router.get("/codev/outputs")
async def codev_outputs(runtime: RuntimeDep, principal: CurrentPrincipal) -> list[CodevOutputOut]:
    """Les productions des groupes de co-dev, visibles de tous les formateurs."""
    async with runtime.begin(TrainingUow) as uow:
        found = await programmes.codev_outputs(uow, actor(principal))
        return [
            CodevOutputOut(programme_id=p.id, programme_title=p.title, material=MaterialOut.of(m))
            for p, m in found
        ]


# -- carnet de bord ------------------------------------------------------------------------


@router.post("/programmes/{programme_id}/carnet", status_code=status.HTTP_201_CREATED)
async def write_entry(
    programme_id: UUID, body: EntryIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> EntryOut:
    """Une entrée de mon carnet : privée tant que je ne la partage pas."""
    async with runtime.begin(TrainingUow) as uow:
        entry = await carnet.write(
            uow,
            actor(principal),
            programme_id,
            kind=body.kind,
            title=body.title,
            body=body.body,
            tags=body.tags,
            offer_id=body.offer_id,
            url=body.url,
        )
        return EntryOut.of(entry)


@router.get("/programmes/{programme_id}/carnet")
async def my_entries(
    programme_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> list[EntryOut]:
    async with runtime.begin(TrainingUow) as uow:
        return [EntryOut.of(e) for e in await carnet.mine(uow, actor(principal), programme_id)]


@router.get("/programmes/{programme_id}/carnet/shared")
async def shared_entries(
    programme_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal
) -> list[EntryOut]:
    """Les entrées que les élus ont partagées avec leur coach (pour le coach seul)."""
    async with runtime.begin(TrainingUow) as uow:
        found = await carnet.shared_with_coach(uow, actor(principal), programme_id)
        return [EntryOut.of(e) for e in found]


@router.get("/carnet/{entry_id}")
async def read_entry(entry_id: UUID, runtime: RuntimeDep, principal: CurrentPrincipal) -> EntryOut:
    async with runtime.begin(TrainingUow) as uow:
        return EntryOut.of(await carnet.read(uow, actor(principal), entry_id))


@router.post("/carnet/{entry_id}/sharing")
async def share_entry(
    entry_id: UUID, body: ShareIn, runtime: RuntimeDep, principal: CurrentPrincipal
) -> EntryOut:
    """Partager une entrée avec le coach, ou reprendre ce partage."""
    async with runtime.begin(TrainingUow) as uow:
        entry = await carnet.set_shared(uow, actor(principal), entry_id, shared=body.shared)
        return EntryOut.of(entry)
