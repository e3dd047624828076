"""One platform per Région as configuration: contrast, scope, files (no server)."""

from pathlib import Path

import pytest

from deformations_devtools.portal.platforms import (
    AUVERGNE_RHONE_ALPES,
    DEMO_PLATFORMS,
    ILE_DE_FRANCE,
)
from deformations_portal.app import definition
from deformations_portal.domain.platform import (
    OutsideScope,
    Palette,
    Platform,
    PlatformMisconfigured,
    contrast,
)
from deformations_portal.settings import PortalSettings

CREST = "212601082"
CC_CRESTOIS = "200040509"
PARIS = "217500016"


def test_contrast_follows_the_wcag_formula() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_a_palette_failing_wcag_aa_is_refused_naming_the_pair() -> None:
    Palette().check()
    with pytest.raises(PlatformMisconfigured, match=r"en-tête et boutons \(#ffffff sur #7fbfff"):
        Palette(primary="#7fbfff").check()
    with pytest.raises(PlatformMisconfigured, match="format #rrggbb"):
        Palette(text="black").check()


def test_a_bad_platform_file_stops_the_portal_from_starting(tmp_path: Path) -> None:
    pale = tmp_path / "pale.toml"
    pale.write_text('name = "Pâle"\n[palette]\nprimary = "#aaaaaa"\n')
    with pytest.raises(PlatformMisconfigured, match="pas assez contrastées"):
        definition(PortalSettings(platform_file=str(pale)))
    typo = tmp_path / "typo.toml"
    typo.write_text('nom = "Sans nom"\n')
    with pytest.raises(PlatformMisconfigured, match="inconnus : nom"):
        PortalSettings(platform_file=str(typo)).load_platform()
    lost = tmp_path / "lost.toml"
    lost.write_text('region = "84"\ndepartements = ["75"]\n')
    with pytest.raises(PlatformMisconfigured, match="« 75 » n'est pas dans la région"):
        PortalSettings(platform_file=str(lost)).load_platform()
    logo = tmp_path / "logo.toml"
    logo.write_text('logo = "/static/logo.svg"\n')
    with pytest.raises(PlatformMisconfigured, match="texte alternatif"):
        PortalSettings(platform_file=str(logo)).load_platform()


def test_the_demo_platforms_cover_their_region() -> None:
    aura, idf = (PortalSettings(platform_file=str(p)).load_platform() for p in DEMO_PLATFORMS)
    assert aura.region_name == "Auvergne-Rhône-Alpes"
    assert idf.region_name == "Île-de-France"
    assert {"26", "07", "69", "63"} <= aura.covered_departements
    assert "75" not in aura.covered_departements
    assert aura.covers(CREST) and aura.covers(CC_CRESTOIS) and not aura.covers(PARIS)
    assert idf.covers(PARIS) and not idf.covers(CREST)
    with pytest.raises(OutsideScope, match="région Île-de-France"):
        idf.require_in_scope(CREST)
    idf.require_in_scope(CREST, operator=True)
    welcoming = Platform(region="11", outside_allowed=True)
    welcoming.require_in_scope(CREST)
    assert not welcoming.covers(CREST)  # welcomed, not covered: the statistics leave it out
    assert AUVERGNE_RHONE_ALPES.exists() and ILE_DE_FRANCE.exists()


def test_without_a_file_the_platform_covers_the_whole_country() -> None:
    platform = PortalSettings().load_platform()
    assert platform == Platform()
    assert platform.territory.everywhere and platform.covers(PARIS) and platform.covers(CREST)
