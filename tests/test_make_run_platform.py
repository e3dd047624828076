"""``make run`` runs one of the two demo Régions: the portal, the mails, matching's proposals
and the statistics alike."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

from deformations_common.geography import load_geography
from deformations_common.settings import ServiceSettings
from deformations_devtools.places import Commune, places_of
from deformations_devtools.portal import demo as portal_demo
from deformations_devtools.portal.platforms import (
    AUVERGNE_RHONE_ALPES,
    DEMO_PLATFORMS,
    FOLDER,
    ILE_DE_FRANCE,
)
from deformations_notifications.settings import NotificationsSettings
from deformations_portal.settings import PortalSettings

ROOT = Path(__file__).resolve().parents[1]


def launcher() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "run_platform", ROOT / "scripts" / "run_platform.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("chosen", "file", "brand"),
    [
        (None, AUVERGNE_RHONE_ALPES, "Déformations Auvergne-Rhône-Alpes"),
        ("ile-de-france", ILE_DE_FRANCE, "Déformations Île-de-France"),
    ],
)
def test_every_service_follows_the_chosen_platform(
    chosen: str | None, file: Path, brand: str
) -> None:
    run = launcher()
    env = {"PLATFORM": chosen} if chosen else {}
    portal = run.service_env(env, "portal", 8005)
    assert Path(portal["PLATFORM_FILE"]) == file
    assert PortalSettings(platform_file=portal["PLATFORM_FILE"]).load_platform().name == brand
    mails = run.service_env(env, "notifications", 8004)
    settings = NotificationsSettings(
        platform_name=mails["PLATFORM_NAME"], platform_colour=mails["PLATFORM_COLOUR"]
    )
    with file.open("rb") as source:
        primary = tomllib.load(source)["palette"]["primary"]
    assert (settings.platform_name, settings.platform_colour) == (brand, primary)
    # Matching proposes in, and the statistics count, the same territory as the portal.
    territory = PortalSettings(platform_file=portal["PLATFORM_FILE"]).load_platform().territory
    for name, port in (("matching", 8002), ("statistics", 8007)):
        served = run.service_env(env, name, port)
        assert Path(served["PLATFORM_FILE"]) == file
        assert ServiceSettings(**settings_of(served)).platform_scope() == territory
    assert "PLATFORM_FILE" not in run.service_env(env, "diagnosis", 8001)


def settings_of(env: dict[str, str]) -> dict[str, str]:
    return {"environment": env["ENVIRONMENT"], "platform_file": env["PLATFORM_FILE"]}


def test_an_unknown_platform_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(SystemExit, match="auvergne-rhone-alpes, ile-de-france"):
        launcher().service_env({"PLATFORM": "bretagne"}, "portal", 8005)


@pytest.mark.parametrize("platform", [p.stem for p in DEMO_PLATFORMS])
def test_every_demo_plays_inside_each_demo_region(platform: str) -> None:
    """Matching proposes nothing outside the platform's territory and the statistics count
    nothing outside it: the demos' communes are those of the Région ``make run`` plays,
    with the COG's SIRENs and EPCIs."""
    region = launcher().platform_region(platform)
    here = places_of(region)
    assert here.region == here.home.region == region
    scope = PortalSettings(platform_file=str(FOLDER / f"{platform}.toml")).load_platform()
    territory, geography = scope.territory, load_geography()

    def real(commune: Commune) -> None:
        assert geography.commune(commune.insee).siren == commune.siren, commune
        assert geography.commune(commune.insee).name == commune.name, commune

    home = here.home
    for commune in (
        *home.communes(),
        *home.voisins(),
        here.lender,
        here.borrower,
        *here.training.group,
    ):
        real(commune)
        assert territory.covers_commune(geography, commune.insee), commune
        assert geography.commune(commune.insee).epci_siren == here.epci, commune
    assert len(set(here.training.group)) == 8 and here.training.group[0] == here.lender
    training = here.training
    for room in (training.council, training.evening, training.visit):
        assert territory.covers_commune(geography, room.insee), room
    assert geography.commune(training.visit.insee).name == training.visit_town
    programmes = here.programmes
    for commune in (*programmes.nc_communes, programmes.interviewed):
        real(commune)
    visited = [programmes.nc_place.insee, *here.diagnosis.respondents]
    visited += [c.insee for c in (*programmes.nc_communes, programmes.interviewed)]
    for insee in visited:
        assert territory.covers_commune(geography, insee), insee
    for insee in here.diagnosis.respondents:
        assert geography.commune(insee).epci_siren == here.diagnosis.epci, insee
    for insee in (programmes.nc_place.insee, *(c.insee for c in programmes.nc_communes)):
        assert geography.commune(insee).epci_siren == programmes.nc_epci, insee
    assert geography.commune_by_siren(programmes.enqueteurs_commune).epci_siren == (
        programmes.enquiry_epci
    )
    for epci in (here.epci, here.diagnosis.epci, programmes.nc_epci, programmes.enquiry_epci):
        assert epci in geography.epcis, epci


def test_each_region_has_its_own_demo_people() -> None:
    """Two Régions played on one database never share a person (nor an e-mail)."""
    first, second = (places_of(launcher().platform_region(p.stem)) for p in DEMO_PLATFORMS)
    assert not set(first.people.names()) & set(second.people.names())
    accounts = [portal_demo.accounts(p) for p in (first, second)]
    assert not {a.email for a in accounts[0]} & {a.email for a in accounts[1]}
    assert accounts[0] == portal_demo.ACCOUNTS  # the default's, as the tests know them
    assert {a.siren for a in accounts[1]} <= {
        second.lender.siren,
        second.borrower.siren,
        second.epci,
    }
