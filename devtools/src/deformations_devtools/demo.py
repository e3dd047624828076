"""What a service's demo scenario gets from ``make run``: clients and dev tokens.

Each service may ship ``deformations_<service>.demo`` with ``async def play(ctx: DemoContext)``;
``scripts/run_platform.py`` calls them once the four services are ready.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from deformations_common.auth import issue_dev_token
from deformations_common.settings import Environment, ServiceSettings
from deformations_devtools.people import subject
from deformations_devtools.places import DemoPlaces, places_of


@dataclass
class DemoContext:
    urls: dict[str, str]
    # The services of ``make run`` trust the dev issuer (ENVIRONMENT=dev), and so does this.
    settings: ServiceSettings = field(
        default_factory=lambda: ServiceSettings(environment=Environment.DEV)
    )
    say: Callable[[str], None] = print
    # The COG code of the platform's Région (PLATFORM_FILE's ``region``): every demo plays
    # inside it, since matching, the statistics and the portal keep to the territory.
    region: str = ""
    # What demos leave for the ones after them (ids of a campaign, an offer…).
    shared: dict[str, object] = field(default_factory=dict)

    @property
    def places(self) -> DemoPlaces:
        """The communes, rooms and people of the demo in the platform's Région."""
        return places_of(self.region)

    def client(self, service: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.urls[service], timeout=30)

    def person(self, name: str) -> str:
        """The id of a demo person in a payload: the one the portal signs them in as."""
        return subject(name)

    def auth(
        self,
        sub: str,
        *,
        authority: str | None = None,
        roles: tuple[str, ...] = (),
        verified_email: str | None = None,
    ) -> dict[str, str]:
        """``verified_email``: the token vouches for it as the portal's does for an address
        the person proved (notifications registers no other)."""
        token = issue_dev_token(
            self.settings,
            subject(sub),
            authority=authority,
            roles=roles,
            email=verified_email,
            email_verified=None if verified_email is None else True,
        )
        return {"Authorization": f"Bearer {token}"}
