"""The HTTP client the portal calls the services with, open while the service runs."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx


class Clients:
    def __init__(self) -> None:
        self._http: httpx.AsyncClient | None = None

    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(limits=httpx.Limits(max_connections=200))
        return self._http

    async def keep(self, runtime: Any) -> None:
        """A background task of the service: closes the client when the service stops."""
        try:
            await asyncio.Event().wait()
        finally:
            if self._http is not None:
                await self._http.aclose()
                self._http = None
