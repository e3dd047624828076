"""Contract events built from the domain's events and the stored state.

The domain says what happened (ids only); this module adds what the catalogue's
contracts carry (parties, period, participants, place), read from the state the
command just wrote, so events and rows always agree.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from uuid import UUID

from deformations_contracts.base import EventData
from deformations_contracts.events import lending as contract
from deformations_contracts.events import moderation as moderation_contract
from deformations_contracts.events import sessions as session_contract
from deformations_contracts.themes import label as theme_label
from deformations_contracts.values import HALF_DAY_MINUTES, WeekdayHalfDay
from deformations_contracts.values import HalfDay as HalfDayValue
from deformations_contracts.values import Period as PeriodValue
from deformations_lending.domain import events as domain
from deformations_lending.domain.calendar import HalfDay, Period, WeeklyHalfDay
from deformations_lending.domain.collectivites import Collectivite
from deformations_lending.domain.feedback import Respondent
from deformations_lending.domain.loan_model import Approval, LoanStatus, Session
from deformations_lending.domain.offers import Offer, ReimbursementBasis, SkillRequest
from deformations_lending.repositories.loan_records import LoanRecord, SessionPlace

# The contract has no "expenses only": the agent's pay is not reimbursed, as with a waiver.
REIMBURSEMENT = {
    ReimbursementBasis.FULL_SALARY: contract.ReimbursementBasis.SALARY_COSTS,
    ReimbursementBasis.FLAT_RATE: contract.ReimbursementBasis.FLAT_RATE,
    ReimbursementBasis.EXPENSES_ONLY: contract.ReimbursementBasis.FREE_OF_CHARGE,
    ReimbursementBasis.NONE: contract.ReimbursementBasis.FREE_OF_CHARGE,
}

# What lending publishes: the AsyncAPI document's list (``ServiceDefinition.produces``).
PRODUCED: tuple[type[EventData], ...] = (
    contract.SkillOffered,
    contract.SkillRequested,
    contract.OfferWithdrawn,
    contract.RequestWithdrawn,
    contract.LoanActionRequested,
    contract.LoanAgreed,
    contract.LoanCompleted,
    contract.LoanCancelled,
    session_contract.SessionScheduled,
    session_contract.SessionRescheduled,
    session_contract.SessionCancelled,
    moderation_contract.ContentHidden,
    moderation_contract.ContentShown,
)

# Stands for a person whose id was erased, where a contract needs someone.
ERASED_PERSON = "personne-effacee"
SHORT_TEXT_MAX = 300


def _short(text: str) -> str:
    return text if len(text) <= SHORT_TEXT_MAX else text[: SHORT_TEXT_MAX - 1] + "…"


def _period(period: Period) -> PeriodValue:
    return PeriodValue(start=period.start, end=period.end)


def _weekly(half_days: Iterable[WeeklyHalfDay]) -> list[WeekdayHalfDay]:
    # The domain counts weekdays from 0 (Python); the contracts use ISO (1 = Monday).
    return [WeekdayHalfDay(weekday=w.weekday + 1, part=w.part) for w in sorted(half_days)]


def skill_offered(offer: Offer, lender: Collectivite) -> contract.SkillOffered:
    return contract.SkillOffered(
        offer_id=offer.id,
        collectivite=lender.ref(),
        theme=offer.theme,
        description=offer.description,
        agent_role=offer.agent_role,
        skill_visibility=contract.SkillVisibility(offer.visibility.value),
        capacity_half_days=offer.capacity_half_days,
        period=_period(offer.period),
        possible_half_days=_weekly(offer.possible_half_days),
        modality=offer.modality,
        reimbursement_basis=REIMBURSEMENT[offer.reimbursement],
        offered_at=offer.published_at,
    )


def skill_requested(request: SkillRequest, requester: Collectivite) -> contract.SkillRequested:
    return contract.SkillRequested(
        request_id=request.id,
        collectivite=requester.ref(),
        theme=request.theme,
        need=request.need,
        period=_period(request.period),
        half_days_wanted=request.half_days,
        preferred_half_days=_weekly(request.possible_half_days),
        modality=request.modality,
        requested_at=request.published_at,
    )


def offer_withdrawn(offer: Offer, at: datetime) -> contract.OfferWithdrawn:
    return contract.OfferWithdrawn(
        offer_id=offer.id,
        collectivite_siren=offer.lender,
        reason=_short(offer.withdrawal_reason) if offer.withdrawal_reason else None,
        withdrawn_at=at,
    )


def request_withdrawn(request: SkillRequest, at: datetime) -> contract.RequestWithdrawn:
    return contract.RequestWithdrawn(
        request_id=request.id,
        collectivite_siren=request.requester,
        reason=_short(request.withdrawal_reason) if request.withdrawal_reason else None,
        withdrawn_at=at,
    )


def _kind(item: Offer | SkillRequest) -> moderation_contract.ContentKind:
    if isinstance(item, Offer):
        return moderation_contract.ContentKind.OFFER
    return moderation_contract.ContentKind.REQUEST


def content_hidden(item: Offer | SkillRequest) -> moderation_contract.ContentHidden:
    """Tells the collectivité that published the text (its registered people) why."""
    assert item.hidden_reason is not None
    assert item.hidden_at is not None
    return moderation_contract.ContentHidden(
        content_id=item.id,
        kind=_kind(item),
        collectivite_siren=item.owner,
        reason=item.hidden_reason,
        hidden_at=item.hidden_at,
    )


def content_shown(item: Offer | SkillRequest, at: datetime) -> moderation_contract.ContentShown:
    return moderation_contract.ContentShown(content_id=item.id, kind=_kind(item), shown_at=at)


def stage_of(record: LoanRecord) -> contract.LoanStage:
    """The stage a loan was at, for a cancellation."""
    loan = record.loan
    if loan.status is LoanStatus.AGREED:
        return contract.LoanStage.AGREED
    if loan.status is LoanStatus.ACCEPTED:
        return contract.LoanStage.APPROVED if loan.approvals else contract.LoanStage.ACCEPTED
    return contract.LoanStage.PROPOSED


_ELECTED, _HR = contract.ActingRole.ELECTED, contract.ActingRole.HR


def _asking(record: LoanRecord, at: datetime) -> dict[str, object]:
    loan = record.loan
    return {
        "loan_id": loan.id,
        "offer_id": loan.offer_id,
        "request_id": loan.request_id,
        "lender_siren": loan.lender,
        "borrower_siren": loan.borrower,
        "agent_role": loan.agent_role,
        "theme": loan.theme,
        "half_days_agreed": loan.half_days,
        "requested_at": at,
    }


def action_requests(record: LoanRecord, at: datetime) -> list[contract.LoanActionRequested]:
    """Who must act next on a loan that just became proposed or accepted.

    Lending knows the collectivités and the roles (``domain.policy``), not who holds them:
    the event names the collectivité and the roles, notifications writes to its people.
    Asked once, when the loan enters the state, not again after each approval. The
    agent is asked later, once the RH names them (``consent_request``)."""
    loan = record.loan
    asked: list[tuple[contract.LoanAction, contract.LoanParty, list[contract.ActingRole]]] = []
    if loan.status is LoanStatus.PROPOSED:
        asked.append((contract.LoanAction.ACCEPT, contract.LoanParty.BORROWER, [_ELECTED, _HR]))
    elif loan.status is LoanStatus.ACCEPTED:
        missing = loan.missing_approvals
        approvers = [
            role
            for approval, role in ((Approval.ELECTED, _ELECTED), (Approval.HR, _HR))
            if approval in missing
        ]
        if approvers:
            asked.append((contract.LoanAction.APPROVE, contract.LoanParty.LENDER, approvers))
    return [
        contract.LoanActionRequested(
            **_asking(record, at),
            action=action,
            party=party,
            collectivite_siren=loan.lender if party is contract.LoanParty.LENDER else loan.borrower,
            roles=roles,
        )
        for action, party, roles in asked
    ]


def consent_request(record: LoanRecord, at: datetime) -> list[contract.LoanActionRequested]:
    """The agent the RH just named, asked in person for their consent (nobody else)."""
    loan, agent = record.loan, record.people.agent
    if loan.status is not LoanStatus.ACCEPTED or Approval.AGENT in loan.approvals or not agent:
        return []
    return [
        contract.LoanActionRequested(
            **_asking(record, at),
            action=contract.LoanAction.AGENT_CONSENT,
            party=contract.LoanParty.LENDER,
            collectivite_siren=loan.lender,
            roles=[contract.ActingRole.AGENT],
            agent_person_id=agent,
        )
    ]


def confirmation_request(
    record: LoanRecord, session_id: UUID, by: contract.LoanParty, at: datetime
) -> list[contract.LoanActionRequested]:
    """The other side than ``by`` (who proposed or moved the half-day) asked to confirm it.

    Only the lender confirms (``domain.policy``): a half-day the lender proposed itself
    waits for nobody else's word, so nobody is asked."""
    loan = record.loan
    if by is contract.LoanParty.LENDER:
        return []
    return [
        contract.LoanActionRequested(
            **_asking(record, at),
            action=contract.LoanAction.CONFIRM_SESSION,
            party=contract.LoanParty.LENDER,
            collectivite_siren=loan.lender,
            roles=[_ELECTED, _HR],
            session_id=session_id,
        )
    ]


