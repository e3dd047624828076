"""Where ``make run``'s demos play: one description per demo Région (issue #13).

Matching and the statistics keep to the platform's territory, and the portal to its
Région's collectivités, so every demo (the portal's people, lending, diagnosis, matching,
training and its programmes) takes its communes, EPCIs, rooms and people from here: around
Crest (Drôme) for Auvergne-Rhône-Alpes, in the Gâtinais and the Pays de Nemours
(Seine-et-Marne) for Île-de-France. Codes and SIRENs are the COG's (services/common's
geography); tests/test_make_run_platform.py checks each against it.

The default (no Région, or one without a description) is Auvergne-Rhône-Alpes': its
diagnosis campaign and its non-conférence are in the CC du Diois, next to the Crestois, so
that the Région's statistics count them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from deformations_common.vocabulary.collectivites import of


class Commune(NamedTuple):
    insee: str
    siren: str
    name: str


@dataclass(frozen=True)
class Room:
    """Where a training or a programme's day takes place."""

    insee: str
    label: str


@dataclass(frozen=True)
class Neighbourhood:
    """An EPCI and six of its communes, each with its part in matching's demo."""

    region: str
    epci: str
    epci_name: str
    lends_food: Commune
    asks_food: tuple[Commune, Commune, Commune]
    lends_energy: Commune
    asks_energy: Commune
    hall: str

    def elus(self) -> dict[str, Commune]:
        """The élus of the groupe d'entraide, by a short name of their commune."""
        communes = (self.lends_food, *self.asks_food[:2], self.lends_energy, self.asks_energy)
        return {slug(c): c for c in communes}

    def voisins(self) -> list[Commune]:
        """The communes of the speed-dating's neighbours: all six, two élus in the first."""
        first, second, third = self.asks_food
        lends, asks = self.lends_food, self.asks_energy
        return [lends, lends, first, second, self.lends_energy, third, asks]

    def communes(self) -> list[Commune]:
        return [self.lends_food, *self.asks_food, self.lends_energy, self.asks_energy]


def slug(commune: Commune) -> str:
    """« crest », « souppes »: the first word of the name, for people's names and e-mails."""
    return commune.name.split("-")[0].lower().replace("â", "a").replace("é", "e")


@dataclass(frozen=True)
class People:
    """The portal's demo people, by the names the services' demos act as
    (``deformations_devtools.people`` turns each into one stable id)."""

    elue: str  # élue of the lending commune
    elu: str  # élu of the borrowing commune
    rh: str  # HR of the lending commune
    agent: str  # the agent it lends
    formatrice: str
    operateur: str
    # Where the trainer's and the operator's e-mails live (« demo.deformations.fr »).
    domain: str

    def names(self) -> tuple[str, ...]:
        return (self.elue, self.elu, self.rh, self.agent, self.formatrice, self.operateur)


@dataclass(frozen=True)
class Training:
    """Training's demo: a body's programme, an offre groupée of eight élus of the EPCI."""

    body_siren: str
    body_name: str
    programme_of: str  # « de la Drôme »: « N formations au programme de la Drôme »
    group_of: str  # « du Crestois »: « offre groupée du Crestois »
    member_prefix: str  # the group's élus are « <prefix>-1 » … « <prefix>-8 »
    group: tuple[Commune, ...]  # eight communes of the EPCI, the first the lending one
    council: Room  # the half-day's module
    evening: Room  # the evening's module, in a town nearby
    visit: Room  # the chaufferie bois of ``visit_town``
    visit_town: str


@dataclass(frozen=True)
class Diagnosis:
    """Diagnosis's demo: a campaign of an EPCI, so many élus answering per commune."""

    epci: str
    respondents: dict[str, int]  # by INSEE code
    trainer: str  # the formatrice, under the name diagnosis's demo gives her


