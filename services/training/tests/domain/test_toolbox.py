"""The territorial toolbox: the host's figures from the COG."""

import pytest

from deformations_training.domain.errors import NotFound
from deformations_training.domain.toolbox import toolbox_of


def test_a_commune_host_sees_its_epci_its_share_and_its_neighbours() -> None:
    box = toolbox_of("212601082")  # Crest
    assert (box.host.name, box.host.population, box.kind) == ("Crest", 8658, "commune")
    assert box.epci is not None and box.epci.siren == "200040509"
    assert box.share_of_epci == round(100 * 8658 / box.epci.population, 1)
    names = [n.name for n in box.neighbours]
    assert "Saillans" in names and "Crest" not in names
    populations = [n.population for n in box.neighbours]
    assert populations == sorted(populations, reverse=True)
    assert box.departement == "Drôme"


def test_an_epci_host_lists_its_member_communes() -> None:
    box = toolbox_of("200040293")  # CC du Clunisois
    assert box.kind == "CC" and box.epci is None
    assert box.neighbours[0].name == "Cluny"
    # The EPCI's figure is its own (population totale); its members' add up close to it.
    assert 0.9 * box.host.population <= sum(n.population for n in box.neighbours)


def test_an_unknown_host_is_not_found() -> None:
    with pytest.raises(NotFound):
        toolbox_of("123456789")
