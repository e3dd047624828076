"""Matching keeps to the platform's territory (issue #13: one platform per Région).

It never proposes a collectivité or a person the platform does not cover — a need to an
offer, an offre groupée, a peer to a groupe d'entraide, a café pair, a speed-dating
rotation — unless the platform welcomes collectivités from elsewhere (``outside_allowed``).
The territory is the shared ``PlatformScope``; here is how matching's things sit in it:

- a collectivité by its SIREN (an EPCI lies in each département of its communes), else
  where its event placed it (its commune);
- a person by the commune they gave; someone who gave none is not known to be elsewhere
  and is not kept out (``PlatformScope.may_propose_person_at``).

Recommendations (modules of the catalogue) and the rebond (a trainer's proposal) name no
collectivité nor person, and common slots are looked for among people the caller names:
they have nothing to keep inside.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from deformations_common.geography import Geography
from deformations_common.scope import PlatformScope
from deformations_matching.domain.peer_groups import PeerCandidate
from deformations_matching.domain.places import Place


def collectivite_proposable(
    scope: PlatformScope, geography: Geography, siren: str, place: Place | None
) -> bool:
    if not scope.limits_proposals:
        return True
    where = geography.departements_of_collectivite(siren)
    if not where and place is not None:
        where = frozenset({place.departement})
    return bool(where & scope.departements)


def peers_within(
    scope: PlatformScope, geography: Geography, candidates: Iterable[PeerCandidate]
) -> list[PeerCandidate]:
    """The candidates of a groupe d'entraide the platform may propose."""
    return [c for c in candidates if scope.may_propose_person_at(geography, c.commune_insee)]


def people_outside(
    scope: PlatformScope, geography: Geography, placed: Sequence[tuple[str, str | None]]
) -> list[str]:
    """Of (person, commune) pairs, the people placed outside the territory, sorted."""
    return sorted(
        person for person, insee in placed if not scope.may_propose_person_at(geography, insee)
    )
