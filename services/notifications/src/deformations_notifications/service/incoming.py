"""What an incoming event causes: notifications for the people concerned, webhook
deliveries, and the read models that later events need (teams, family labels, who holds
which role in which collectivité).

Each use case runs in the consumer's unit of work (the inbox transaction): a redelivered
event records nothing twice, since every row has a unique dedup key.
"""

from __future__ import annotations

from deformations_common.logging import get_logger
from deformations_common.vocabulary.erasure import still_present
from deformations_contracts.base import EventData
from deformations_contracts.cloudevents import CloudEventAttributes
from deformations_contracts.events.diagnosis import DiagnosisCompleted, DiagnosisTeamUpdated
from deformations_contracts.events.matching import MatchProposed, ProposalKind
from deformations_contracts.events.people import MembershipChanged, PersonErasureRequested
from deformations_contracts.events.sessions import (
    SessionCancelled,
    SessionRescheduled,
    SessionScheduled,
)
from deformations_contracts.registry import routing_keys
from deformations_notifications.domain.audience import audience_of, team_membership
from deformations_notifications.domain.contexts import shared_context_of, without
from deformations_notifications.domain.planning import IncomingEvent
from deformations_notifications.domain.proposals import (
    GROUP_FORMED,
    PEER_GROUP_MAILS,
    already_accepted,
)
from deformations_notifications.repositories.memberships import MembershipRow
from deformations_notifications.service.marks import record_marks_prompts
from deformations_notifications.service.recipients import erase_person
from deformations_notifications.service.recording import record_plan, record_webhooks, resolve
from deformations_notifications.service.reminders import record_reminders
from deformations_notifications.service.uow import NotificationsUow

log = get_logger()

# News whose latest state is all people need: a newer one replaces those not sent yet.
LATEST_STATE_ONLY = frozenset(routing_keys(DiagnosisTeamUpdated))


def incoming(event: EventData, attributes: CloudEventAttributes) -> IncomingEvent:
    return IncomingEvent(
        source=attributes.source,
        id=str(attributes.id),
        routing_key=event.routing_key,
        occurred_at=attributes.time,
        data=event.model_dump(mode="json"),
    )


async def _superseded(uow: NotificationsUow, event: EventData, message: IncomingEvent) -> bool:
    if message.routing_key in LATEST_STATE_ONLY:
        return await uow.notifications.supersede_older_states(
            message.name, message.item_key, message.occurred_at
        )
    return await _superseded_invitation(uow, event)


async def _superseded_invitation(uow: NotificationsUow, event: EventData) -> bool:
    """An invitation older than one already received for the session is not sent, and
    this one replaces those of the session still waiting to go (quiet hours)."""
    if not isinstance(event, SessionScheduled | SessionRescheduled | SessionCancelled):
        return False
    session_id = str(event.session_id)
    highest = await uow.read_models.raise_session_version(session_id, event.sequence)
    await uow.notifications.supersede_older_invitations(session_id, event.sequence)
    return event.sequence < highest


async def _told_before(uow: NotificationsUow, event: EventData, people: set[str]) -> set[str]:
    """A replacement's proposal names everyone still in the group: only the newcomers are
    told; the others were by the group's first proposal, and answered on its page."""
    if not isinstance(event, MatchProposed) or event.kind is not ProposalKind.PEER_GROUP:
        return set()
    if event.peer_call_id is None or not people:
        return set()
    return await uow.notifications.told_of_peer_call(
        people, str(event.peer_call_id), PEER_GROUP_MAILS
    )


async def record_notifications(
    uow: NotificationsUow, event: EventData, message: IncomingEvent
) -> int:
    named = await resolve(uow, audience_of(event))
    people = still_present(named, await uow.erased_people.erased_among(named))
    if len(people) < len(named):
        log.info("notifications.erased_people_skipped", event_type=event.routing_key)
    people -= await _told_before(uow, event, people)
    if not people:
        return 0
    superseded = await _superseded(uow, event, message)
    now = uow.now()
    formed = people & already_accepted(event)
    recorded = await record_plan(uow, message, people - formed, now, superseded=superseded)
    if formed:
        recorded += await record_plan(
            uow, message, formed, now, superseded=superseded, template=GROUP_FORMED
        )
    if isinstance(event, SessionScheduled | SessionRescheduled) and not superseded:
        recorded += await record_reminders(uow, event, message, people)
        recorded += await record_marks_prompts(uow, event, message, people)
    return recorded


async def handle_event(
    uow: NotificationsUow, event: EventData, attributes: CloudEventAttributes
) -> None:
    """Any event of the catalogue: to subscribed systems, and to the people concerned."""
    message = incoming(event, attributes)
    await record_webhooks(uow, message, attributes)
    await record_shared_context(uow, event)
    await record_notifications(uow, event, message)


async def record_shared_context(uow: NotificationsUow, event: EventData) -> None:
    """Who the event puts together may write to each other through the relay."""
    context = shared_context_of(event)
    if context is None:
        return
    erased = await uow.erased_people.erased_among(context.people)
    await uow.relay.add_to_context(without(context, erased))


async def handle_diagnosis_completed(
    uow: NotificationsUow, event: DiagnosisCompleted, attributes: CloudEventAttributes
) -> None:
    """Keeps the family's label and the campaign's team, then tells as any event."""
    if event.family_label:
        await uow.read_models.remember_family_label(event.family, event.family_label)
    membership = team_membership(event)
    if membership is not None and not await uow.erased_people.is_erased(membership[1]):
        await uow.recipients.add_campaign_member(*membership)
    await handle_event(uow, event, attributes)


async def handle_membership_changed(
    uow: NotificationsUow, event: MembershipChanged, attributes: CloudEventAttributes
) -> None:
    """Keeps who holds which role where (none for a person already erased), then tells
    subscribed systems as any event."""
    if await uow.erased_people.is_erased(event.person_id):
        log.info("notifications.membership_of_erased_person_skipped")
    else:
        await uow.memberships.upsert(MembershipRow.of(event))
    await handle_event(uow, event, attributes)


async def handle_erasure_requested(
    uow: NotificationsUow, event: PersonErasureRequested, attributes: CloudEventAttributes
) -> None:
    """Erases the person here; subscribed systems hold personal data too, and are told.
    The tombstone (not kept when a person only removes their contact details) keeps late
    events from notifying them again."""
    await erase_person(uow, event.person_id)
    # Not with one's contact details (``erase_person``): removing them leaves the person a
    # member of their collectivité, whose role mails wait for them to register again.
    await uow.memberships.erase_person(event.person_id)
    await uow.erased_people.record(event.person_id, uow.now())
    await record_webhooks(uow, incoming(event, attributes), attributes)