def for_loan(
    happened: Iterable[domain.DomainEvent],
    record: LoanRecord,
    offer: Offer,
    *,
    borrower: Collectivite,
    stage_before: contract.LoanStage,
    acted_by: contract.LoanParty,
    note: str | None = None,
) -> list[EventData]:
    """The contracts of a loan command's domain events, from the state after it.

    ``note``: the reason a person gave for a change the domain does not record (moving
    a session)."""
    builder = _LoanEvents(record, offer, borrower, stage_before, acted_by, note)
    built: list[EventData] = []
    for event in happened:
        if isinstance(event, domain.LoanProposed | domain.LoanAccepted):
            built.extend(action_requests(record, event.occurred_at))
            continue
        if isinstance(event, domain.LoanApprovalRecorded) and event.approval == Approval.HR:
            built.extend(consent_request(record, event.occurred_at))
            continue
        if event.routing_key is None:
            continue
        built.append(builder.build(event))
        if isinstance(event, domain.SessionScheduled | domain.SessionRescheduled):
            at = event.occurred_at
            built.extend(confirmation_request(record, event.session_id, acted_by, at))
    return built


class _LoanEvents:
    def __init__(
        self,
        record: LoanRecord,
        offer: Offer,
        borrower: Collectivite,
        stage_before: contract.LoanStage,
        acted_by: contract.LoanParty,
        note: str | None,
    ) -> None:
        self.record = record
        self.loan = record.loan
        self.offer = offer
        self.borrower = borrower
        self.stage_before = stage_before
        self.acted_by = acted_by
        self.note = note

    def _common(self) -> dict[str, object]:
        loan = self.loan
        return {
            "loan_id": loan.id,
            "offer_id": loan.offer_id,
            "request_id": loan.request_id,
            "lender_siren": loan.lender,
            "borrower_siren": loan.borrower,
            "agent_role": loan.agent_role,
            "theme": loan.theme,
            "half_days_agreed": loan.half_days,
        }

    def build(self, event: domain.DomainEvent) -> EventData:
        loan, agent = self.loan, self.record.people.agent
        if isinstance(event, domain.LoanAgreed):
            return contract.LoanAgreed(
                **self._common(),
                proposal_id=loan.match_id,
                agent_person_id=agent or ERASED_PERSON,
                period=_period(loan.period),
                modality=loan.modality,
                reimbursement_basis=REIMBURSEMENT[self.offer.reimbursement],
                agreed_at=event.occurred_at,
            )
        if isinstance(event, domain.LoanCompleted):
            return contract.LoanCompleted(
                **self._common(),
                agent_person_id=agent or ERASED_PERSON,
                half_days_used=event.half_days_held,
                feedback=self._ratings(),
                completed_at=event.occurred_at,
            )
        if isinstance(event, domain.LoanCancelled | domain.LoanDeclined):
            return contract.LoanCancelled(
                **self._common(),
                agent_person_id=agent,
                stage=self.stage_before,
                cancelled_by=self.acted_by,
                reason=_short(event.reason),
                half_days_used=loan.held_half_days,
                cancelled_at=event.occurred_at,
            )
        if isinstance(event, domain.SessionScheduled):
            return session_contract.SessionScheduled(
                **self._session(event.session_id), scheduled_at=event.occurred_at
            )
        if isinstance(event, domain.SessionRescheduled):
            return session_contract.SessionRescheduled(
                **self._session(event.session_id),
                previous_starts_at=event.previous.starts_at(),
                reason=_short(self.note) if self.note else None,
                rescheduled_at=event.occurred_at,
            )
        if isinstance(event, domain.SessionCancelled):
            return session_contract.SessionCancelled(
                **self._session(event.session_id),
                reason=_short(event.reason),
                cancelled_at=event.occurred_at,
            )
        raise ValueError(f"no contract for {type(event).__name__}")

    def _ratings(self) -> list[contract.FeedbackRating]:
        answers = self.loan.feedback.get(Respondent.BORROWER)
        if not answers:
            return []
        useful, met, again = answers.get("useful"), answers.get("need_met"), answers.get("again")
        return [
            contract.FeedbackRating(
                respondent=contract.LoanParty.BORROWER,
                satisfaction=useful if isinstance(useful, int) else 3,
                usefulness=met if isinstance(met, int) and not isinstance(met, bool) else None,
                would_renew=again if isinstance(again, bool) else None,
            )
        ]

    def _participants(self) -> list[str]:
        people = self.record.people
        found = [p for p in (people.agent, people.accepted_by) if p]
        return list(dict.fromkeys(found)) or [ERASED_PERSON]

    def _session(self, session_id: UUID) -> dict[str, object]:
        loan = self.loan
        session: Session = loan.session(session_id)
        place = self.record.places.get(session_id, SessionPlace(remote=False, place_label=None))
        starts = session.half_day.starts_at()
        return {
            "session_id": session_id,
            "kind": session_contract.SessionKind.LOAN_HALF_DAY,
            "related_id": loan.id,
            "theme": loan.theme,
            "title": _short(f"Prêt de compétences : {theme_label(loan.theme)} ({loan.agent_role})"),
            "starts_at": starts,
            "ends_at": starts + timedelta(minutes=HALF_DAY_MINUTES),
            "half_day": _half_day(session.half_day),
            "remote": place.remote,
            "place_label": None if place.remote else place.place_label,
            "place_insee": None if place.remote else self.borrower.insee_code,
            "participants": self._participants(),
            "collectivite_sirens": [loan.lender, loan.borrower],
            "sequence": place.sequence,
        }


def _half_day(half_day: HalfDay) -> HalfDayValue:
    return HalfDayValue(day=half_day.day, part=half_day.part)
