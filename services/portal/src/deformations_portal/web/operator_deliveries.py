"""Failed deliveries in the back-office: mails notifications gave up on and webhooks other
systems did not take, with « Réessayer » once the cause is fixed. Notifications' own
operator API does the work; asking twice changes nothing the second time. Journaled."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import Response

from deformations_common.vocabulary.errors import DomainError, InvalidInput
from deformations_portal.domain.memberships import Membership
from deformations_portal.service import moderation
from deformations_portal.service.uow import PortalUow
from deformations_portal.web import notifications_client
from deformations_portal.web.context import PageDep
from deformations_portal.web.notifications_client import NotificationsNotFound
from deformations_portal.web.operator import _operator, operator_form
from deformations_portal.web.pages import CsrfField

router = APIRouter(include_in_schema=False)

Field = Annotated[str, Form()]
SHOWN = 100


# What « Réessayer » posts to, by the kind of delivery the form names.
_RETRY = {
    "courriel": "/v1/notifications/{}/retry",
    "webhook": "/v1/webhook-deliveries/{}/retry",
}


@router.get("/operateur/envois")
async def deliveries_page(page: PageDep, notice: str = "") -> Response:
    acting = _operator(page)
    if not isinstance(acting, Membership):
        return acting
    mails: list[dict[str, Any]] = []
    hooks: list[dict[str, Any]] = []
    problem = ""
    try:
        client = await notifications_client.as_operator(page, acting)
        mails = await client.get("/v1/notifications", {"status": "failed", "limit": SHOWN})
        hooks = await client.get("/v1/webhook-deliveries", {"limit": SHOWN})
    except DomainError as error:
        problem = error.message
    async with page.runtime.begin(PortalUow) as uow:
        names = await moderation.authors(uow, acting.person_id, [m["recipient_id"] for m in mails])
    for mail in mails:
        mail["recipient"] = names[mail["recipient_id"]]
    return page.render(
        "operator/deliveries.html",
        "Opérateur : envois en échec",
        current="operateur",
        section="envois",
        mails=mails,
        hooks=hooks,
        problem=problem,
        notice="L'envoi est relancé." if notice == "relance" else "",
    )


@router.post("/operateur/envois")
async def retry(
    page: PageDep, kind: Field = "", envoi: Field = "", csrf: CsrfField = None
) -> Response:

    async def step(acting: Membership) -> Response:
        path = _RETRY.get(kind)
        delivery = _uuid(envoi)
        if path is None or delivery is None:
            raise InvalidInput("Cet envoi n'est pas connu du portail.")
        client = await notifications_client.as_operator(page, acting)
        try:
            await client.post(path.format(delivery), {})
        except NotificationsNotFound:
            return page.message(
                "Rien à faire",
                "Cet envoi n'est plus en échec : il a déjà été relancé, par vous ou un autre "
                "opérateur.",
                status=409,
                error=True,
                link={"href": "/operateur/envois", "text": "Revenir aux envois"},
            )
        async with page.runtime.begin(PortalUow) as uow:
            await moderation.record_retry(uow, acting.person_id, f"{kind}:{delivery}")
        return page.redirect("/operateur/envois?notice=relance")

    return await operator_form(
        page, csrf, step, title="Relance impossible", back="/operateur/envois"
    )


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
