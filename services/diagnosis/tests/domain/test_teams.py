"""Teams from the COG: a council named with French elision, an EPCI with its communes."""

from __future__ import annotations

import pytest

from deformations_contracts.events.diagnosis import TeamKind
from deformations_diagnosis.domain.teams import (
    CollectiviteRequiredError,
    UnknownCollectiviteError,
    intercommunality,
    municipal_council,
    team_for,
)


@pytest.mark.parametrize(
    ("insee", "label"),
    [
        ("71137", "Conseil municipal de Cluny"),
        ("26011", "Conseil municipal d'Aouste-sur-Sye"),
        ("26243", "Conseil municipal du Poët-Laval"),
        ("07334", "Conseil municipal des Vans"),
    ],
)
def test_a_council_is_named_as_one_says_it(insee: str, label: str) -> None:
    team = municipal_council(insee, None)
    assert team.label == label
    assert team.commune_insee == insee
    assert [m.insee for m in team.members] == [insee]


def test_a_council_by_siren_is_the_same_team_and_a_mismatch_is_refused() -> None:
    assert municipal_council(None, "217101377") == municipal_council("71137", None)
    with pytest.raises(UnknownCollectiviteError) as mismatch:
        municipal_council("71137", "212600118")
    assert (mismatch.value.status, mismatch.value.code) == (422, "unknown_collectivite")


def test_an_intercommunality_lists_its_communes_by_name() -> None:
    team = intercommunality("200040293")
    assert team.label == "CC du Clunisois"
    assert team.kind is TeamKind.INTERCOMMUNALITY
    names = [m.name for m in team.members]
    assert len(names) == 41 and names == sorted(names)
    assert "217105329" in team.sirens  # Taizé


def test_what_names_no_collectivite_is_refused() -> None:
    with pytest.raises(CollectiviteRequiredError):
        team_for(TeamKind.MUNICIPAL_COUNCIL, None, None)
    with pytest.raises(CollectiviteRequiredError):
        team_for(TeamKind.INTERCOMMUNALITY, None, "71137")
    with pytest.raises(UnknownCollectiviteError):
        team_for(TeamKind.INTERCOMMUNALITY, "999999999", None)
