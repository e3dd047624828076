"""Programme and carnet de bord use cases over an in-memory unit of work."""

import itertools
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from fake_uow import FakeUow, Store
from jsonschema import Draft202012Validator, FormatChecker

from deformations_common.vocabulary.clock import ManualClock
from deformations_contracts.events.programmes import ProgrammeInvited, ProgrammeReviewDue
from deformations_contracts.events.sessions import (
    SessionCancelled,
    SessionKind,
    SessionRescheduled,
    SessionScheduled,
)
from deformations_contracts.schemas import schema_of
from deformations_training.domain.carnet import EntryKind
from deformations_training.domain.codev import session_agenda
from deformations_training.domain.errors import Forbidden, InvalidTrainingInput, NotFound
from deformations_training.domain.policy import Actor
from deformations_training.domain.programmes import MaterialKind, StepStatus
from deformations_training.service import carnet, programmes
from deformations_training.service.programmes import Invitee, PlannedSession

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CLUNISOIS = "200040293"
CLUNY = "217101377"
COACH = Actor("coach-1", CLUNISOIS, frozenset({"trainer"}))
ELU1 = Actor("elu-1", CLUNY, frozenset({"elected"}))
ELU2 = Actor("elu-2", CLUNY, frozenset({"elected"}))
OPERATOR = Actor("op-1", None, frozenset({"operator"}))


@pytest.fixture
def uow() -> FakeUow:
    return FakeUow(Store(), ManualClock(NOW))


def valid(event: object) -> None:
    validator = Draft202012Validator(schema_of(type(event)), format_checker=FormatChecker())  # type: ignore[arg-type]
    validator.validate(event.model_dump(mode="json"))  # type: ignore[attr-defined]


async def test_a_non_conference_runs_from_invitations_to_its_closing_review(uow: FakeUow) -> None:
    p = await programmes.start(
        uow, COACH, recipe_code="t10_non_conference", territory_siren=CLUNISOIS
    )
    await programmes.invite(uow, COACH, p.id, [Invitee("elu-1", CLUNY), Invitee("elu-2")])
    await programmes.invite(uow, COACH, p.id, [Invitee("elu-1", CLUNY)])  # twice: no new event
    invited = [e for e in uow.store.events if isinstance(e, ProgrammeInvited)]
    assert sorted(e.person_id for e in invited) == ["elu-1", "elu-2"]

    starts = NOW + timedelta(days=20)
    session = await programmes.plan_session(
        uow,
        COACH,
        p.id,
        PlannedSession(
            "jour_j",
            "La non-conférence",
            starts,
            starts + timedelta(hours=4),
            place_label="Salle des fêtes de Cluny",
        ),
    )
    scheduled = [e for e in uow.store.events if isinstance(e, SessionScheduled)]
    assert len(scheduled) == 1 and scheduled[0].kind is SessionKind.PROGRAMME_SESSION
    assert scheduled[0].participants == ["coach-1"] and scheduled[0].related_id == p.id

    await programmes.answer_invitation(uow, ELU1, p.id, accept=True)
    await programmes.answer_invitation(uow, ELU2, p.id, accept=False)
    moved = [e for e in uow.store.events if isinstance(e, SessionRescheduled)]
    assert moved[-1].participants == ["coach-1", "elu-1"] and moved[-1].sequence == 1

    await programmes.reschedule_session(
        uow,
        COACH,
        p.id,
        session.id,
        starts_at=starts + timedelta(days=1),
        ends_at=starts + timedelta(days=1, hours=4),
        reason="Salle indisponible",
    )
    assert [e for e in uow.store.events if isinstance(e, SessionRescheduled)][-1].sequence == 2

    await programmes.start_step(uow, COACH, p.id, "jour_j")
    await programmes.add_material(
        uow,
        ELU1,
        p.id,
        step_key="jour_j",
        kind=MaterialKind.NOTE,
        title="Atelier mobilité",
        body="Covoiturage : trois communes partantes.",
    )
    with pytest.raises(Forbidden):
        await programmes.add_material(
            uow,
            ELU2,
            p.id,
            step_key="jour_j",
            kind=MaterialKind.NOTE,
            title="Intrus",
            body="Je n'ai pas accepté.",
        )
    with pytest.raises(Forbidden):
        await programmes.start_step(uow, ELU1, p.id, "suites")
    await programmes.finish_step(uow, COACH, p.id, "jour_j")
    stored = await programmes.get(uow, ELU1, p.id)
    assert stored.step("jour_j").status is StepStatus.DONE and len(stored.materials) == 1

    await programmes.close(uow, COACH, p.id)
    due = [e for e in uow.store.events if isinstance(e, ProgrammeReviewDue)]
    assert [(e.person_id, e.questions) for e in due] == [("elu-1", 2)]
    await programmes.answer_review(uow, ELU1, p.id, [(4, "Vivement la suivante"), (3, None)])
    summary = await programmes.review_summary(uow, COACH, p.id)
    assert [(m, n) for _, m, n in summary] == [(4.0, 1), (3.0, 1)]
    for event in uow.store.events:
        valid(event)


async def test_a_cancelled_session_is_announced_to_the_members(uow: FakeUow) -> None:
    p = await programmes.start(uow, COACH, recipe_code="t02_carnet_de_bord", territory_siren=CLUNY)
    starts = NOW + timedelta(days=30)
    session = await programmes.plan_session(
        uow,
        COACH,
        p.id,
        PlannedSession(
            "coaching", "Rendez-vous coaching", starts, starts + timedelta(hours=1), remote=True
        ),
    )
    await programmes.cancel_session(uow, COACH, p.id, session.id, reason="Coach malade")
    cancelled = [e for e in uow.store.events if isinstance(e, SessionCancelled)]
    assert len(cancelled) == 1 and cancelled[0].sequence == 1


