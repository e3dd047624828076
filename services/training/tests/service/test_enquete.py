"""Les élus enquêteurs over the in-memory unit of work."""

from datetime import UTC, datetime

import pytest
from fake_uow import FakeUow, Store

from deformations_common.vocabulary.clock import ManualClock
from deformations_training.domain.enquete import FieldStatus
from deformations_training.domain.errors import Forbidden, InvalidTrainingInput
from deformations_training.domain.policy import Actor
from deformations_training.service import enquete, programmes
from deformations_training.service.programmes import Invitee

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CC_CRESTOIS = "200040509"
CORMATIN = "217101450"
COACH = Actor("animateur", None, frozenset({"trainer"}))
ELU = Actor("enqueteur-1", None, frozenset({"elected"}))
MET = Actor("maire-cormatin", CORMATIN, frozenset({"elected"}))
STRANGER = Actor("inconnu", None, frozenset({"elected"}))


@pytest.fixture
def uow() -> FakeUow:
    return FakeUow(Store(), ManualClock(NOW))


async def test_an_enquiry_from_its_question_to_learnings_shared_with_its_network(
    uow: FakeUow,
) -> None:
    p = await programmes.start(
        uow, COACH, recipe_code="t04_elus_enqueteurs", territory_siren=CC_CRESTOIS
    )
    await programmes.invite(uow, COACH, p.id, [Invitee(ELU.person_id)])
    await programmes.answer_invitation(uow, ELU, p.id, accept=True)
    entry = await enquete.add_field(
        uow,
        ELU,
        p.id,
        collectivite_siren=CORMATIN,
        whom="La maire",
        place="Mairie de Cormatin",
        person_id=MET.person_id,
    )
    assert entry.collectivite == "Cormatin"
    with pytest.raises(InvalidTrainingInput):
        await enquete.add_field(
            uow, ELU, p.id, collectivite_siren="123456789", whom="Personne", place="Nulle part"
        )
    with pytest.raises(InvalidTrainingInput):
        await enquete.interview(uow, ELU, p.id, entry.id, "Trop tôt : pas de question.")
    await enquete.set_question(
        uow,
        ELU,
        p.id,
        question="Qu'ont appris les communes qui ont porté un méthaniseur ?",
        guide=["Le déclencheur ?", "Les oppositions ?"],
    )
    met = await enquete.interview(uow, ELU, p.id, entry.id, "Le portage agricole a rassuré.")
    assert met.status is FieldStatus.MET and met.met_at == NOW
    await enquete.learn(uow, ELU, p.id, "Associer les agriculteurs dès le départ.", share=True)
    await enquete.learn(uow, ELU, p.id, "Brouillon pas encore partagé.")

    for reader in (ELU, MET):
        shared = await enquete.shared_learnings(uow, reader, p.id)
        assert [item.text for item in shared] == ["Associer les agriculteurs dès le départ."]
    with pytest.raises(Forbidden):
        await enquete.shared_learnings(uow, STRANGER, p.id)
    with pytest.raises(Forbidden):
        await enquete.view(uow, MET, p.id)  # the whole enquiry stays the group's
    assert (await enquete.view(uow, COACH, p.id)).network() == [MET.person_id]
