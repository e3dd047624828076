"""Signing in (OpenID Connect identity or e-mail link), sessions, and erasing an account."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import timedelta

from deformations_common.vocabulary.collectivites import collectivite_name
from deformations_common.vocabulary.roles import Role
from deformations_contracts.events.people import PersonErasureRequested
from deformations_portal.domain import links
from deformations_portal.domain.errors import LinkInvalid, SignInFailed, TooManyRequests
from deformations_portal.domain.memberships import (
    Membership,
    Status,
    acting_membership,
    require_validated,
)
from deformations_portal.domain.names import ChosenName, chosen_name
from deformations_portal.repositories.people import Identity
from deformations_portal.repositories.signin import OidcAttempt, WebSession
from deformations_portal.service import memberships as membership_cases
from deformations_portal.service.uow import PortalUow

EMAIL_ISSUER = "email"


@dataclass(frozen=True)
class Claims:
    """What an identity provider told us about the person."""

    issuer: str
    subject: str
    email: str | None = None
    given_name: str | None = None
    usual_name: str | None = None
    siret: str | None = None
    # The provider's word that ``email`` is the person's (OIDC's ``email_verified``).
    email_verified: bool = False

    @property
    def siren(self) -> str | None:
        """ProConnect's ``siret``: the SIREN of the organisation is its first 9 digits."""
        digits = "".join(c for c in (self.siret or "") if c.isdigit())
        return digits[:9] if len(digits) >= 9 else None


async def person_for(uow: PortalUow, claims: Claims) -> uuid.UUID:
    """The person of this identity, created on first sign-in."""
    found = await uow.persons.identity(claims.issuer, claims.subject)
    if found is not None:
        person_id = found.person_id
    else:
        person_id = uuid.uuid4()
        await uow.persons.add(person_id, uow.now())
    await uow.persons.save_identity(
        Identity(
            claims.issuer,
            claims.subject,
            person_id,
            claims.email,
            claims.given_name,
            claims.usual_name,
            # An e-mail identity is signed in with by the link mailed to its address.
            email_verified=claims.email is not None
            and (claims.email_verified or claims.issuer == EMAIL_ISSUER),
        ),
        uow.now(),
    )
    return person_id


@dataclass(frozen=True)
class LinkToSend:
    email: str
    secret: str


async def request_link(uow: PortalUow, email: str, client_ip: str) -> LinkToSend | None:
    """A sign-in link for this address, or None when too many were asked recently.

    Known or not, the address gets a link (a first sign-in creates the person): the
    answer never tells whether an address is known.
    """
    address = links.normalise_email(email)
    since = uow.now() - links.WINDOW
    settings = uow.settings
    by_address = await uow.signin.recent_links(email=address, ip=None, since=since)
    by_ip = await uow.signin.recent_links(email=None, ip=client_ip, since=since)
    if links.over_limit(by_ip, settings.links_per_ip_per_hour):
        raise TooManyRequests(
            "Trop de demandes de lien depuis cette connexion : réessayez dans une heure."
        )
    if links.over_limit(by_address, settings.links_per_address_per_hour):
        # Same page as a sent link: the limit of an address tells nothing about it.
        return None
    secret = links.new_secret()
    now = uow.now()
    await uow.signin.add_link(
        links.keyed_hash(settings.hmac_key(), secret),
        address,
        client_ip,
        now,
        now + timedelta(minutes=settings.sign_in_link_minutes),
    )
    return LinkToSend(address, secret)


async def consume_link(uow: PortalUow, secret: str) -> uuid.UUID:
    """The person the link signs in; the link is spent, invitations to it are accepted."""
    token_hash = links.keyed_hash(uow.settings.hmac_key(), secret)
    stored = await uow.signin.link(token_hash)
    if stored is None:
        raise LinkInvalid(
            "Ce lien de connexion n'est pas valable : vérifiez qu'il est complet, "
            "ou demandez-en un nouveau."
        )
    links.check_usable(stored, uow.now())
    await uow.signin.use_link(token_hash, uow.now())
    person_id = await person_for(uow, Claims(EMAIL_ISSUER, stored.email, email=stored.email))
    await membership_cases.accept_invitations(uow, person_id)
    return person_id


