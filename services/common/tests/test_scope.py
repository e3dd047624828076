"""The territory of a platform: checked against the COG, read from the platform's file."""

from pathlib import Path

import pytest

from deformations_common.geography import load_geography
from deformations_common.scope import OutsideScope, PlatformMisconfigured, PlatformScope
from deformations_common.settings import Environment, ServiceSettings

GEO = load_geography()
CREST = "212601082"  # commune of the Drôme (26), Auvergne-Rhône-Alpes
CREST_INSEE = "26108"
CC_CRESTOIS = "200040509"
PARIS = "217500016"
PARIS_INSEE = "75056"
# CC du Pays Houdanais: communes of the Yvelines (78, Île-de-France) and of the Eure-et-Loir.
HOUDANAIS = "247800550"
IDF = PlatformScope.of(GEO, region="11")


def test_the_cog_places_communes_and_epcis_by_their_siren() -> None:
    assert GEO.departements_of_collectivite(CREST) == {"26"}
    assert GEO.departements_of_collectivite(CC_CRESTOIS) == {"26"}
    assert GEO.departements_of_collectivite(HOUDANAIS) == {"28", "78"}
    assert GEO.regions_of_collectivite(HOUDANAIS) == {"11", "24"}
    assert GEO.regions_of_collectivite(PARIS) == {"11"}
    assert GEO.departements_of_collectivite("123456789") == frozenset()
    assert GEO.departements_of_region("11") == {"75", "77", "78", "91", "92", "93", "94", "95"}


def test_a_region_covers_its_departements_and_their_collectivites() -> None:
    assert IDF.departements == GEO.departements_of_region("11")
    assert IDF.covers_collectivite(GEO, PARIS) and IDF.covers_commune(GEO, PARIS_INSEE)
    assert not IDF.covers_collectivite(GEO, CREST) and not IDF.covers_commune(GEO, CREST_INSEE)
    assert IDF.covers_collectivite(GEO, HOUDANAIS)  # one of its communes is in the Yvelines
    assert not IDF.covers_collectivite(GEO, "123456789")
    assert IDF.covers_departement("75") and not IDF.covers_departement("26")
    assert IDF.region_name(GEO) == "Île-de-France"


def test_some_departements_only() -> None:
    drome = PlatformScope.of(GEO, region="84", departements=["26"])
    assert drome.departements == {"26"}
    assert drome.covers_collectivite(GEO, CC_CRESTOIS)
    assert not drome.covers_commune(GEO, "69123")  # Lyon, same région, another département


def test_no_territory_restricts_nothing() -> None:
    everywhere = PlatformScope()
    assert everywhere.everywhere and not everywhere.limits_proposals
    assert everywhere.covers_collectivite(GEO, "123456789")
    assert everywhere.may_propose_person_at(GEO, CREST_INSEE)


def test_matching_proposes_inside_only_unless_the_platform_allows_elsewhere() -> None:
    assert IDF.limits_proposals
    assert IDF.may_propose_collectivite(GEO, PARIS)
    assert not IDF.may_propose_collectivite(GEO, CC_CRESTOIS)
    assert IDF.may_propose_person_at(GEO, PARIS_INSEE)
    assert not IDF.may_propose_person_at(GEO, CREST_INSEE)
    # Someone who said no commune is not known to be elsewhere.
    assert IDF.may_propose_person_at(GEO, None) and IDF.may_propose_person_at(GEO, "inconnue")
    with pytest.raises(OutsideScope, match="région Île-de-France"):
        IDF.require_proposable(GEO, CREST)
    IDF.require_proposable(GEO, PARIS)
    open_idf = PlatformScope.of(GEO, region="11", outside_allowed=True)
    assert not open_idf.limits_proposals
    assert open_idf.may_propose_collectivite(GEO, CC_CRESTOIS)
    assert open_idf.may_propose_person_at(GEO, CREST_INSEE)
    open_idf.require_proposable(GEO, CREST)
    # Still the Région's territory (the statistics count only it).
    assert not open_idf.covers_collectivite(GEO, CREST)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"region": "99"}, "« 99 » n'existe pas"),
        ({"region": "84", "departements": ["75"]}, "« 75 » n'est pas dans la région"),
        ({"departements": ["999"]}, "« 999 » n'est pas dans la région"),
        ({"region": 84}, "entre guillemets"),
        ({"departements": "26"}, "liste de codes"),
        ({"outside_allowed": "yes"}, "true ou false"),
    ],
)
def test_a_wrong_territory_is_refused_in_french(data: dict[str, object], message: str) -> None:
    with pytest.raises(PlatformMisconfigured, match=message):
        PlatformScope.from_mapping(data, GEO)


def test_services_read_the_territory_from_the_portals_platform_file(tmp_path: Path) -> None:
    file = tmp_path / "platform.toml"
    file.write_text(
        'name = "Déformations Drôme"\nregion = "84"\ndepartements = ["26"]\n'
        'outside_allowed = true\n[palette]\nprimary = "#1d4f91"\n',
        encoding="utf-8",
    )
    settings = ServiceSettings(environment=Environment.DEV, platform_file=str(file))
    assert settings.platform_scope() == PlatformScope("84", frozenset({"26"}), True)
    assert ServiceSettings(environment=Environment.DEV).platform_scope() == PlatformScope()
    broken = tmp_path / "broken.toml"
    broken.write_text('region = "84\n', encoding="utf-8")
    with pytest.raises(PlatformMisconfigured, match="illisible"):
        ServiceSettings(environment=Environment.DEV, platform_file=str(broken)).platform_scope()
    with pytest.raises(PlatformMisconfigured, match="illisible"):
        ServiceSettings(
            environment=Environment.DEV, platform_file=str(tmp_path / "missing.toml")
        ).platform_scope()
