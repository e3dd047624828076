"""The boussole's rules: size classes, the survey's bounds, the grid, the follow-up."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from deformations_training.domain.boussole import (
    Boussole,
    Dispositif,
    RoadmapItem,
    TrialStatus,
    size_class,
)
from deformations_training.domain.errors import InvalidTrainingInput, InvalidTransition

NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("population", "size"),
    [
        (190, "XXS"),
        (499, "XXS"),
        (500, "XS"),
        (8_658, "S"),
        (40_595, "M"),
        (156_140, "L"),
        (250_000, "XL"),
        (519_127, "XXL"),
    ],
)
def test_size_classes_from_the_population(population: int, size: str) -> None:
    assert size_class(population) == size


def test_the_grid_needs_ten_collectivites_and_the_survey_stops_at_fifteen() -> None:
    boussole = Boussole(uuid4())
    for i in range(9):
        boussole.add_collectivite(f"21260{i:04d}", f"Commune {i}", 300 * (i + 1))
        boussole.add_dispositif(f"21260{i:04d}", Dispositif(uuid4(), "Atelier citoyen", "", 3, 2))
    with pytest.raises(InvalidTransition):
        boussole.grid()
    for i in range(9, 15):
        boussole.add_collectivite(f"21260{i:04d}", f"Commune {i}", 100_000 * i)
    assert len(boussole.grid()) == 9
    with pytest.raises(InvalidTransition):
        boussole.add_collectivite("212699999", "De trop", 10)
    with pytest.raises(InvalidTransition):
        boussole.add_collectivite("212600000", "Encore", 10)
    with pytest.raises(InvalidTrainingInput):
        boussole.add_dispositif("212600000", Dispositif(uuid4(), "Hors échelle", "", 0, 2))
    assert boussole.sizes_covered()[0] == "XXS" and boussole.sizes_covered()[-1] == "XXL"


def test_a_tried_dispositif_says_what_it_did() -> None:
    boussole = Boussole(uuid4())
    boussole.add_collectivite("938438454", "Saillans", 1460)
    item = RoadmapItem(uuid4(), "Budget participatif", "Commencer petit.")
    boussole.add_to_roadmap("938438454", item)
    with pytest.raises(InvalidTrainingInput):
        boussole.follow_up("938438454", item.id, TrialStatus.TRIED, " ", NOW)
    boussole.follow_up("938438454", item.id, TrialStatus.ABANDONED, "", NOW)
    assert boussole.collectivite("938438454").roadmap[0].status is TrialStatus.ABANDONED
