"""Contract events built from the domain's objects: identifiers only, never names."""

from collections.abc import Sequence
from datetime import datetime

from deformations_contracts.events import programmes as programme_contract
from deformations_contracts.events import sessions as session_contract
from deformations_contracts.events import training as contract
from deformations_training.domain.enrolments import Enrolment
from deformations_training.domain.evaluations import Evaluation, score
from deformations_training.domain.journey import Rebond, RebondStatus
from deformations_training.domain.offers import Offer, Session
from deformations_training.domain.programmes import Participant, Programme, ProgrammeSession

SHORT_TEXT_MAX = 300


def _short(text: str) -> str:
    return text if len(text) <= SHORT_TEXT_MAX else text[: SHORT_TEXT_MAX - 1] + "…"


def _enrolment(e: Enrolment, offer: Offer) -> dict[str, object]:
    return {
        "enrolment_id": e.id,
        "offer_id": offer.id,
        "person_id": e.person_id,
        "collectivite_siren": e.collectivite_siren,
        "body_siren": offer.body_siren,
        "theme": offer.theme,
        "format": contract.TrainingFormat(offer.format.value),
        "group_id": e.group_id,
    }


def confirmed(e: Enrolment, offer: Offer, at: datetime) -> contract.EnrolmentConfirmed:
    return contract.EnrolmentConfirmed(
        **_enrolment(e, offer), price_cents=e.price_cents, confirmed_at=at
    )


def waitlisted(
    e: Enrolment, offer: Offer, position: int, at: datetime
) -> contract.EnrolmentWaitlisted:
    return contract.EnrolmentWaitlisted(**_enrolment(e, offer), position=position, waitlisted_at=at)


def promoted(e: Enrolment, offer: Offer, at: datetime) -> contract.EnrolmentPromoted:
    return contract.EnrolmentPromoted(
        **_enrolment(e, offer), price_cents=e.price_cents, promoted_at=at
    )


def cancelled(
    e: Enrolment, offer: Offer, was_waitlisted: bool, at: datetime
) -> contract.EnrolmentCancelled:
    return contract.EnrolmentCancelled(
        **_enrolment(e, offer), was_waitlisted=was_waitlisted, cancelled_at=at
    )


def rebond_proposed(
    rebond: Rebond,
    module: Offer,
    occasion: contract.RebondOccasion,
    at: datetime,
) -> contract.RebondProposed:
    return contract.RebondProposed(
        rebond_id=rebond.id,
        person_id=rebond.person_id,
        after_enrolment_id=rebond.after_enrolment_id,
        after_offer_id=module.id,
        kind=contract.RebondKind(rebond.kind.value),
        occasion=occasion,
        offer_id=rebond.offer_id,
        theme=module.theme,
        trainer_id=rebond.trainer_id if occasion is contract.RebondOccasion.DEBRIEF else None,
        proposed_at=at,
    )


def rebond_answered(
    rebond: Rebond, module: Offer, enrolment: Enrolment | None
) -> contract.RebondAnswered:
    assert rebond.answered_at is not None, "an answered rebond has its answer's time"
    return contract.RebondAnswered(
        rebond_id=rebond.id,
        person_id=rebond.person_id,
        after_offer_id=module.id,
        kind=contract.RebondKind(rebond.kind.value),
        offer_id=rebond.offer_id,
        theme=module.theme,
        taken=rebond.status is RebondStatus.TAKEN,
        enrolment_id=enrolment.id if enrolment else None,
        answered_at=rebond.answered_at,
    )


def evaluation_due(
    evaluation: Evaluation, offer: Offer, *, reminder: bool = False
) -> contract.EvaluationDue:
    return contract.EvaluationDue(
        evaluation_id=evaluation.id,
        person_id=evaluation.person_id,
        enrolment_id=evaluation.enrolment_id,
        offer_id=offer.id,
        session_id=evaluation.session_id,
        kind=evaluation.kind,
        theme=offer.theme,
        due_at=evaluation.due_at,
        reminder=reminder,
    )


def evaluation_answered(
    evaluation: Evaluation, offer: Offer, collectivite_siren: str | None
) -> contract.EvaluationAnswered:
    """What the statistics count of an answer: no person, no free text."""
    assert evaluation.answered_at is not None
    return contract.EvaluationAnswered(
        evaluation_id=evaluation.id,
        offer_id=offer.id,
        kind=evaluation.kind,
        theme=offer.theme,
        format=offer.format,
        score=score(evaluation),
        collectivite_siren=collectivite_siren,
        answered_at=evaluation.answered_at,
    )


