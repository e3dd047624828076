"""The collective result of an intercommunality: all its communes together, each large
enough commune alone, and the small ones pooled so that no small group can be recovered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field

from deformations_contracts.catalogue import Catalogue, load_catalogue
from deformations_diagnosis.content.model import Questionnaire
from deformations_diagnosis.domain.collective import CollectiveResult, collective_result
from deformations_diagnosis.domain.results import IndividualResult


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CommuneResult(_Frozen):
    insee: str
    result: CollectiveResult


class IntercommunalityResult(_Frozen):
    total: CollectiveResult
    communes: tuple[CommuneResult, ...] = Field(description="Communes shown on their own")
    others: CollectiveResult | None = Field(
        description="Communes too small to show alone, pooled together"
    )
    pooled_communes: tuple[str, ...] = Field(description="INSEE codes pooled into ``others``")


def intercommunality_result(
    q: Questionnaire,
    by_commune: Mapping[str, Sequence[IndividualResult]],
    catalogue: Catalogue | None = None,
) -> IntercommunalityResult:
    """All communes together, each large-enough commune alone, and the small ones pooled.

    A commune under the minimum is pooled with the others under it. If that pool is itself
    under the minimum but not empty, the smallest shown communes join it: otherwise its
    figures could be recovered by subtracting the shown communes from the total.
    """
    catalogue = catalogue or load_catalogue()
    minimum = q.min_collective_responses
    everyone = [r for rs in by_commune.values() for r in rs]
    total = collective_result(q, everyone, catalogue, intercommunal=True)
    answered = {insee: rs for insee, rs in by_commune.items() if rs}
    shown = sorted(
        (i for i, rs in answered.items() if len(rs) >= minimum), key=lambda i: (len(answered[i]), i)
    )
    pooled = sorted(i for i, rs in answered.items() if len(rs) < minimum)
    while pooled and sum(len(answered[i]) for i in pooled) < minimum and shown:
        pooled.append(shown.pop(0))
    others = None
    if pooled:
        others = collective_result(q, [r for i in pooled for r in answered[i]], catalogue)
    communes = tuple(
        CommuneResult(insee=i, result=collective_result(q, answered[i], catalogue))
        for i in sorted(shown)
    )
    return IntercommunalityResult(
        total=total, communes=communes, others=others, pooled_communes=tuple(sorted(pooled))
    )
