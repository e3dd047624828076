from datetime import UTC, datetime, timedelta

import pytest

from deformations_portal.domain import collectivites, links
from deformations_portal.domain.errors import (
    InvalidEmail,
    LinkExpired,
    LinkUsed,
    UnknownCollectivite,
)

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)


def test_a_link_is_good_once_and_for_its_lifetime() -> None:
    fresh = links.StoredLink("a@b.fr", NOW + timedelta(minutes=15), None)
    links.check_usable(fresh, NOW)
    with pytest.raises(LinkExpired, match="expiré"):
        links.check_usable(fresh, NOW + timedelta(minutes=15))
    with pytest.raises(LinkUsed, match="déjà servi"):
        links.check_usable(links.StoredLink("a@b.fr", NOW + timedelta(minutes=5), NOW), NOW)


def test_only_the_keyed_hash_of_a_secret_is_kept() -> None:
    secret = links.new_secret()
    stored = links.keyed_hash(b"k", secret)
    assert secret not in stored
    assert stored == links.keyed_hash(b"k", secret) != links.keyed_hash(b"other", secret)


@pytest.mark.parametrize("bad", ["", "nobody", "a@b", "a b@c.fr", "@mairie.fr"])
def test_a_bad_address_is_refused_in_french(bad: str) -> None:
    with pytest.raises(InvalidEmail, match="adresse électronique valide"):
        links.normalise_email(bad)


def test_addresses_are_compared_lower_case() -> None:
    assert links.normalise_email("  Maire@Crest.FR ") == "maire@crest.fr"


def test_collectivites_are_found_by_siren_insee_or_name() -> None:
    crest = collectivites.require("212601082")
    assert (crest.name, crest.kind) == ("Crest", "Commune")
    assert collectivites.search("26108") == [crest]
    assert collectivites.search("crest")[0] == crest
    epci = collectivites.find("200040509")
    assert epci is not None and epci.kind != "Commune"
    assert any(c.siren == "212600118" for c in collectivites.search("aouste sur sye"))


def test_an_unknown_siren_is_refused_in_french() -> None:
    with pytest.raises(UnknownCollectivite, match="Aucune collectivité"):
        collectivites.require("999999999")
    assert collectivites.search("999999999") == []
