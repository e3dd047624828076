"""What the jobs do on the unit of work's clock: questionnaires due and their reminder,
one-year rebond reminders, and offres groupées whose registration closed (their price is settled).

Each takes the rows it handles with ``FOR UPDATE SKIP LOCKED``, so replicas running
the same job share the work and never announce one thing twice.
"""

from dataclasses import replace

from deformations_contracts.events.training import RebondOccasion
from deformations_training import events
from deformations_training.domain import groups as group_rules
from deformations_training.domain.evaluations import REMINDER_AFTER
from deformations_training.service.enrolments import reprice_group
from deformations_training.service.uow import TrainingUow


async def announce_due_evaluations(uow: TrainingUow) -> int:
    due = await uow.evaluations.due(uow.now())
    if not due:
        return 0
    offers = await uow.offers.many([e.offer_id for e in due])
    await uow.emit_many([events.evaluation_due(e, offers[e.offer_id]) for e in due])
    await uow.evaluations.mark_notified([e.id for e in due], uow.now())
    return len(due)


async def remind_unanswered_evaluations(uow: TrainingUow) -> int:
    """Once, ``REMINDER_AFTER`` after a questionnaire was announced and still unanswered."""
    due = await uow.evaluations.reminders_due(uow.now() - REMINDER_AFTER)
    if not due:
        return 0
    offers = await uow.offers.many([e.offer_id for e in due])
    await uow.emit_many([events.evaluation_due(e, offers[e.offer_id], reminder=True) for e in due])
    await uow.evaluations.mark_reminded([e.id for e in due], uow.now())
    return len(due)


async def send_rebond_reminders(uow: TrainingUow) -> int:
    """A year after a module that had a rebond, propose a rebond again."""
    due = await uow.rebonds.reminders_due(uow.now())
    sent = 0
    for rebond in due:
        enrolment = await uow.enrolments.get(rebond.after_enrolment_id)
        module = await uow.offers.get(enrolment.offer_id) if enrolment else None
        if module is not None:
            await uow.emit(
                events.rebond_proposed(rebond, module, RebondOccasion.ONE_YEAR_LATER, uow.now())
            )
            sent += 1
        await uow.rebonds.save(replace(rebond, reminded_at=uow.now()))
    return sent


async def settle_closed_groups(uow: TrainingUow) -> int:
    groups = await uow.enrolments.unsettled_groups_closed_by(uow.now())
    for group in groups:
        offer = await uow.offers.get(group.offer_id, for_update=True)
        if offer is None:
            continue
        members = await uow.enrolments.confirmed_in_group(group.id)
        settled = group_rules.settle(group, offer, len(members), uow.now())
        await uow.enrolments.save_group(settled)
        await reprice_group(uow, offer, group.id)
    return len(groups)
