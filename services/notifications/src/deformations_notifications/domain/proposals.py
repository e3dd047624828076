"""A peer group's proposal asks its members to answer, except those who accepted already.

Forming a groupe d'entraide accepts its author's place at once (matching names them in the
proposal's ``accepted``): « rien n'est engagé tant que vous n'avez pas répondu » would tell
them they still have to answer. They get another mail instead: their group is formed and
the others are invited (``match.group_formed``). Proposals from before ``accepted``
existed name nobody, and everyone is asked, as then.
"""

from __future__ import annotations

from deformations_contracts.base import EventData
from deformations_contracts.events.matching import MatchProposed, ProposalKind

PROPOSED = "match.proposed"
GROUP_FORMED = "match.group_formed"
# The mails telling someone of a peer group formed from an appel à pairs.
PEER_GROUP_MAILS = (PROPOSED, GROUP_FORMED)


def already_accepted(event: EventData) -> frozenset[str]:
    """The members of a peer group's proposal with nothing left to answer."""
    if not isinstance(event, MatchProposed) or event.kind is not ProposalKind.PEER_GROUP:
        return frozenset()
    return frozenset(event.accepted)