def _session(
    offer: Offer,
    session: Session,
    participants: Sequence[str],
    sirens: Sequence[str],
    sequence: int,
) -> dict[str, object]:
    return {
        "session_id": session.id,
        "kind": session_contract.SessionKind.TRAINING_SESSION,
        "related_id": offer.id,
        "theme": offer.theme,
        "title": _short(f"Formation : {offer.title}"),
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "remote": offer.remote,
        "place_label": offer.place_label,
        "place_insee": offer.place_insee,
        "participants": list(dict.fromkeys(participants)),
        "collectivite_sirens": sorted(set(sirens))[:50],
        "sequence": sequence,
    }


def session_scheduled(
    offer: Offer,
    session: Session,
    participants: Sequence[str],
    sirens: Sequence[str],
    at: datetime,
) -> session_contract.SessionScheduled:
    return session_contract.SessionScheduled(
        **_session(offer, session, participants, sirens, 0), scheduled_at=at
    )


def session_rescheduled(
    offer: Offer,
    session: Session,
    participants: Sequence[str],
    sirens: Sequence[str],
    sequence: int,
    previous_starts_at: datetime,
    reason: str | None,
    at: datetime,
) -> session_contract.SessionRescheduled:
    return session_contract.SessionRescheduled(
        **_session(offer, session, participants, sirens, sequence),
        previous_starts_at=previous_starts_at,
        reason=_short(reason) if reason else None,
        rescheduled_at=at,
    )


def session_cancelled(
    offer: Offer,
    session: Session,
    participants: Sequence[str],
    sirens: Sequence[str],
    sequence: int,
    reason: str,
    at: datetime,
) -> session_contract.SessionCancelled:
    return session_contract.SessionCancelled(
        **_session(offer, session, participants, sirens, sequence),
        reason=_short(reason),
        cancelled_at=at,
    )


# -- programmes ---------------------------------------------------------------------------


def _programme_session(
    programme: Programme, session: ProgrammeSession, sequence: int
) -> dict[str, object]:
    people = [programme.facilitator_id, *(p.person_id for p in programme.accepted())]
    sirens = {programme.territory_siren} | {
        p.collectivite_siren for p in programme.accepted() if p.collectivite_siren
    }
    return {
        "session_id": session.id,
        "kind": session_contract.SessionKind.PROGRAMME_SESSION,
        "related_id": programme.id,
        "title": _short(session.title),
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "remote": session.remote,
        "place_label": session.place_label,
        "place_insee": session.place_insee,
        "participants": list(dict.fromkeys(people)),
        "collectivite_sirens": sorted(sirens)[:50],
        "sequence": sequence,
    }


def programme_session_scheduled(
    programme: Programme, session: ProgrammeSession, at: datetime
) -> session_contract.SessionScheduled:
    return session_contract.SessionScheduled(
        **_programme_session(programme, session, 0), scheduled_at=at
    )


def programme_session_rescheduled(
    programme: Programme,
    session: ProgrammeSession,
    sequence: int,
    previous_starts_at: datetime,
    reason: str | None,
    at: datetime,
) -> session_contract.SessionRescheduled:
    return session_contract.SessionRescheduled(
        **_programme_session(programme, session, sequence),
        previous_starts_at=previous_starts_at,
        reason=_short(reason) if reason else None,
        rescheduled_at=at,
    )


def programme_session_cancelled(
    programme: Programme, session: ProgrammeSession, sequence: int, reason: str, at: datetime
) -> session_contract.SessionCancelled:
    return session_contract.SessionCancelled(
        **_programme_session(programme, session, sequence),
        reason=_short(reason),
        cancelled_at=at,
    )


def programme_invited(
    programme: Programme, participant: Participant
) -> programme_contract.ProgrammeInvited:
    return programme_contract.ProgrammeInvited(
        programme_id=programme.id,
        recipe_code=programme.recipe_code,
        person_id=participant.person_id,
        facilitator_id=programme.facilitator_id,
        territory_siren=programme.territory_siren,
        collectivite_siren=participant.collectivite_siren,
        invited_at=participant.invited_at,
    )


def programme_review_due(
    programme: Programme, participant: Participant, due_at: datetime
) -> programme_contract.ProgrammeReviewDue:
    return programme_contract.ProgrammeReviewDue(
        programme_id=programme.id,
        recipe_code=programme.recipe_code,
        person_id=participant.person_id,
        questions=len(programme.review_questions()),
        due_at=due_at,
    )