@dataclass(frozen=True)
class NewSession:
    secret: str
    csrf: str


def session_hash(uow: PortalUow, secret: str) -> str:
    return links.keyed_hash(uow.settings.hmac_key(), f"session:{secret}")


async def open_session(
    uow: PortalUow, person_id: uuid.UUID, id_token: str | None = None
) -> NewSession:
    secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    now = uow.now()
    await uow.signin.add_session(
        session_hash(uow, secret),
        person_id,
        csrf,
        id_token,
        now,
        now + timedelta(hours=uow.settings.session_hours),
    )
    return NewSession(secret, csrf)


@dataclass(frozen=True)
class SignedIn:
    person_id: uuid.UUID
    session: WebSession
    memberships: list[Membership]
    acting: Membership | None
    identities: list[Identity]
    # Her name as peers see it (see name_of); "" until she or her provider gives one.
    name: str = ""

    @property
    def display_name(self) -> str:
        if self.name:
            return self.name
        for identity in self.identities:
            if identity.email:
                return identity.email
        return "vous"


async def current(uow: PortalUow, secret: str | None) -> SignedIn | None:
    if not secret:
        return None
    session = await uow.signin.session(session_hash(uow, secret), uow.now())
    if session is None or not await uow.persons.is_active(session.person_id):
        return None
    held = await uow.memberships.of_person(session.person_id)
    return SignedIn(
        session.person_id,
        session,
        held,
        acting_membership(held, session.membership_id),
        await uow.persons.identities_of(session.person_id),
        await name_of(uow, session.person_id),
    )


async def switch(uow: PortalUow, secret: str, membership_id: uuid.UUID) -> Membership:
    signed_in = await current(uow, secret)
    if signed_in is None:
        raise LinkInvalid("Votre session a expiré : reconnectez-vous.")
    for membership in signed_in.memberships:
        if membership.membership_id == membership_id and membership.validated:
            await uow.signin.choose_membership(session_hash(uow, secret), membership_id)
            return membership
    return require_validated(None)


async def end_session(uow: PortalUow, secret: str) -> None:
    await uow.signin.end_session(session_hash(uow, secret))


async def end_all_sessions(uow: PortalUow, person_id: uuid.UUID) -> int:
    """« Me déconnecter de tous les appareils »: a lost phone or a shared computer is
    signed out at once. Tokens already handed to services expire within their ttl
    (5 minutes at most) and none is issued without a session."""
    return await uow.signin.end_sessions_of(person_id)


async def erase(uow: PortalUow, person_id: uuid.UUID) -> None:
    """« Supprimer mon compte »: every service is asked to erase; the portal anonymises.

    Memberships stay as pseudonymous history (their audit too), revoked.
    """
    await uow.emit(PersonErasureRequested(person_id=str(person_id), requested_at=uow.now()))
    await forget(uow, person_id)


async def create_operator(uow: PortalUow, email: str, siren: str) -> uuid.UUID:
    """The first operator of a platform (a command): signs in with the e-mail link."""
    address = links.normalise_email(email)
    person_id = await person_for(uow, Claims(EMAIL_ISSUER, address, email=address))
    await membership_cases.grant_operator(uow, person_id, siren)
    return person_id


async def record_oidc_attempt(uow: PortalUow, state: str, nonce: str, verifier: str) -> None:
    await uow.signin.add_attempt(state, nonce, verifier, uow.now())


async def take_attempt(uow: PortalUow, state: str) -> OidcAttempt:
    attempt = await uow.signin.take_attempt(state)
    if attempt is None or uow.now() - attempt.created_at > timedelta(minutes=15):
        raise SignInFailed(
            "Cette réponse de connexion n'est pas valable (elle a expiré, a déjà servi ou "
            "ne vient pas de ce site) : recommencez la connexion."
        )
    return attempt


@dataclass(frozen=True)
class DemoAccount:
    email: str
    label: str


