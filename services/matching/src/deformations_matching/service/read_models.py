"""What matching does with each event it reads: one use case per event.

Each keeps a read model in step in the message's transaction; a new request also gets
its need ↔ offer proposals at once.
"""

from deformations_common.logging import get_logger
from deformations_contracts.events.diagnosis import DiagnosisCompleted
from deformations_contracts.events.lending import (
    LoanAgreed,
    LoanCancelled,
    LoanCompleted,
    LoanParty,
    OfferWithdrawn,
    RequestWithdrawn,
    SkillOffered,
    SkillRequested,
)
from deformations_contracts.events.moderation import ContentHidden, ContentKind, ContentShown
from deformations_contracts.events.people import MembershipChanged, PersonErasureRequested
from deformations_contracts.events.training import RebondAnswered, RebondProposed
from deformations_matching.domain.locate import departement_of
from deformations_matching.domain.model import half_day_key
from deformations_matching.repositories.memberships import MembershipRow
from deformations_matching.repositories.rebonds import TrainerRebond
from deformations_matching.service.proposing import propose_for_request
from deformations_matching.service.uow import MatchingUow

log = get_logger()


async def record_offer(uow: MatchingUow, event: SkillOffered) -> None:
    await uow.offers.upsert_offer(
        offer_id=event.offer_id,
        siren=event.collectivite.siren,
        insee_code=event.collectivite.insee_code,
        epci_siren=event.collectivite.epci_siren,
        theme=event.theme,
        description=event.description,
        capacity_half_days=event.capacity_half_days,
        half_days=[half_day_key(h.weekday, h.part) for h in event.possible_half_days],
        modality=event.modality.value,
        period_end=event.period.end,
        offered_at=event.offered_at,
    )


async def withdraw_offer(uow: MatchingUow, event: OfferWithdrawn) -> None:
    await uow.offers.withdraw_offer(event.offer_id, event.collectivite_siren, event.withdrawn_at)


async def moderate_offer(uow: MatchingUow, event: ContentHidden | ContentShown) -> None:
    """A hidden offer is proposed to nobody until shown again; other texts are not ours
    to copy (an appel à pairs is matching's own, a request is proposed for once)."""
    if event.kind is not ContentKind.OFFER:
        return
    if isinstance(event, ContentHidden):
        hidden, at = True, event.hidden_at
    else:
        hidden, at = False, event.shown_at
    await uow.offers.moderate_offer(event.content_id, hidden=hidden, at=at)
    log.info("matching.offer_moderated", offer_id=str(event.content_id), hidden=hidden)


async def receive_request(uow: MatchingUow, event: SkillRequested) -> None:
    """Record the request, then propose the best offers for it (once)."""
    await uow.book.refreshed(uow.offers, uow.now().date())  # before any write of this uow
    status = await uow.requests.upsert_request(
        request_id=event.request_id,
        siren=event.collectivite.siren,
        insee_code=event.collectivite.insee_code,
        epci_siren=event.collectivite.epci_siren,
        theme=event.theme,
        need=event.need,
        half_days=event.half_days_wanted,
        preferred=[half_day_key(h.weekday, h.part) for h in event.preferred_half_days],
        modality=event.modality.value,
        period_end=event.period.end,
        requested_at=event.requested_at,
    )
    if status != "open":
        return  # withdrawn before it reached us: no proposal
    row = await uow.requests.get_request(event.request_id)
    assert row is not None
    made = await propose_for_request(uow, row, uow.settings.proposals_per_request)
    log.info("matching.request_matched", request_id=str(event.request_id), proposals=len(made))


async def withdraw_request(uow: MatchingUow, event: RequestWithdrawn) -> None:
    await uow.requests.withdraw_request(
        event.request_id, event.collectivite_siren, event.withdrawn_at
    )


async def record_loan(uow: MatchingUow, event: LoanAgreed | LoanCompleted | LoanCancelled) -> None:
    """A loan's state: what it books of its offer, and the standing of both parties."""
    half_days_used = 0 if isinstance(event, LoanAgreed) else event.half_days_used
    satisfaction = None
    if isinstance(event, LoanCompleted):
        borrower = next((f for f in event.feedback if f.respondent is LoanParty.BORROWER), None)
        satisfaction = borrower.satisfaction if borrower else None
    status = {LoanAgreed: "agreed", LoanCompleted: "completed", LoanCancelled: "cancelled"}
    await uow.offers.record_loan(
        loan_id=event.loan_id,
        offer_id=event.offer_id,
        lender_siren=event.lender_siren,
        borrower_siren=event.borrower_siren,
        status=status[type(event)],
        half_days_agreed=event.half_days_agreed,
        half_days_used=half_days_used,
        borrower_satisfaction=satisfaction,
    )


async def record_diagnosis(uow: MatchingUow, event: DiagnosisCompleted) -> None:
    """A late or redelivered diagnosis of an erased person is not kept: the one kept at
    the erasure stays for statistics, detached."""
    if event.person_id is not None and await uow.erased_people.is_erased(event.person_id):
        log.info("matching.diagnosis_of_erased_person_skipped", response_id=str(event.response_id))
        return
    await uow.diagnoses.upsert_diagnosis(
        response_id=event.response_id,
        person_id=event.person_id,
        collectivite_siren=event.collectivite_siren,
        commune_insee=event.commune_insee,
        departement=departement_of(uow.geography, event.commune_insee),
        family=event.family,
        axis_scores=dict(event.axis_scores),
        priority_themes=list(event.priority_themes),
        time_slots=[s.value for s in event.availability.time_slots],
        modality=event.availability.modality.value,
        half_days_per_month=event.availability.half_days_per_month,
        next_steps=[s.model_dump(mode="json") for s in event.next_steps],
        completed_at=event.completed_at,
    )


def _rebond(event: RebondProposed | RebondAnswered) -> TrainerRebond:
    return TrainerRebond(
        rebond_id=event.rebond_id,
        person_id=event.person_id,
        after_offer_id=event.after_offer_id,
        kind=event.kind.value,
        offer_id=event.offer_id,
        theme=event.theme,
    )


async def record_rebond_proposed(uow: MatchingUow, event: RebondProposed) -> None:
    if await uow.erased_people.is_erased(event.person_id):
        return
    await uow.rebonds.record_proposed(_rebond(event), event.occasion.value, event.proposed_at)


async def record_rebond_answered(uow: MatchingUow, event: RebondAnswered) -> None:
    if await uow.erased_people.is_erased(event.person_id):
        return
    await uow.rebonds.record_answered(_rebond(event), event.taken, event.answered_at)


async def record_membership(uow: MatchingUow, event: MembershipChanged) -> None:
    """The latest state of a membership; none is kept for a person already erased."""
    if await uow.erased_people.is_erased(event.person_id):
        log.info("matching.membership_of_erased_person_skipped")
        return
    await uow.memberships.upsert(MembershipRow.of(event))


async def erase_person(uow: MatchingUow, event: PersonErasureRequested) -> None:
    await uow.erased_people.record(event.person_id, uow.now())
    await uow.erasure.erase_person(event.person_id)
