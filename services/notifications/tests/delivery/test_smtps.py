"""SMTPS (implicit TLS, port 465 in production) from the service's settings.

The server is a real aiosmtpd speaking TLS from the first byte, with a throw-away
self-signed certificate; the client is the sender's pool, built from settings read
from the environment, as the running service builds it.
"""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from deformations_devtools.notifications.catchers import MailCatcher
from deformations_devtools.notifications.tls import self_signed
from deformations_notifications.delivery.smtp import SmtpPool
from deformations_notifications.domain.outcome import Outcome
from deformations_notifications.settings import NotificationsSettings


def _message() -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "notifications@deformations.example.org"
    msg["To"] = "elue@example.org"
    msg["Subject"] = "Par SMTPS"
    msg.set_content("Bonjour")
    return msg


async def test_smtp_tls_setting_sends_over_implicit_tls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tls = self_signed(tmp_path)
    async with MailCatcher.running(tls=tls.server_context()) as catcher:
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SMTP_PORT", str(catcher.port))
        monkeypatch.setenv("SMTP_TLS", "true")
        monkeypatch.setenv("SMTP_CA_FILE", str(tls.cert_file))
        settings = NotificationsSettings()
        async with SmtpPool(settings.smtp(), 1) as smtp:
            result = await smtp.send(_message())
    assert result.outcome is Outcome.DELIVERED, result.detail
    assert catcher.recipients == [["elue@example.org"]]
    assert catcher.tls[0] is not None and catcher.tls[0].startswith("TLS")


async def test_without_smtp_tls_an_smtps_server_is_not_reached(tmp_path: Path) -> None:
    tls = self_signed(tmp_path)
    async with MailCatcher.running(tls=tls.server_context()) as catcher:
        settings = NotificationsSettings(smtp_port=catcher.port, smtp_timeout_s=0.5)
        async with SmtpPool(settings.smtp(), 1) as smtp:
            result = await smtp.send(_message())
    assert result.outcome is Outcome.TRANSIENT
    assert catcher.received == []


def test_starttls_and_implicit_tls_exclude_each_other() -> None:
    with pytest.raises(ValueError, match="SMTP_TLS"):
        NotificationsSettings(smtp_starttls=True, smtp_tls=True)
    assert NotificationsSettings(smtp_tls=True).smtp().implicit_tls
    assert not NotificationsSettings().smtp().implicit_tls