async def test_outsiders_neither_read_nor_run_a_programme(uow: FakeUow) -> None:
    p = await programmes.start(uow, COACH, recipe_code="t04_elus_enqueteurs", territory_siren=CLUNY)
    with pytest.raises(Forbidden):
        await programmes.get(uow, ELU1, p.id)
    with pytest.raises(Forbidden):
        await programmes.invite(uow, ELU1, p.id, [Invitee("elu-2")])
    await programmes.invite(uow, OPERATOR, p.id, [Invitee("elu-1")])
    assert (await programmes.get(uow, ELU1, p.id)).id == p.id  # an invitee reads it
    assert [x.id for x in await programmes.of_person(uow, ELU1)] == [p.id]
    with pytest.raises(NotFound):
        await programmes.get(uow, COACH, UUID(int=0))


async def test_a_carnet_entry_stays_private_until_shared_and_unsharing_hides_it(
    uow: FakeUow,
) -> None:
    p = await programmes.start(uow, COACH, recipe_code="t02_carnet_de_bord", territory_siren=CLUNY)
    await programmes.invite(uow, COACH, p.id, [Invitee("elu-1"), Invitee("elu-2")])
    await programmes.answer_invitation(uow, ELU1, p.id, accept=True)
    await programmes.answer_invitation(uow, ELU2, p.id, accept=True)
    entry = await carnet.write(
        uow,
        ELU1,
        p.id,
        kind=EntryKind.RESOURCE,
        title="Un MOOC sur la sobriété",
        body="Chapitres 1 à 3.",
        tags=["energie"],
        url="https://example.org/mooc",
    )
    for reader in (COACH, ELU2, OPERATOR):
        with pytest.raises(NotFound):
            await carnet.read(uow, reader, entry.id)
    assert await carnet.shared_with_coach(uow, COACH, p.id) == []
    with pytest.raises(NotFound):
        await carnet.set_shared(uow, COACH, entry.id, shared=True)  # only the author shares

    await carnet.set_shared(uow, ELU1, entry.id, shared=True)
    assert (await carnet.read(uow, COACH, entry.id)).title == "Un MOOC sur la sobriété"
    assert [e.id for e in await carnet.shared_with_coach(uow, COACH, p.id)] == [entry.id]
    with pytest.raises(NotFound):
        await carnet.read(uow, ELU2, entry.id)
    with pytest.raises(Forbidden):
        await carnet.shared_with_coach(uow, OPERATOR, p.id)

    await carnet.set_shared(uow, ELU1, entry.id, shared=False)
    with pytest.raises(NotFound):
        await carnet.read(uow, COACH, entry.id)
    assert await carnet.shared_with_coach(uow, COACH, p.id) == []
    assert [e.id for e in await carnet.mine(uow, ELU1, p.id)] == [entry.id]
    assert await carnet.mine(uow, ELU2, p.id) == []


async def test_the_toolbox_shows_the_host_figures_of_a_macro_micro_workshop_only(
    uow: FakeUow,
) -> None:
    workshop = await programmes.start(
        uow, COACH, recipe_code="t05_atelier_macro_micro", territory_siren=CLUNY
    )
    box = await programmes.toolbox(uow, COACH, workshop.id)
    assert box.host.name == "Cluny" and box.epci is not None
    assert box.epci.name == "CC du Clunisois"
    other = await programmes.start(
        uow, COACH, recipe_code="t10_non_conference", territory_siren=CLUNY
    )
    with pytest.raises(NotFound):
        await programmes.toolbox(uow, COACH, other.id)
    with pytest.raises(Forbidden):
        await programmes.toolbox(uow, ELU1, workshop.id)


async def test_a_trainer_joins_the_codev_by_accepting_its_charter_and_outputs_are_shared(
    uow: FakeUow,
) -> None:
    lead = Actor("formatrice-1", None, frozenset({"trainer"}))
    peer = Actor("formateur-2", None, frozenset({"trainer"}))
    other_trainer = Actor("formateur-3", None, frozenset({"trainer"}))
    group = await programmes.start(
        uow, lead, recipe_code="t11_codev_formateurs", territory_siren=CLUNISOIS
    )
    await programmes.invite(uow, lead, group.id, [Invitee(peer.person_id)])
    with pytest.raises(InvalidTrainingInput):
        await programmes.answer_invitation(uow, peer, group.id, accept=True)
    joined = await programmes.answer_invitation(
        uow, peer, group.id, accept=True, charter_accepted=True
    )
    assert joined.participant(peer.person_id).charter_accepted_at == NOW  # type: ignore[union-attr]
    await programmes.add_material(
        uow,
        peer,
        group.id,
        step_key="seance",
        kind=MaterialKind.NOTE,
        title="Le cas",
        body="Mesurer l'impact d'une formation d'élus à six mois.",
    )
    await programmes.add_material(
        uow,
        peer,
        group.id,
        step_key="visibilite",
        kind=MaterialKind.LINK,
        title="Article de blog",
        body="https://blog.example.org/codev-impact",
    )
    outputs = await programmes.codev_outputs(uow, other_trainer)
    assert [m.title for _, m in outputs] == ["Article de blog"]
    with pytest.raises(Forbidden):
        await programmes.codev_outputs(uow, ELU1)


def test_a_codev_session_runs_its_six_steps_within_two_hours() -> None:
    agenda = session_agenda(NOW)
    assert next(i.title for i in agenda) == "Exposé de la problématique"
    assert len(agenda) == 6 and agenda[-1].ends_at - NOW <= timedelta(hours=2)
    assert all(a.ends_at == b.starts_at for a, b in itertools.pairwise(agenda))