@dataclass(frozen=True)
class Programmes:
    """The programmes' demo: a non-conférence, an élus enquêteurs' enquiry."""

    nc_epci: str
    nc_of: str  # « du Diois »: « La non-conférence des élus du Diois »
    nc_communes: tuple[Commune, Commune]  # their élus contribute; they buy bio together
    nc_place: Room
    nc_rooms: tuple[str, str]
    nc_coach: str
    enquiry_epci: str
    enqueteurs_commune: str  # SIREN of the enquêteurs' commune
    terrain: str  # the field list's note
    interviewed: Commune  # where the enquêteurs met a mayor and her farmer

    @property
    def nc_title(self) -> str:
        return f"La non-conférence des élus {self.nc_of}"


@dataclass(frozen=True)
class DemoPlaces:
    """All the places and people of one demo Région."""

    region: str
    home: Neighbourhood  # matching's, and the EPCI of the loan and the offre groupée
    lender: Commune
    borrower: Commune
    people: People
    training: Training
    diagnosis: Diagnosis
    programmes: Programmes

    @property
    def epci(self) -> str:
        return self.home.epci


CREST = Commune("26108", "212601082", "Crest")
SAILLANS = Commune("26289", "938438454", "Saillans")
AOUSTE = Commune("26011", "212600118", "Aouste-sur-Sye")
MIRABEL = Commune("26183", "212601835", "Mirabel-et-Blacons")
PIEGROS = Commune("26234", "212602346", "Piégros-la-Clastre")
AUREL = Commune("26019", "212600191", "Aurel")
DIE = Commune("26113", "212601132", "Die")
MENGLON = Commune("26178", "212601785", "Menglon")

AUVERGNE_RHONE_ALPES = DemoPlaces(
    region="84",
    # CC du Crestois et de Pays de Saillans Cœur de Drôme.
    home=Neighbourhood(
        "84",
        "200040509",
        "CC du Crestois et de Pays de Saillans",
        CREST,
        (SAILLANS, AOUSTE, PIEGROS),
        MIRABEL,
        AUREL,
        "Salle des fêtes de Saillans",
    ),
    lender=CREST,
    borrower=AOUSTE,
    people=People(
        elue="elue-crest",
        elu="elu-aouste",
        rh="rh-crest",
        agent="agent-crest",
        formatrice="formatrice",
        operateur="operateur",
        domain="demo.deformations.fr",
    ),
    training=Training(
        body_siren="775671356",
        body_name="Formations Transitions Drôme",
        programme_of="de la Drôme",
        group_of="du Crestois",
        member_prefix="elu-crestois",
        group=(
            CREST,
            SAILLANS,
            AOUSTE,
            MIRABEL,
            PIEGROS,
            Commune("26015", "212600159", "Aubenasson"),
            Commune("26368", "212603682", "Vercheny"),
            AUREL,
        ),
        council=Room("26108", "Salle du conseil, mairie de Crest"),
        evening=Room("26113", "Salle polyvalente, mairie de Die"),
        visit=Room("26289", "Chaufferie bois, mairie de Saillans"),
        visit_town="Saillans",
    ),
    diagnosis=Diagnosis(
        epci="242600534",  # CC du Diois
        # Die, Châtillon-en-Diois, Luc-en-Diois, Menglon, Romeyer.
        respondents={"26113": 5, "26086": 3, "26167": 3, "26178": 2, "26282": 1},
        trainer="demo-formatrice-diois",
    ),
    programmes=Programmes(
        nc_epci="242600534",
        nc_of="du Diois",
        nc_communes=(DIE, MENGLON),
        nc_place=Room("26113", "Salle des fêtes de Die"),
        # Die's town hall is the former bishop's palace.
        nc_rooms=("Salle du conseil", "Cour de l'évêché"),
        nc_coach="animatrice-diois",
        enquiry_epci="200040509",
        enqueteurs_commune=SAILLANS.siren,
        terrain="Trois communes du Crestois et deux du Diois, avec leurs agriculteurs.",
        interviewed=MENGLON,
    ),
)

