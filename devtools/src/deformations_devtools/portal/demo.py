"""The portal's demo accounts for ``make run``: six people of the platform's Région
(``deformations_devtools.places``), each signing in from the dev sign-in page
(``/connexion/dev``, only with ENVIRONMENT=dev) or with an e-mail link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deformations_devtools.people import person_id as demo_person
from deformations_devtools.places import AUVERGNE_RHONE_ALPES, DemoPlaces, places_of, slug, who_of
from deformations_devtools.portal.support import Portal
from deformations_portal.domain.memberships import Membership
from deformations_portal.domain.names import ChosenName
from deformations_portal.repositories.people import Identity
from deformations_portal.service import memberships, people
from deformations_portal.settings import PortalSettings


@dataclass(frozen=True)
class DemoAccount:
    email: str
    who: str
    siren: str
    role: str
    name: str  # as the services' demos call this person (deformations_devtools.people)
    # As she would type it in « Mon nom »: with names, peers on a meeting's page are told
    # apart (an e-mail link gives none).
    person_name: ChosenName


# As each would type it in « Mon nom », per Région: élue, élu, RH, agent, formatrice, operator.
NAMES: dict[str, tuple[ChosenName, ...]] = {
    "84": (
        ChosenName("Claire", "Faure"),
        ChosenName("Marc", "Bonnet"),
        ChosenName("Sophie", "Martin"),
        ChosenName("Julien", "Girard"),
        ChosenName("Nadia", "Benali"),
        ChosenName("Pierre", "Chabert"),
    ),
    "11": (
        ChosenName("Hélène", "Lefèvre"),
        ChosenName("Thomas", "Moreau"),
        ChosenName("Isabelle", "Roux"),
        ChosenName("Karim", "Haddad"),
        ChosenName("Anne", "Perrin"),
        ChosenName("Luc", "Garnier"),
    ),
}


def accounts(here: DemoPlaces) -> tuple[DemoAccount, ...]:
    """The lending commune's élue, RH and agent, the borrowing one's élu, and the EPCI's
    formatrice and operator: the people the services' demos act as."""
    lender, borrower, cast = here.lender, here.borrower, here.people
    at_lender = f"{slug(lender)}.demo.deformations.fr"
    at_borrower = f"{slug(borrower)}.demo.deformations.fr"
    elue, elu, rh, agent, formatrice, operateur = NAMES.get(here.region, NAMES["84"])
    return (
        DemoAccount(
            f"elue@{at_lender}", who_of("l'élue", lender), lender.siren, "elected", cast.elue, elue
        ),
        DemoAccount(
            f"elu@{at_borrower}",
            who_of("l'élu", borrower),
            borrower.siren,
            "elected",
            cast.elu,
            elu,
        ),
        DemoAccount(f"rh@{at_lender}", who_of("la RH", lender), lender.siren, "hr", cast.rh, rh),
        DemoAccount(
            f"agent@{at_lender}",
            who_of("l'agent prêté", lender),
            lender.siren,
            "agent",
            cast.agent,
            agent,
        ),
        DemoAccount(
            f"formatrice@{cast.domain}",
            "une formatrice",
            here.epci,
            "trainer",
            cast.formatrice,
            formatrice,
        ),
        DemoAccount(
            f"operateur@{cast.domain}",
            "l'opérateur",
            here.epci,
            "operator",
            cast.operateur,
            operateur,
        ),
    )


# The default Région's (around Crest), which the tests sign in as and act for.
ACCOUNTS = accounts(AUVERGNE_RHONE_ALPES)
CREST = AUVERGNE_RHONE_ALPES.lender.siren
AOUSTE = AUVERGNE_RHONE_ALPES.borrower.siren
CRESTOIS = AUVERGNE_RHONE_ALPES.epci  # CC du Crestois et de Pays de Saillans


async def create_accounts(uow: Any, chosen: tuple[DemoAccount, ...] = ACCOUNTS) -> list[str]:
    """Each account once, validated by the operator (run again, nothing is added but
    the names of accounts made before demo people had any)."""
    created: list[str] = []
    operator = None
    requests: list[Membership] = []
    for account in chosen:
        found = await uow.persons.identity(people.EMAIL_ISSUER, account.email)
        if found is not None:
            if await uow.persons.chosen_name(found.person_id) is None:
                await uow.persons.choose_name(found.person_id, account.person_name, uow.now())
            continue
        # The id the services' demos act as: the same person everywhere.
        person_id = demo_person(account.name)
        await uow.persons.add(person_id, uow.now())
        # Demo addresses are taken as proven, as if signed in once by their link.
        identity = Identity(
            people.EMAIL_ISSUER, account.email, person_id, account.email, None, None, True
        )
        await uow.persons.save_identity(identity, uow.now())
        await uow.persons.choose_name(person_id, account.person_name, uow.now())
        created.append(account.email)
        if account.role == "operator":
            operator = await memberships.grant_operator(uow, person_id, account.siren)
        else:
            requests.append(
                await memberships.request_join(uow, person_id, account.siren, account.role)
            )
    if operator is not None:
        for request in requests:
            await memberships.decide(uow, operator.person_id, request.membership_id, accept=True)
    return created


async def play(settings: PortalSettings, say: Any = print, region: str = "") -> None:
    """The accounts of the Région ``region`` (a COG code; the default's when empty)."""
    chosen = accounts(places_of(region))
    await Portal(settings).run(create_accounts, chosen)
    base = settings.app_url.rstrip("/")
    say(f"portal: {base} — sign in as any demo person at {base}/connexion/dev")
    for account in chosen:
        say(f"  {account.who} ({account.person_name.full}): « Agir en tant que {account.email} »")
