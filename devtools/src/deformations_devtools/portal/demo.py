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


def accounts(here: DemoPlaces) -> tuple[DemoAccount, ...]:
    """The lending commune's élue, RH and agent, the borrowing one's élu, and the EPCI's
    formatrice and operator: the people the services' demos act as."""
    lender, borrower, cast = here.lender, here.borrower, here.people
    at_lender = f"{slug(lender)}.demo.deformations.fr"
    at_borrower = f"{slug(borrower)}.demo.deformations.fr"
    return (
        DemoAccount(
            f"elue@{at_lender}", who_of("l'élue", lender), lender.siren, "elected", cast.elue
        ),
        DemoAccount(
            f"elu@{at_borrower}", who_of("l'élu", borrower), borrower.siren, "elected", cast.elu
        ),
        DemoAccount(f"rh@{at_lender}", who_of("la RH", lender), lender.siren, "hr", cast.rh),
        DemoAccount(
            f"agent@{at_lender}",
            who_of("l'agent prêté", lender),
            lender.siren,
            "agent",
            cast.agent,
        ),
        DemoAccount(
            f"formatrice@{cast.domain}", "une formatrice", here.epci, "trainer", cast.formatrice
        ),
        DemoAccount(
            f"operateur@{cast.domain}", "l'opérateur", here.epci, "operator", cast.operateur
        ),
    )


# The default Région's (around Crest), which the tests sign in as and act for.
ACCOUNTS = accounts(AUVERGNE_RHONE_ALPES)
CREST = AUVERGNE_RHONE_ALPES.lender.siren
AOUSTE = AUVERGNE_RHONE_ALPES.borrower.siren
CRESTOIS = AUVERGNE_RHONE_ALPES.epci  # CC du Crestois et de Pays de Saillans


async def create_accounts(uow: Any, chosen: tuple[DemoAccount, ...] = ACCOUNTS) -> list[str]:
    """Each account once, validated by the operator (run again, nothing is added)."""
    created: list[str] = []
    operator = None
    requests: list[Membership] = []
    for account in chosen:
        if await uow.persons.identity(people.EMAIL_ISSUER, account.email) is not None:
            continue
        # The id the services' demos act as: the same person everywhere.
        person_id = demo_person(account.name)
        await uow.persons.add(person_id, uow.now())
        # Demo addresses are taken as proven, as if signed in once by their link.
        identity = Identity(
            people.EMAIL_ISSUER, account.email, person_id, account.email, None, None, True
        )
        await uow.persons.save_identity(identity, uow.now())
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
        say(f"  {account.who}: « Agir en tant que {account.email} »")