SOUPPES = Commune("77458", "217704584", "Souppes-sur-Loing")
EGREVILLE = Commune("77168", "217701689", "Égreville")
BEAUMONT = Commune("77027", "217700277", "Beaumont-du-Gâtinais")
LORREZ = Commune("77261", "217702612", "Lorrez-le-Bocage-Préaux")
CHATEAU_LANDON = Commune("77099", "217700996", "Château-Landon")
BOUGLIGNY = Commune("77045", "217700459", "Bougligny")
NEMOURS = Commune("77333", "217703339", "Nemours")
LARCHANT = Commune("77244", "217702448", "Larchant")

ILE_DE_FRANCE = DemoPlaces(
    region="11",
    # CC Gâtinais Val de Loing (Seine-et-Marne).
    home=Neighbourhood(
        "11",
        "200023919",
        "CC Gâtinais Val de Loing",
        SOUPPES,
        (EGREVILLE, BEAUMONT, LORREZ),
        CHATEAU_LANDON,
        BOUGLIGNY,
        "Salle des fêtes d'Égreville",
    ),
    lender=SOUPPES,
    borrower=BEAUMONT,
    people=People(
        elue="elue-souppes",
        elu="elu-beaumont",
        rh="rh-souppes",
        agent="agent-souppes",
        formatrice="formatrice-gatinais",
        operateur="operateur-idf",
        domain="idf.demo.deformations.fr",
    ),
    training=Training(
        # A demo training body, as the Drôme's: no SIREN of the COG.
        body_siren="775671365",
        body_name="Formations Transitions Île-de-France",
        programme_of="de la Seine-et-Marne",
        group_of="du Gâtinais",
        member_prefix="elu-gatinais",
        group=(
            SOUPPES,
            EGREVILLE,
            BEAUMONT,
            LORREZ,
            CHATEAU_LANDON,
            BOUGLIGNY,
            Commune("77071", "217700715", "Chaintreaux"),
            Commune("77370", "217703701", "Poligny"),
        ),
        council=Room("77458", "Salle du conseil, mairie de Souppes-sur-Loing"),
        evening=Room("77333", "Salle polyvalente, mairie de Nemours"),
        visit=Room("77099", "Chaufferie bois, mairie de Château-Landon"),
        visit_town="Château-Landon",
    ),
    diagnosis=Diagnosis(
        epci="200023240",  # CC Pays de Nemours
        # Nemours, Saint-Pierre-lès-Nemours, Bagneaux-sur-Loing, Grez-sur-Loing, Larchant.
        respondents={"77333": 5, "77431": 3, "77016": 3, "77216": 2, "77244": 1},
        trainer="demo-formatrice-nemours",
    ),
    programmes=Programmes(
        nc_epci="200023240",
        nc_of="du Pays de Nemours",
        nc_communes=(NEMOURS, LARCHANT),
        nc_place=Room("77333", "Salle des fêtes de Nemours"),
        nc_rooms=("Salle du conseil", "Cour du château"),
        nc_coach="animatrice-nemours",
        enquiry_epci="200023919",
        enqueteurs_commune=EGREVILLE.siren,
        terrain="Trois communes du Gâtinais et deux du Pays de Nemours, avec leurs agriculteurs.",
        interviewed=LARCHANT,
    ),
)

DEMO_PLACES = {p.region: p for p in (AUVERGNE_RHONE_ALPES, ILE_DE_FRANCE)}


def places_of(region: str) -> DemoPlaces:
    """The demo's places in the platform's Région (Auvergne-Rhône-Alpes' when it has none)."""
    return DEMO_PLACES.get(region, AUVERGNE_RHONE_ALPES)


def who_of(role: str, commune: Commune) -> str:
    """« l'élue de Crest », « la RH de Souppes-sur-Loing »: how the portal's demo says who."""
    return f"{role} {of(commune.name)}"
