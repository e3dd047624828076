"""Recommendations: next modules à la carte from a diagnosis, the rebond after a module."""

from pydantic import BaseModel

from deformations_common.auth import Principal
from deformations_contracts.catalogue import load_catalogue
from deformations_matching.domain.errors import NoDiagnosis, UnknownRecipe
from deformations_matching.domain.recommendations import Profile, Recommendation, rebond, recommend
from deformations_matching.service.uow import MatchingUow


class RecommendationOut(BaseModel):
    code: str
    title: str
    reason: str


def _out(items: list[Recommendation]) -> list[RecommendationOut]:
    return [RecommendationOut(code=r.code, title=r.title, reason=r.reason) for r in items]


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


def after_module(after: str, done: set[str]) -> list[RecommendationOut]:
    """The "rebond": where to go after a module (no state: no unit of work)."""
    try:
        return _out(rebond(after, load_catalogue(), done=done))
    except KeyError as exc:
        raise UnknownRecipe(f"Le module « {after} » n'existe pas dans le catalogue.") from exc
