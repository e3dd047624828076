"""The portal: the one site people use. It signs people in, keeps their memberships of
collectivités, signs the short-lived tokens the services verify and renders every page."""

from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from deformations_common.service import ServiceDefinition
from deformations_common.vocabulary.clock import Clock, system_clock
from deformations_contracts.events.people import MembershipChanged, PersonErasureRequested
from deformations_portal.api import jwks
from deformations_portal.clients import Clients
from deformations_portal.oidc import OidcClient
from deformations_portal.settings import PortalSettings
from deformations_portal.subscribers import handlers
from deformations_portal.web import (
    addresses,
    catalogue,
    links,
    my_agenda,
    my_diagnostics,
    my_name,
    operator,
    operator_deliveries,
    operator_moderation,
    pages,
    public,
    signin,
    statistics,
)
from deformations_portal.web.content_site import routers as content_routers
from deformations_portal.web.lending_site import routers as lending_routers
from deformations_portal.web.meetings_site import routers as meeting_routers
from deformations_portal.web.training_site import routers as training_routers


def definition(
    settings: PortalSettings | None = None, *, clock: Clock = system_clock
) -> ServiceDefinition[PortalSettings]:
    settings = settings or PortalSettings()
    clients = Clients()
    # Checked here so that a misconfigured platform (unreadable colours…) never starts.
    platform = settings.load_platform()

    def configure(app: FastAPI) -> None:
        app.state.oidc = OidcClient(settings)
        app.state.clients = clients
        app.state.platform = platform
        static = resources.files("deformations_portal.web") / "static"
        app.mount("/static", StaticFiles(directory=str(static)), name="static")

    return ServiceDefinition(
        settings=settings,
        title="deformations — portal",
        description=(
            "Le site de la plateforme : connexion, personnes et adhésions aux collectivités, "
            "« Mon espace », pages du livret ; émetteur des jetons vérifiés par les services."
        ),
        migrations_package="deformations_portal.migrations",
        handlers=handlers,
        routers=[
            jwks.router,
            signin.router,
            pages.router,
            my_name.router,
            catalogue.router,
            public.router,
            links.router,
            my_diagnostics.router,
            my_agenda.router,
            operator.router,
            statistics.router,
            operator_moderation.router,
            operator_deliveries.router,
            addresses.router,
            *training_routers,
            *meeting_routers,
            *lending_routers,
            *content_routers,
        ],
        produces=[MembershipChanged, PersonErasureRequested],
        background=[clients.keep],
        configure_app=configure,
        clock=clock,
    )
