"""The training budget of a collectivité for its élus, year by year.

The council votes an amount each year; what is spent comes from the enrolments of its
élus (their price per person, a group's settled price for an offre groupée).

The legal floor used here is that of the CGCT for communes, art. L2123-14 (as amended by
the loi n° 2019-1461 « Engagement et proximité »): the planned training expenses may not
be less than 2 % of the total of the allowances (indemnités de fonction) that may be
granted to the council's members, and the actual expenses may not exceed 20 % of that
total. EPCI (art. L5214-8, L5216-4…) follow the same rule through their own articles.
The platform cannot know that total: the collectivité enters it, and the floor is
computed only when it did.

Each élu's own right, the DIF des élus (droit individuel à la formation, financed by the
élus' contribution and kept by the Caisse des dépôts), is not the collectivité's budget:
the platform points to where it is consulted and never computes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from deformations_training.domain.errors import InvalidTrainingInput

FLOOR_PER_MILLE = 20  # 2 % of the allowances envelope (CGCT art. L2123-14)
CEILING_PER_MILLE = 200  # 20 % of the same envelope
MAX_CENTS = 10_000_000_000

DIF_ELUS_URL = "https://www.moncompteformation.gouv.fr"
DIF_ELUS_NOTE = (
    "Le droit individuel à la formation des élus (DIFE) est propre à chaque élu, financé "
    "par sa cotisation et géré par la Caisse des dépôts : il se consulte et se mobilise "
    "sur Mon Compte Formation. La plateforme ne calcule pas ces droits."
)


@dataclass(frozen=True, slots=True)
class BudgetYear:
    collectivite_siren: str
    year: int
    voted_cents: int
    # Total of the allowances that may be granted to the council (entered, not computed).
    allowances_envelope_cents: int | None
    updated_at: datetime


def vote(
    *,
    collectivite_siren: str,
    year: int,
    voted_cents: int,
    allowances_envelope_cents: int | None,
    now: datetime,
) -> BudgetYear:
    if not 2020 <= year <= now.year + 1:
        raise InvalidTrainingInput("L'exercice va de 2020 à l'an prochain.", field="year")
    if not 0 <= voted_cents <= MAX_CENTS:
        raise InvalidTrainingInput("Le montant voté est invalide.", field="voted_cents")
    if allowances_envelope_cents is not None and not 0 <= allowances_envelope_cents <= MAX_CENTS:
        raise InvalidTrainingInput(
            "Le montant des indemnités est invalide.", field="allowances_envelope_cents"
        )
    return BudgetYear(collectivite_siren, year, voted_cents, allowances_envelope_cents, now)


@dataclass(frozen=True, slots=True)
class Spending:
    """One confirmed enrolment paid by the collectivité."""

    person_id: str
    price_cents: int
    body_approved: bool


@dataclass(frozen=True, slots=True)
class ElectedStanding:
    person_id: str
    enrolments: int
    spent_cents: int


@dataclass(frozen=True, slots=True)
class Statement:
    collectivite_siren: str
    year: int
    voted_cents: int | None
    spent_cents: int
    remaining_cents: int | None
    floor_cents: int | None
    ceiling_cents: int | None
    voted_below_floor: bool | None
    spent_above_ceiling: bool | None
    # Spent with bodies whose agrément for élus' training is not recorded.
    spent_unapproved_cents: int
    elected: tuple[ElectedStanding, ...]
    dif_url: str = DIF_ELUS_URL
    dif_note: str = DIF_ELUS_NOTE


def statement(
    collectivite_siren: str, year: int, budget: BudgetYear | None, spendings: Sequence[Spending]
) -> Statement:
    spent = sum(s.price_cents for s in spendings)
    per: dict[str, list[int]] = {}
    for s in spendings:
        per.setdefault(s.person_id, []).append(s.price_cents)
    envelope = budget.allowances_envelope_cents if budget else None
    floor = envelope * FLOOR_PER_MILLE // 1000 if envelope is not None else None
    ceiling = envelope * CEILING_PER_MILLE // 1000 if envelope is not None else None
    voted = budget.voted_cents if budget else None
    return Statement(
        collectivite_siren=collectivite_siren,
        year=year,
        voted_cents=voted,
        spent_cents=spent,
        remaining_cents=None if voted is None else voted - spent,
        floor_cents=floor,
        ceiling_cents=ceiling,
        voted_below_floor=None if floor is None or voted is None else voted < floor,
        spent_above_ceiling=None if ceiling is None else spent > ceiling,
        spent_unapproved_cents=sum(s.price_cents for s in spendings if not s.body_approved),
        elected=tuple(
            ElectedStanding(person, len(prices), sum(prices))
            for person, prices in sorted(per.items(), key=lambda kv: (-sum(kv[1]), kv[0]))
        ),
    )
