"""The events matching publishes, built from domain results."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from deformations_contracts.events.matching import (
    MatchProposed,
    OfferParty,
    Pairing,
    ProposalKind,
    ProposedSlot,
    RequestParty,
    RotationRound,
)
from deformations_contracts.events.sessions import SessionKind, SessionScheduled
from deformations_matching.domain.scoring import Reason

_NAMESPACE = uuid5(NAMESPACE_URL, "https://deformations.fr/matching/proposals")
_SHORT_TEXT = 300
_DEFAULT_REASON = "Proposition de la plateforme de mise en relation"


def proposal_id_for(kind: ProposalKind, *parts: str) -> UUID:
    """The same parties always give the same id: a proposal is made once."""
    return uuid5(_NAMESPACE, ":".join([kind.value, *parts]))


def texts(reasons: Iterable[Reason]) -> list[str]:
    """French sentences as events carry them (at most ten, each within a short text)."""
    out = []
    for reason in reasons:
        text = reason.text.strip()
        if len(text) > _SHORT_TEXT:
            text = text[: _SHORT_TEXT - 1].rstrip() + "…"
        if len(text) >= 3:
            out.append(text)
    return out[:10] or [_DEFAULT_REASON]


def clamp(score: float) -> float:
    # Scores carry a small reciprocity bonus above 1; the contract is 0–1.
    return round(min(1.0, max(0.0, score)), 4)


def need_offer(
    *,
    request_id: UUID,
    requester_siren: str,
    offer_id: UUID,
    lender_siren: str,
    theme: str | None,
    score: float,
    reasons: Sequence[Reason],
    now: datetime,
) -> MatchProposed:
    return MatchProposed(
        proposal_id=proposal_id_for(ProposalKind.NEED_OFFER, str(request_id), str(offer_id)),
        kind=ProposalKind.NEED_OFFER,
        score=clamp(score),
        reasons=texts(reasons),
        theme=theme,
        requests=[RequestParty(request_id=request_id, collectivite_siren=requester_siren)],
        offer=OfferParty(offer_id=offer_id, collectivite_siren=lender_siren),
        proposed_at=now,
    )


def grouped_offer(
    *,
    requests: Sequence[tuple[UUID, str]],
    offer_id: UUID,
    lender_siren: str,
    theme: str,
    score: float,
    reasons: Sequence[Reason],
    now: datetime,
) -> MatchProposed:
    ids = sorted(str(r) for r, _ in requests)
    return MatchProposed(
        proposal_id=proposal_id_for(ProposalKind.GROUPED_OFFER, *ids, str(offer_id)),
        kind=ProposalKind.GROUPED_OFFER,
        score=clamp(score),
        reasons=texts(reasons),
        theme=theme,
        requests=[RequestParty(request_id=r, collectivite_siren=s) for r, s in requests],
        offer=OfferParty(offer_id=offer_id, collectivite_siren=lender_siren),
        proposed_at=now,
    )


def peer_group(
    *,
    group_id: UUID,
    call_id: UUID,
    theme: str,
    members: Sequence[str],
    accepted: Sequence[str],
    reasons: Sequence[Reason],
    now: datetime,
) -> MatchProposed:
    """``accepted``: who has nothing left to answer (the author, who formed the group;
    for a replacement, those who accepted before)."""
    return MatchProposed(
        proposal_id=group_id,
        kind=ProposalKind.PEER_GROUP,
        score=1.0,
        reasons=texts(reasons),
        theme=theme,
        members=list(members),
        accepted=[m for m in members if m in accepted],  # in the members' order
        peer_call_id=call_id,
        proposed_at=now,
    )


def cafe_pair(
    *,
    proposal_id: UUID,
    elu_id: str,
    technician_id: str,
    collectivite_siren: str,
    theme: str | None,
    slot: ProposedSlot,
    reasons: Sequence[Reason],
    now: datetime,
) -> MatchProposed:
    return MatchProposed(
        proposal_id=proposal_id,
        kind=ProposalKind.ELU_TECHNICIEN_PAIR,
        score=1.0,
        reasons=texts(reasons),
        theme=theme,
        members=[elu_id, technician_id],
        collectivite_siren=collectivite_siren,
        slot=slot,
        proposed_at=now,
    )


def rotation(
    *,
    gathering_id: UUID,
    epci_siren: str,
    members: Sequence[str],
    rounds: Sequence[tuple[int, Sequence[tuple[str, str]]]],
    seed: int,
    reasons: Sequence[Reason],
    now: datetime,
) -> MatchProposed:
    return MatchProposed(
        proposal_id=gathering_id,
        kind=ProposalKind.SPEED_DATING_ROTATION,
        score=1.0,
        reasons=texts(reasons),
        members=list(members),
        collectivite_siren=epci_siren,
        rounds=[
            RotationRound(number=n, pairings=[Pairing(first=a, second=b) for a, b in pairs])
            for n, pairs in rounds
        ],
        seed=seed,
        proposed_at=now,
    )


def session(
    *,
    session_id: UUID,
    kind: SessionKind,
    related_id: UUID,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    participants: Sequence[str],
    sirens: Sequence[str],
    theme: str | None,
    remote: bool,
    place_label: str | None,
    now: datetime,
) -> SessionScheduled:
    return SessionScheduled(
        session_id=session_id,
        kind=kind,
        related_id=related_id,
        theme=theme,
        title=title[:_SHORT_TEXT],
        starts_at=starts_at,
        ends_at=ends_at,
        remote=remote,
        place_label=place_label,
        participants=list(participants),
        collectivite_sirens=list(dict.fromkeys(sirens)),
        sequence=0,
        scheduled_at=now,
    )
