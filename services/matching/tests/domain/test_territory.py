"""Matching keeps to the platform's territory: how collectivités and people are placed in it."""

from deformations_common.geography import load_geography
from deformations_common.scope import PlatformScope
from deformations_contracts.types import Modality
from deformations_matching.domain.model import Availability
from deformations_matching.domain.peer_groups import PeerCandidate
from deformations_matching.domain.places import place_of
from deformations_matching.domain.territory import (
    collectivite_proposable,
    peers_within,
    people_outside,
)

GEO = load_geography()
IDF = PlatformScope.of(GEO, region="11")
OPEN_IDF = PlatformScope.of(GEO, region="11", outside_allowed=True)
PARIS = ("75056", "217500016")
CREST = ("26108", "212601082")
CC_CRESTOIS = "200040509"
HOUDANAIS = "247800550"  # Yvelines (78) and Eure-et-Loir (28)
HAVELU = ("28193", "212801930")  # a commune of the CC du Pays Houdanais, in Centre-Val de Loire


def candidate(person: str, insee: str) -> PeerCandidate:
    return PeerCandidate(
        person_id=person,
        commune_insee=insee,
        theme="alimentation",
        family="solidaire",
        axes=(0.5,),
        availability=Availability(frozenset({"soir"}), Modality.EITHER),
    )


def test_a_collectivite_is_placed_by_its_siren_then_by_its_event() -> None:
    paris, crest = place_of(GEO, PARIS[0]), place_of(GEO, CREST[0])
    assert collectivite_proposable(IDF, GEO, PARIS[1], paris)
    assert not collectivite_proposable(IDF, GEO, CREST[1], crest)
    assert not collectivite_proposable(IDF, GEO, CC_CRESTOIS, crest)
    # An EPCI straddling the border is in the Région by its communes inside it.
    assert collectivite_proposable(IDF, GEO, HOUDANAIS, place_of(GEO, HAVELU[0]))
    # A SIREN the COG does not know is placed where its event said it is.
    assert collectivite_proposable(IDF, GEO, "123456789", paris)
    assert not collectivite_proposable(IDF, GEO, "123456789", crest)
    assert not collectivite_proposable(IDF, GEO, "123456789", None)


def test_outside_allowed_or_no_territory_proposes_everyone() -> None:
    crest = place_of(GEO, CREST[0])
    for scope in (OPEN_IDF, PlatformScope()):
        assert collectivite_proposable(scope, GEO, CREST[1], crest)
        assert collectivite_proposable(scope, GEO, "123456789", None)
        assert len(peers_within(scope, GEO, [candidate("a", CREST[0])])) == 1
        assert people_outside(scope, GEO, [("a", CREST[0])]) == []


def test_peers_from_elsewhere_are_not_recruited_but_the_silent_are() -> None:
    kept = peers_within(
        IDF,
        GEO,
        [
            candidate("parisienne", PARIS[0]),
            candidate("drômois", CREST[0]),
            candidate("sans-commune", "inconnue"),
            candidate("havelu", HAVELU[0]),
        ],
    )
    assert [c.person_id for c in kept] == ["parisienne", "sans-commune"]


def test_people_outside_are_named_in_order() -> None:
    placed = [("z-drôme", CREST[0]), ("paris", PARIS[0]), ("a-havelu", HAVELU[0]), ("x", None)]
    assert people_outside(IDF, GEO, placed) == ["a-havelu", "z-drôme"]
