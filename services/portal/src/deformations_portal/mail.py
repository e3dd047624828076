"""The sign-in and invitation mails, sent by SMTP (the only mails the portal sends)."""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import parseaddr

import aiosmtplib

from deformations_portal.domain.platform import Platform
from deformations_portal.settings import PortalSettings


def sender(settings: PortalSettings, platform: Platform) -> Address:
    """MAIL_FROM's address under the platform's name: people see the Région's platform."""
    _, address = parseaddr(settings.mail_from)
    return Address(platform.name, addr_spec=address)


def signature(platform: Platform) -> str:
    return f"\n-- \n{platform.name}\nContact : {platform.contact_email}\n"


async def send(
    settings: PortalSettings, platform: Platform, to: str, subject: str, text: str
) -> None:
    message = EmailMessage()
    message["From"] = sender(settings, platform)
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text + signature(platform))
    await aiosmtplib.send(message, hostname=settings.smtp_host, port=settings.smtp_port)


def sign_in_text(link: str, minutes: int, platform: str) -> str:
    return (
        "Bonjour,\n\n"
        f"Pour vous connecter à la plateforme {platform}, ouvrez ce lien :\n\n"
        f"{link}\n\n"
        f"Il est valable {minutes} minutes et ne sert qu'une fois. "
        "Si vous n'avez rien demandé, ignorez ce message.\n"
    )


def address_check_text(link: str, platform: str) -> str:
    return (
        "Bonjour,\n\n"
        "Vous avez indiqué cette adresse pour recevoir les notifications de la plateforme "
        f"{platform}. Pour la confirmer, ouvrez ce lien (connecté à votre compte) :\n\n"
        f"{link}\n\n"
        "Il est valable 24 heures et ne sert qu'une fois. Tant que l'adresse n'est pas "
        "confirmée, rien ne lui est envoyé. Si vous n'avez rien demandé, ignorez ce message.\n"
    )


def invitation_text(link: str, collectivite: str, minutes: int, platform: str) -> str:
    return (
        "Bonjour,\n\n"
        f"Vous êtes invité·e à rejoindre {collectivite} sur la plateforme {platform}, "
        "qui aide les élu·es à se former aux transitions.\n\n"
        f"Pour accepter, connectez-vous avec ce lien (valable {minutes} minutes) :\n\n"
        f"{link}\n\n"
        "Passé ce délai, demandez un nouveau lien de connexion avec cette adresse sur le site.\n"
    )


def decision_text(
    collectivite: str, role: str, validated: bool, site: str, reason: str | None = None
) -> str:
    if validated:
        outcome = (
            f"Votre demande pour rejoindre {collectivite} comme {role} est validée. "
            f"Vous pouvez désormais agir pour elle sur {site}/espace"
        )
    else:
        outcome = f"Votre demande pour rejoindre {collectivite} comme {role} n'a pas été acceptée."
        # The person refused is owed the why, as written by whoever decided.
        if reason:
            outcome += f"\n\nMotif : {reason}"
        outcome += "\n\nPour en savoir plus, adressez-vous à votre mairie."
    return f"Bonjour,\n\n{outcome}\n"


def revocation_text(collectivite: str, role: str, site: str) -> str:
    return (
        f"Bonjour,\n\nVotre adhésion à {collectivite} comme {role} a été retirée : vous "
        f"n'agissez plus pour elle sur {site}. Pour en savoir plus, adressez-vous à votre "
        "mairie.\n"
    )
