"""person.erasure_requested.v1 through the real broker: the person's rows lose their id
and the trainer's text about them; amounts and anonymous answers stay; their carnet de
bord goes entirely."""

from datetime import timedelta

from training_factories import BODY, CREST, NOW
from training_service import OPERATOR_ACTOR, Service, elu, publish

from deformations_common.codec import encode
from deformations_common.messaging import publish_once
from deformations_contracts.events.people import PersonErasureRequested
from deformations_contracts.events.training import RebondKind
from deformations_devtools.testing import wait_until
from deformations_training.domain.carnet import EntryKind
from deformations_training.domain.policy import Actor
from deformations_training.domain.programmes import MaterialKind
from deformations_training.service import carnet, enrolments, journey, programmes
from deformations_training.service.programmes import Invitee


async def test_an_erased_person_leaves_no_id_and_no_debrief(service: Service) -> None:
    offer = await publish(service, capacity=5)
    trainer = Actor("formatrice", BODY, frozenset({"trainer"}))
    async with service.begin() as uow:
        e = await enrolments.enrol(
            uow, elu("elu-x"), offer.id, person_id="elu-x", collectivite_siren=CREST
        )
    service.clock.set(NOW + timedelta(days=22))
    async with service.begin() as uow:
        await enrolments.record_attendance(uow, trainer, e.id, offer.sessions[0].id, True)
        await journey.propose(
            uow,
            trainer,
            e.id,
            kind=RebondKind.VISIT,
            offer_id=None,
            debrief="Élu très investi sur la rénovation de l'école.",
            proposal="Visiter la chaufferie bois de Saillans.",
        )

    event = PersonErasureRequested(person_id="elu-x", requested_at=NOW + timedelta(days=23))
    await publish_once(
        service.amqp_url, service.settings.events_exchange, [encode(event, source="portal")]
    )

    async def erased() -> bool:
        async with service.runtime.pool.acquire() as conn:
            left = await conn.fetchval(
                "SELECT (SELECT count(*) FROM enrolments WHERE person_id = 'elu-x')"
                " + (SELECT count(*) FROM rebonds WHERE person_id = 'elu-x')"
                " + (SELECT count(*) FROM evaluations WHERE person_id = 'elu-x')"
            )
        return left == 0

    await wait_until(erased, what="the erasure of elu-x")
    async with service.runtime.pool.acquire() as conn:
        rebond = await conn.fetchrow("SELECT debrief, proposal FROM rebonds")
        price = await conn.fetchval("SELECT sum(price_cents) FROM enrolments")
    assert rebond is not None and "rénovation" not in rebond["debrief"]
    assert price == 20_000  # the budget still counts what was spent
    assert OPERATOR_ACTOR.operator


async def test_an_erased_person_leaves_no_carnet_and_no_id_in_programmes(service: Service) -> None:
    coach = Actor("coach-x", None, frozenset({"trainer"}))
    person = elu("elu-y")
    async with service.begin() as uow:
        started = await programmes.start(
            uow, coach, recipe_code="t02_carnet_de_bord", territory_siren=CREST
        )
        await programmes.invite(uow, coach, started.id, [Invitee("elu-y", CREST)])
        await programmes.answer_invitation(uow, person, started.id, accept=True)
        await programmes.add_material(
            uow,
            person,
            started.id,
            step_key="lancer",
            kind=MaterialKind.NOTE,
            title="Mes objectifs",
            body="Comprendre les marchés publics.",
        )
        await carnet.write(
            uow, person, started.id, kind=EntryKind.NOTE, title="Privé", body="Rien", tags=[]
        )

    event = PersonErasureRequested(person_id="elu-y", requested_at=NOW + timedelta(days=1))
    await publish_once(
        service.amqp_url, service.settings.events_exchange, [encode(event, source="portal")]
    )

    async def erased() -> bool:
        async with service.runtime.pool.acquire() as conn:
            left = await conn.fetchval(
                "SELECT (SELECT count(*) FROM carnet_entries)"
                " + (SELECT count(*) FROM programme_people WHERE person_id = 'elu-y')"
                " + (SELECT count(*) FROM programmes WHERE state::text LIKE '%elu-y%')"
            )
        return left == 0

    await wait_until(erased, what="the erasure of elu-y from programmes")
    async with service.begin() as uow:
        kept = await uow.programmes.get(started.id)
    assert kept is not None and kept.materials[0].body == "Comprendre les marchés publics."
    assert kept.participants[0].person_id.startswith("effacee-")
