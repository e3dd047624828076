"""E-mail over SMTP with aiosmtplib, one connection reused while it lasts.

Every failure is classified rather than raised, so the caller records it and lets the
retry policy decide: a 4yz reply or a lost connection comes back later, a 5yz does not.
"""

from __future__ import annotations

import asyncio
import copy
import io
from dataclasses import dataclass
from email.generator import BytesGenerator
from email.headerregistry import AddressHeader
from email.message import EmailMessage
from types import TracebackType

import aiosmtplib

from deformations_notifications.domain.outcome import AttemptResult, Outcome, classify_smtp_code


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str = "localhost"
    port: int = 1025
    starttls: bool = False
    implicit_tls: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0
    # A private CA's bundle to verify the server with (None: the system's trust store).
    ca_file: str | None = None

    def __post_init__(self) -> None:
        if self.starttls and self.implicit_tls:
            raise ValueError("choose STARTTLS or implicit TLS, not both")
        if (self.username is None) != (self.password is None):
            raise ValueError("SMTP credentials need both a user name and a password")


def _classify(error: Exception) -> AttemptResult:
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        codes = [e.code for e in error.recipients]
        # If any refusal is temporary, the whole message may still get through later.
        code = min(codes, key=lambda c: (c >= 500, c)) if codes else 451
        return AttemptResult(classify_smtp_code(code), f"{code} recipients refused", code)
    if isinstance(error, aiosmtplib.SMTPResponseException) and error.code >= 400:
        outcome = classify_smtp_code(error.code)
        return AttemptResult(outcome, f"{error.code} {error.message}"[:500], error.code)
    # Disconnections, timeouts, refused connections: the server may be back soon.
    return AttemptResult(Outcome.TRANSIENT, f"{type(error).__name__}: {error}"[:500])


def _flatten(message: EmailMessage) -> bytes:
    """Serialise with the message's own policy, minus Bcc.

    aiosmtplib re-serialises with ``email.policy.SMTP`` (78-character folding), which turns
    a long List-Unsubscribe URL into an encoded-word; keep the policy the message was built
    with (``rendering.email.POLICY``).
    """
    # A shallow copy: deleting a header rebuilds the copy's header list, not the original's.
    outgoing = copy.copy(message)
    del outgoing["Bcc"]
    buffer = io.BytesIO()
    BytesGenerator(buffer, policy=message.policy.clone(linesep="\r\n")).flatten(outgoing)
    return buffer.getvalue()


def _addresses(message: EmailMessage, *names: str) -> list[str]:
    found: list[str] = []
    for name in names:
        for header in message.get_all(name, []):
            if isinstance(header, AddressHeader):
                found.extend(a.addr_spec for a in header.addresses)
    return found


class SmtpSender:
    """Use as ``async with SmtpSender(config) as smtp: result = await smtp.send(msg)``.

    One instance holds one connection and sends one message at a time; run several
    instances for parallel sending.
    """

    def __init__(self, config: SmtpConfig) -> None:
        self._config = config
        self._client: aiosmtplib.SMTP | None = None
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> SmtpSender:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        cfg = self._config
        client = aiosmtplib.SMTP(
            hostname=cfg.host,
            port=cfg.port,
            use_tls=cfg.implicit_tls,
            start_tls=cfg.starttls,
            username=cfg.username,
            password=cfg.password,
            timeout=cfg.timeout,
            cert_bundle=cfg.ca_file,
        )
        await client.connect()
        self._client = client
        return client

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except aiosmtplib.SMTPException:
                client.close()

    async def send(
        self,
        message: EmailMessage,
        *,
        envelope_sender: str | None = None,
        recipients: list[str] | None = None,
    ) -> AttemptResult:
        """Send one message; never raises for delivery problems, returns the outcome."""
        async with self._lock:
            try:
                sender = envelope_sender or next(iter(_addresses(message, "Sender", "From")), "")
                to = recipients or _addresses(message, "To", "Cc", "Bcc")
                if not sender or not to:
                    return AttemptResult(Outcome.PERMANENT, "no sender or no recipient")
                client = await self._connected()
                errors, response = await client.sendmail(sender, to, _flatten(message))
            except (aiosmtplib.SMTPException, OSError) as error:
                await self._drop()
                return _classify(error)
            if errors:
                # Some recipients refused: the message is not fully delivered.
                code = min(r.code for r in errors.values())
                return AttemptResult(classify_smtp_code(code), f"{code} partial refusal", code)
            return AttemptResult(Outcome.DELIVERED, response[:200], 250)

    async def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()


class SmtpPool:
    """Several connections used side by side: SMTP round trips overlap, not rendering."""

    def __init__(self, config: SmtpConfig, size: int) -> None:
        if size < 1:
            raise ValueError("at least one SMTP connection")
        self._senders = [SmtpSender(config) for _ in range(size)]
        self._free: asyncio.Queue[SmtpSender] = asyncio.Queue()
        for sender in self._senders:
            self._free.put_nowait(sender)

    async def __aenter__(self) -> SmtpPool:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for sender in self._senders:
            await sender.close()

    async def send(self, message: EmailMessage) -> AttemptResult:
        sender = await self._free.get()
        try:
            return await sender.send(message)
        finally:
            self._free.put_nowait(sender)
