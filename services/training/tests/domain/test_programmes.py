"""The programme aggregate's rules, without any server."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from deformations_contracts.catalogue.programmes import load_programmes
from deformations_training.domain.carnet import EntryKind, write_entry
from deformations_training.domain.errors import (
    Forbidden,
    InvalidTrainingInput,
    InvalidTransition,
    NotFound,
)
from deformations_training.domain.policy import Actor
from deformations_training.domain.programmes import (
    InvitationStatus,
    Material,
    MaterialKind,
    Programme,
    ProgrammeSession,
    ProgrammeStatus,
    StepStatus,
    start_programme,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CLUNISOIS = "200040293"  # CC du Clunisois
CLUNY = "217101377"
COACH = Actor("coach-1", None, frozenset({"trainer"}))


def programme(code: str = "t10_non_conference") -> Programme:
    return start_programme(
        programme_id=uuid4(),
        recipe_code=code,
        territory_siren=CLUNISOIS,
        facilitator=COACH,
        title=None,
        at=NOW,
    )


def session(step: str = "jour_j", days: int = 10, **extra: object) -> ProgrammeSession:
    starts = NOW + timedelta(days=days)
    values: dict[str, object] = {
        "id": uuid4(),
        "step_key": step,
        "title": "La non-conférence du Clunisois",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=4),
        "remote": False,
        "place_label": "Salle des fêtes de Cluny",
        "place_insee": None,
    }
    values.update(extra)
    return ProgrammeSession(**values)  # type: ignore[arg-type]


def test_a_programme_starts_with_the_recipes_steps_for_a_known_territory() -> None:
    started = programme()
    recipe = load_programmes().find("t10_non_conference")
    assert [s.key for s in started.steps] == [s.key for s in recipe.steps]
    assert all(s.status is StepStatus.TODO for s in started.steps)
    assert "Clunisois" in started.title and started.progress() == 0


@pytest.mark.parametrize(
    ("code", "territory", "error"),
    [
        ("t07_groupe_entraide", CLUNISOIS, InvalidTransition),  # has its tool
        ("t99_inconnue", CLUNISOIS, NotFound),
        ("t10_non_conference", "123456789", InvalidTrainingInput),
    ],
)
def test_a_programme_is_refused_for_a_tool_recipe_an_unknown_recipe_or_territory(
    code: str, territory: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        start_programme(
            programme_id=uuid4(),
            recipe_code=code,
            territory_siren=territory,
            facilitator=COACH,
            title=None,
            at=NOW,
        )


def test_the_tool_recipe_refusal_points_to_the_tool() -> None:
    with pytest.raises(InvalidTransition) as refused:
        programme("t08_pret_de_competences")
    assert "prêt" in refused.value.message


def test_invitations_are_answered_once_and_only_by_the_invitee() -> None:
    p = programme()
    assert p.invite("elu-1", CLUNY, NOW) is True
    assert p.invite("elu-1", CLUNY, NOW) is False
    with pytest.raises(InvalidTrainingInput):
        p.invite("elu-2", "000000000", NOW)
    with pytest.raises(NotFound):
        p.answer_invitation("elu-9", True, NOW)
    p.answer_invitation("elu-1", True, NOW)
    assert p.participant("elu-1").status is InvitationStatus.ACCEPTED  # type: ignore[union-attr]
    with pytest.raises(InvalidTransition):
        p.answer_invitation("elu-1", False, NOW)
    assert p.is_member("elu-1") and p.is_member(COACH.person_id)


def test_steps_are_started_then_finished_and_count_towards_progress() -> None:
    p = programme()
    with pytest.raises(InvalidTransition):
        p.finish_step("attendus", NOW)
    p.start_step("attendus", NOW)
    p.finish_step("attendus", NOW)
    p.finish_step("mode_emploi", NOW, skipped=True)
    assert p.step("attendus").status is StepStatus.DONE
    assert p.progress() == pytest.approx(2 / 6)
    with pytest.raises(NotFound):
        p.start_step("nope", NOW)


def test_material_needs_a_title_a_body_and_a_real_link() -> None:
    p = programme()

    def material(kind: MaterialKind, body: str, title: str = "Notes de l'atelier") -> Material:
        return Material(uuid4(), "jour_j", "elu-1", kind, title, body, NOW)

    p.add_material(material(MaterialKind.NOTE, "Atelier mobilité : covoiturage rural."))
    with pytest.raises(InvalidTrainingInput):
        p.add_material(material(MaterialKind.LINK, "javascript:alert(1)"))
    with pytest.raises(InvalidTrainingInput):
        p.add_material(material(MaterialKind.NOTE, "   "))
    with pytest.raises(InvalidTrainingInput):
        p.add_material(material(MaterialKind.NOTE, "texte", title="x"))
    assert len(p.materials) == 1


def test_sessions_are_planned_on_steps_held_as_sessions_in_the_future_with_a_place() -> None:
    p = programme()
    p.plan_session(session(), NOW)
    with pytest.raises(InvalidTrainingInput):
        p.plan_session(session(step="mode_emploi"), NOW)  # a step without session
    with pytest.raises(InvalidTrainingInput):
        p.plan_session(session(days=-1), NOW)
    with pytest.raises(InvalidTrainingInput):
        p.plan_session(session(place_label=None), NOW)
    planned = p.sessions[0]
    previous = p.reschedule_session(
        planned.id, planned.starts_at + timedelta(days=1), planned.ends_at + timedelta(days=1), NOW
    )
    assert previous == NOW + timedelta(days=10) and planned.sequence == 1
    p.cancel_session(planned.id, NOW)
    with pytest.raises(InvalidTransition):
        p.cancel_session(planned.id, NOW)


def test_the_closing_review_asks_the_recipes_criteria_of_the_accepted_participants() -> None:
    p = programme()
    p.invite("elu-1", CLUNY, NOW)
    p.invite("elu-2", None, NOW)
    p.answer_invitation("elu-1", True, NOW)
    with pytest.raises(InvalidTransition):
        p.answer_review("elu-1", [(4, None), (3, None)], NOW)
    p.close(NOW)
    assert p.status is ProgrammeStatus.CLOSED
    assert all(s.status is StepStatus.SKIPPED for s in p.steps)
    assert p.review_questions() == load_programmes().find("t10_non_conference").happy_if
    with pytest.raises(InvalidTrainingInput):
        p.answer_review("elu-1", [(4, None)], NOW)
    with pytest.raises(InvalidTrainingInput):
        p.answer_review("elu-1", [(5, None), (3, None)], NOW)
    with pytest.raises(Forbidden):
        p.answer_review("elu-2", [(4, None), (3, None)], NOW)  # never accepted
    p.answer_review("elu-1", [(4, " Très riche "), (2, None)], NOW)
    with pytest.raises(InvalidTransition):
        p.answer_review("elu-1", [(4, None), (3, None)], NOW)
    assert [(mean, n) for _, mean, n in p.review_summary()] == [(4.0, 1), (2.0, 1)]
    assert p.reviews[0].answers[0].comment == "Très riche"
    with pytest.raises(InvalidTransition):
        p.invite("elu-3", None, NOW)


def test_a_carnet_entry_is_private_until_shared_and_only_with_the_coach() -> None:
    p = programme("t02_carnet_de_bord")
    p.invite("elu-1", CLUNY, NOW)
    p.invite("elu-2", CLUNY, NOW)
    p.answer_invitation("elu-1", True, NOW)
    p.answer_invitation("elu-2", True, NOW)
    entry = write_entry(
        entry_id=uuid4(),
        programme=p,
        author_id="elu-1",
        kind=EntryKind.SITUATION,
        title="Une réunion publique houleuse",
        body="J'ai appris à reformuler.",
        tags=["Concertation", "concertation", "posture"],
        offer_id=None,
        url=None,
        at=NOW,
    )
    assert entry.tags == ["concertation", "posture"]
    assert entry.visible_to("elu-1", p)
    assert not entry.visible_to(COACH.person_id, p)
    assert not entry.visible_to("elu-2", p)
    entry.shared_at = NOW
    assert entry.visible_to(COACH.person_id, p)
    assert not entry.visible_to("elu-2", p)


def test_a_carnet_entry_is_refused_outside_a_carnet_or_with_bad_tags() -> None:
    other = programme()
    with pytest.raises(InvalidTrainingInput):
        write_entry(
            entry_id=uuid4(),
            programme=other,
            author_id="elu-1",
            kind=EntryKind.NOTE,
            title="Une note",
            body="",
            tags=[],
            offer_id=None,
            url=None,
            at=NOW,
        )
    carnet = programme("t02_carnet_de_bord")
    carnet.invite("elu-1", None, NOW)
    carnet.answer_invitation("elu-1", True, NOW)
    with pytest.raises(InvalidTrainingInput):
        write_entry(
            entry_id=uuid4(),
            programme=carnet,
            author_id="elu-1",
            kind=EntryKind.NOTE,
            title="Une note",
            body="",
            tags=["deux mots"],
            offer_id=None,
            url=None,
            at=NOW,
        )
