"""The portal's demo accounts for ``make run``: six people, each signing in from the dev
sign-in page (``/connexion/dev``, only with ENVIRONMENT=dev) or with an e-mail link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deformations_devtools.people import person_id as demo_person
from deformations_devtools.portal.support import Portal
from deformations_portal.domain.memberships import Membership
from deformations_portal.domain.names import ChosenName
from deformations_portal.repositories.people import Identity
from deformations_portal.service import memberships, people
from deformations_portal.settings import PortalSettings

CREST = "212601082"
AOUSTE = "212600118"
CRESTOIS = "200040509"  # CC du Crestois et du Pays de Saillans


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


ACCOUNTS = (
    DemoAccount(
        "elue@crest.demo.deformations.fr",
        "l'élue de Crest",
        CREST,
        "elected",
        "elue-crest",
        ChosenName("Claire", "Faure"),
    ),
    DemoAccount(
        "elu@aouste.demo.deformations.fr",
        "l'élu d'Aouste-sur-Sye",
        AOUSTE,
        "elected",
        "elu-aouste",
        ChosenName("Marc", "Bonnet"),
    ),
    DemoAccount(
        "rh@crest.demo.deformations.fr",
        "la RH de Crest",
        CREST,
        "hr",
        "rh-crest",
        ChosenName("Sophie", "Martin"),
    ),
    DemoAccount(
        "agent@crest.demo.deformations.fr",
        "l'agent prêté de Crest",
        CREST,
        "agent",
        "agent-crest",
        ChosenName("Julien", "Girard"),
    ),
    DemoAccount(
        "formatrice@demo.deformations.fr",
        "une formatrice",
        CRESTOIS,
        "trainer",
        "formatrice",
        ChosenName("Nadia", "Benali"),
    ),
    DemoAccount(
        "operateur@demo.deformations.fr",
        "l'opérateur",
        CRESTOIS,
        "operator",
        "operateur",
        ChosenName("Pierre", "Chabert"),
    ),
)


async def create_accounts(uow: Any) -> list[str]:
    """Each account once, validated by the operator (run again, nothing is added but
    the names of accounts made before demo people had any)."""
    created: list[str] = []
    operator = None
    requests: list[Membership] = []
    for account in ACCOUNTS:
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


async def play(settings: PortalSettings, say: Any = print) -> None:
    await Portal(settings).run(create_accounts)
    base = settings.app_url.rstrip("/")
    say(f"portal: {base} — sign in as any demo person at {base}/connexion/dev")
    for account in ACCOUNTS:
        say(f"  {account.who} ({account.person_name.full}): « Agir en tant que {account.email} »")
