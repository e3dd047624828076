"""Near-duplicate needs from nearby communes grouped into one "offre groupée".

Requests are bucketed by theme and département (nearby communes); inside a
bucket, in identifier order, each request joins the first group whose leader it
resembles (description cosine ≥ threshold, compatible modality) while the group
has room, otherwise it leads a new group. Only groups of two or more are
returned: one intervention then serves several communes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from deformations_contracts.themes import label
from deformations_matching.domain.model import (
    Availability,
    SkillRequest,
    modalities_compatible,
)
from deformations_matching.domain.scoring import Reason
from deformations_matching.domain.text import TextVector, cosine


@dataclass(frozen=True, slots=True)
class GroupedNeed:
    group_id: str
    theme: str
    request_ids: tuple[str, ...]
    communes: tuple[str, ...]  # INSEE codes
    reasons: tuple[Reason, ...]

    def as_request(self, requests: Sequence[SkillRequest]) -> SkillRequest:
        """One combined request, placed at the leader, for the offer index."""
        members = {r.request_id: r for r in requests}
        leader = members[self.request_ids[0]]
        slots = frozenset.intersection(*(members[r].availability.slots for r in self.request_ids))
        return SkillRequest(
            request_id=self.group_id,
            requester_siren=leader.requester_siren,
            place=leader.place,
            themes=frozenset({self.theme}),
            description=leader.description,
            half_days=max(members[r].half_days for r in self.request_ids),
            availability=Availability(
                slots or leader.availability.slots, leader.availability.modality
            ),
        )


def group_similar_needs(
    requests: Sequence[SkillRequest],
    vector_of: Callable[[SkillRequest], TextVector],
    *,
    threshold: float = 0.6,
    max_size: int = 6,
) -> list[GroupedNeed]:
    buckets: dict[tuple[str, str], list[SkillRequest]] = {}
    for request in sorted(requests, key=lambda r: r.request_id):
        if request.themes:
            key = (min(request.themes), request.place.departement)
            buckets.setdefault(key, []).append(request)
    grouped = []
    for (theme, _), bucket in sorted(buckets.items()):
        leaders: list[tuple[SkillRequest, TextVector, list[SkillRequest]]] = []
        for request in bucket:
            vector = vector_of(request)
            for leader, leader_vector, members in leaders:
                if (
                    len(members) < max_size
                    and request.requester_siren not in {m.requester_siren for m in members}
                    and modalities_compatible(
                        leader.availability.modality, request.availability.modality
                    )
                    and cosine(vector, leader_vector) >= threshold
                ):
                    members.append(request)
                    break
            else:
                leaders.append((request, vector, [request]))
        for leader, _, members in leaders:
            if len(members) >= 2:
                grouped.append(_describe(theme, leader, members))
    return grouped


def _describe(theme: str, leader: SkillRequest, members: list[SkillRequest]) -> GroupedNeed:
    names = ", ".join(m.place.commune_name for m in members)
    reasons = (
        Reason("theme", f"Même besoin : {label(theme)}"),
        Reason(
            "neighbours",
            f"Besoins proches exprimés par {len(members)} communes voisines "
            f"(département {leader.place.departement}) : {names}",
        ),
        Reason("grouped", "Une seule intervention pour toutes : offre groupée"),
    )
    return GroupedNeed(
        group_id="g-" + leader.request_id,
        theme=theme,
        request_ids=tuple(m.request_id for m in members),
        communes=tuple(m.place.insee for m in members),
        reasons=reasons,
    )
