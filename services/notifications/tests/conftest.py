"""Shared test material: sample template contexts, a real SMTP server, a real webhook receiver."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from deformations_devtools.notifications import servers
from deformations_devtools.notifications.samples import SAMPLES


@pytest.fixture
def samples() -> dict[str, dict[str, Any]]:
    return SAMPLES


@pytest.fixture
async def smtp_server() -> AsyncIterator[servers.RunningSmtp]:
    async with servers.smtp_server() as running:
        yield running


@pytest.fixture
async def webhook_receiver() -> AsyncIterator[servers.Receiver]:
    async with servers.webhook_receiver() as receiver:
        yield receiver
