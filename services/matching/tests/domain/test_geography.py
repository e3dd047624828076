from importlib import resources
from pathlib import Path

import pytest

from deformations_common.geography import (
    UnknownCollectiviteError,
    build_data,
    load_geography,
)


def test_the_whole_country_is_vendored() -> None:
    geography = load_geography()
    assert len(geography.communes) == 34_969
    assert len(geography.epcis) == 1_255


def test_commune_epci_departement_region_chain() -> None:
    geography = load_geography()
    commune = geography.commune("01001")
    assert commune.name == "L'Abergement-Clémenciat"
    assert commune.siren == "210100012"
    assert geography.commune_by_siren("210100012") is commune
    epci = geography.epci_of("01001")
    assert epci is not None
    assert epci.name == "CC de la Dombes"
    assert "01001" in geography.members(epci.siren)
    assert all(geography.commune(c).epci_siren == epci.siren for c in geography.members(epci.siren))
    departement = geography.departement_of("01001")
    region = geography.region_of("01001")
    assert departement is not None
    assert region is not None
    assert (departement.name, region.name) == ("Ain", "Auvergne-Rhône-Alpes")
    assert geography.population("01001") == 860


def test_members_of_every_epci_add_up_to_the_communes_in_an_epci() -> None:
    geography = load_geography()
    total = sum(len(geography.members(siren)) for siren in geography.epcis)
    assert total == sum(1 for c in geography.communes.values() if c.epci_siren)


def test_a_commune_outside_any_epci_has_none() -> None:
    assert load_geography().epci_of("22016") is None  # Île-de-Bréhat


def test_unknown_codes_are_refused() -> None:
    geography = load_geography()
    with pytest.raises(UnknownCollectiviteError):
        geography.commune("00000")
    with pytest.raises(UnknownCollectiviteError):
        geography.epci("999999999")
    assert geography.find_commune("00000") is None


def test_loaded_once_and_shipped_with_its_attribution() -> None:
    assert load_geography() is load_geography()
    data = resources.files("deformations_common.geography").joinpath("data")
    assert "Etalab" in data.joinpath("ATTRIBUTION.md").read_text(encoding="utf-8")


def _reference_folder() -> Path | None:
    for parent in Path(__file__).resolve().parents:
        folder = parent / "shared" / "data" / "cog"
        if (folder / "communes.csv").exists():
            return folder
    return None


def test_vendored_files_are_rebuilt_identically_from_the_reference(tmp_path: Path) -> None:
    source = _reference_folder()
    if source is None:
        pytest.skip("the reference COG folder is not beside this checkout")
    build_data.build(source, tmp_path)
    for name in ("communes", "epci", "departements", "regions"):
        rebuilt = (tmp_path / f"{name}.csv.gz").read_bytes()
        assert rebuilt == (build_data.DATA_DIR / f"{name}.csv.gz").read_bytes()
