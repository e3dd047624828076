"""Recommendations: next modules à la carte from a diagnosis, the rebond after a module."""

from uuid import UUID

from pydantic import BaseModel, Field

from deformations_common.auth import Principal
from deformations_contracts.catalogue import load_catalogue
from deformations_matching.domain.errors import NoDiagnosis, UnknownRecipe
from deformations_matching.domain.recommendations import (
    Profile,
    Recommendation,
    TrainerRebond,
    from_trainer,
    rebond,
    recommend,
)
from deformations_matching.service.uow import MatchingUow


class RecommendationOut(BaseModel):
    code: str
    title: str
    reason: str
    rebond_id: UUID | None = Field(
        default=None, description="Set when a trainer proposed this rebond (training's id)."
    )
    offer_id: UUID | None = Field(
        default=None, description="The training offer the trainer proposed, if any."
    )


def _out(items: list[Recommendation]) -> list[RecommendationOut]:
    return [
        RecommendationOut(
            code=r.code, title=r.title, reason=r.reason, rebond_id=r.rebond_id, offer_id=r.offer_id
        )
        for r in items
    ]


async def for_me(uow: MatchingUow, principal: Principal, done: set[str]) -> list[RecommendationOut]:
    """Next recipes à la carte from the principal's latest diagnosis."""
    diagnosis = (await uow.diagnoses.latest_diagnoses([principal.sub])).get(principal.sub)
    if diagnosis is None:
        raise NoDiagnosis("Aucun autodiagnostic connu pour vous : commencez par le questionnaire.")
    profile = Profile(
        axis_scores=diagnosis.axis_scores,
        time_slots=frozenset(diagnosis.time_slots),
        half_days_per_month=diagnosis.half_days_per_month,
        next_steps=[s["recipe_code"] for s in diagnosis.next_steps],
    )
    return _out(recommend(profile, load_catalogue(), done=done))


async def after_module(
    uow: MatchingUow, principal: Principal, after: str, done: set[str], limit: int = 3
) -> list[RecommendationOut]:
    """The "rebond": what her trainers proposed when they did, else the booklet's table."""
    catalogue = load_catalogue()
    try:
        table = rebond(after, catalogue, done=done, limit=limit)
    except KeyError as exc:
        raise UnknownRecipe(f"Le module « {after} » n'existe pas dans le catalogue.") from exc
    rows = await uow.rebonds.standing_for(principal.sub, limit)
    if not rows:
        return _out(table)
    proposed = [
        TrainerRebond(r.rebond_id, r.kind, r.offer_id, r.occasion == "one_year_later") for r in rows
    ]
    return _out(from_trainer(proposed, catalogue))