async def demo_accounts(uow: PortalUow) -> list[DemoAccount]:
    """Every e-mail identity with its memberships, for the dev sign-in page only."""
    accounts = []
    for identity, held in await uow.persons.email_identities():
        roles = ", ".join(f"{m.role.label} de {collectivite_name(m.siren)}" for m in held)
        accounts.append(DemoAccount(identity, roles or "sans adhésion"))
    return accounts


async def dev_person(uow: PortalUow, email: str) -> uuid.UUID:
    identity = await uow.persons.identity(EMAIL_ISSUER, links.normalise_email(email))
    if identity is None:
        raise LinkInvalid("Ce compte de démonstration n'existe pas.")
    return identity.person_id


async def name_of(uow: PortalUow, person_id: uuid.UUID) -> str:
    """Her name as she typed it, else as her identity provider gave it, else "": an
    address is not a name to show to peers."""
    chosen = await uow.persons.chosen_name(person_id)
    if chosen is not None:
        return chosen.full
    for identity in await uow.persons.identities_of(person_id):
        names = " ".join(n for n in (identity.given_name, identity.usual_name) if n)
        if names:
            return names
    return ""


async def choose_name(
    uow: PortalUow, person_id: uuid.UUID, given_name: str, usual_name: str
) -> ChosenName | None:
    """« Mon nom »: both fields empty give her provider's name back."""
    name = chosen_name(given_name, usual_name)
    await uow.persons.choose_name(person_id, name, uow.now())
    return name


async def display_name(uow: PortalUow, person_id: uuid.UUID) -> str:
    """How a référent recognises a requester: their name, else their address."""
    name = await name_of(uow, person_id)
    if name:
        return name
    for identity in await uow.persons.identities_of(person_id):
        if identity.email:
            return identity.email
    return "une personne"


async def forget(uow: PortalUow, person_id: uuid.UUID) -> None:
    """An erasure asked elsewhere: identities go, memberships end (idempotent)."""
    for membership in await uow.memberships.of_person(person_id):
        if membership.status.live:
            ended = replace(membership, status=Status.REVOKED, decided_at=uow.now())
            await uow.memberships.update(ended, person_id, uow.now())
            await uow.emit(membership_cases.changed(ended, uow))
    await uow.persons.anonymise(person_id, uow.now())
    # persons.erased_at ends the sessions; the shared tombstone refuses bearer tokens too.
    await uow.erased_people.record(str(person_id), uow.now())


async def emails_of(uow: PortalUow, person_id: uuid.UUID) -> list[str]:
    """Where to tell a person about their rights: the addresses of their identities."""
    found = {i.email for i in await uow.persons.identities_of(person_id) if i.email}
    return sorted(found)


async def proven_emails_of(uow: PortalUow, person_id: uuid.UUID) -> list[str]:
    """The addresses of her identities proven hers (see Identity.email_verified)."""
    identities = await uow.persons.identities_of(person_id)
    return sorted({i.email for i in identities if i.email and i.email_verified})


async def agents_of(uow: PortalUow, hr: Membership) -> list[tuple[uuid.UUID, str]]:
    """The validated agents of the collectivité a validated HR acts for, by name: whose
    written consent to a loan that HR records. Nobody else is given this list."""
    if not hr.validated or hr.role is not Role.HR:
        return []
    agents = await uow.memberships.validated_in([hr.siren], [Role.AGENT])
    return [(a.person_id, await _checkable_name(uow, a.person_id)) for a in agents]


async def address_of(uow: PortalUow, person_id: uuid.UUID) -> str:
    """Her sign-in address, for those who must check who she is ("" when none)."""
    return next((i.email for i in await uow.persons.identities_of(person_id) if i.email), "")


async def _checkable_name(uow: PortalUow, person_id: uuid.UUID) -> str:
    """Her name with her address: a typed name is only what she says she is called, and
    two agents may share one; the address tells them apart."""
    name = await display_name(uow, person_id)
    address = await address_of(uow, person_id)
    return f"{name} ({address})" if address and address != name else name
