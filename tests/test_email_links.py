"""Every link of every e-mail opens a page: no dead link in the mails of the platform.

Each template is rendered with its sample context (``deformations_devtools.notifications.
samples``), its links built the way notifications builds them (``contexts.Links`` over
``APP_URL``, the relay and unsubscribe pages under notifications' public URL). Every link
is then routed like the one address routes it (``scripts/one_address.py``) and, when the
portal serves it, followed on the running portal as the person the mail is for: no 404, no
5xx, a sign-in redirect that comes back to the page counts as alive. The services behind
the portal answer at the HTTP boundary (``deformations_devtools.portal.fakes``)."""

from __future__ import annotations

import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from deformations_common.service import create_app
from deformations_common.settings import Environment
from deformations_devtools.notifications.samples import SAMPLES
from deformations_devtools.portal import demo
from deformations_devtools.portal.fakes import FakeServices
from deformations_devtools.portal.support import Portal
from deformations_devtools.testing import Infra, isolated_settings, running
from deformations_notifications.rendering.contexts import Links, marks_url
from deformations_notifications.rendering.renderer import TEMPLATE_NAMES, Renderer
from deformations_portal.app import definition
from deformations_portal.settings import PortalSettings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import one_address

SITE = "https://deformations.example"
LINK = re.compile(r"""href="([^"]+)"|(https?://[^\s"<>)]+)""")
# Who each mail is for (the demo people of make run, deformations_devtools.people).
READER = {
    "loan": "rh@crest.demo.deformations.fr",
    "session": "rh@crest.demo.deformations.fr",
    "match": "elu@aouste.demo.deformations.fr",
    "diagnosis": "elue@crest.demo.deformations.fr",
}
DEFAULT_READER = "elue@crest.demo.deformations.fr"
# Links to other sites (a video call's address): not pages of the platform.
ELSEWHERE = ("https://visio.example",)


def contexts(fakes: FakeServices) -> dict[str, dict[str, Any]]:
    """The samples with the links notifications really builds, over the fakes' ids."""
    links = Links(SITE)
    built = {
        "results_url": {
            "diagnosis.completed": links.to("diagnostic", "resultats", fakes.loan_id),
            "diagnosis.team_updated": links.to("campagnes", fakes.campaign_id, "resultats"),
        },
        "details_url": links.to("propositions", fakes.proposal_id),
        "loan_url": links.to("prets", fakes.loan_id),
        "feedback_url": links.to("prets", fakes.loan_id, "avis"),
        # Signed for its recipient when composed; a token not theirs still opens the page.
        "action_url": f"{links.to('prets', fakes.loan_id)}?action=accord&jeton=sample",
        "session_url": links.to("seances", fakes.session_id),
        "platform_url": SITE,
        "reply_url": f"{SITE}/v1/relay/reply?token=sample",
        "report_url": f"{SITE}/v1/relay/report?token=sample",
        "offer_url": links.to("formations", fakes.offer_id),
        "rebond_url": links.to("formations", "parcours"),
        "evaluation_url": links.to("formations", "questionnaires", fakes.evaluation_id),
        "programme_url": links.to("programmes", fakes.programme_id),
        "marks_url": marks_url(links, {"related_id": fakes.gathering_id}),
    }
    footer = {
        "preferences_url": links.to("preferences"),
        "unsubscribe_url": f"{SITE}/v1/unsubscribe?token=sample",
    }
    # The digest lists the others' summaries; its own link is the platform's home.
    digest = {"groups": [], "frequency": "daily", "platform_url": SITE}
    out = {"digest": {**digest, **footer}}
    for name, sample in SAMPLES.items():
        ctx = {**sample, **footer}
        for key, value in built.items():
            if key in ctx:
                ctx[key] = value[name] if isinstance(value, dict) else value
        out[name] = ctx
    return out


def links_of(name: str, ctx: dict[str, Any]) -> set[str]:
    rendered = Renderer().render(name, ctx)
    found = set()
    for text in (rendered.html, rendered.text):
        for href, bare in LINK.findall(text):
            found.add((href or bare).rstrip(".,;"))
    return {link for link in found if not link.startswith(("mailto:", "#"))}


def test_every_template_has_a_sample_and_links() -> None:
    fakes = FakeServices()
    assert set(contexts(fakes)) == TEMPLATE_NAMES
    for name, ctx in contexts(fakes).items():
        assert links_of(name, ctx), f"{name} has no link"


@pytest.fixture
async def portal(infra: Infra, database_url: str, namespace: str) -> AsyncIterator[Any]:
    settings = isolated_settings(
        PortalSettings,
        infra,
        database_url,
        namespace,
        "portal",
        smtp_port=1,
        environment=Environment.DEV,
    )
    fakes = FakeServices()
    app = create_app(definition(settings))
    async with running(app):
        app.state.clients._http = httpx.AsyncClient(transport=fakes.transport())
        await Portal(settings).run(demo.create_accounts)
        yield app, fakes


async def follow(app: Any, reader: str, url: str) -> tuple[int, str]:
    """Open ``url`` signed out as ``reader`` would: through sign-in, back to the page."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as client:
        answer = await client.get(target)
        if answer.status_code == 303 and answer.headers["location"] == "/connexion":
            form = await client.get("/connexion/dev")
            csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
            assert csrf, form.text
            signed = await client.post(
                "/connexion/dev", data={"email": reader, "csrf": csrf.group(1)}
            )
            assert signed.headers["location"] == target, f"sign-in did not come back to {url}"
            answer = await client.get(target)
        if answer.status_code == 303:
            # A page of another service at the same address (the quiz's result page).
            location = answer.headers["location"]
            routed = one_address.route(urlsplit(location).path)
            assert routed is not None and routed.service != "portal", location
            return 200, f"→ {routed.service}{location}"
        return answer.status_code, answer.text


async def test_no_e_mail_link_is_dead(portal: Any) -> None:
    app, fakes = portal
    followed: dict[str, int] = {}
    for name, ctx in contexts(fakes).items():
        reader = READER.get(name.split(".")[0], DEFAULT_READER)
        for url in links_of(name, ctx):
            if url.startswith(ELSEWHERE):
                continue
            assert url.startswith(SITE), f"{name}: {url} leaves the site"
            path = urlsplit(url).path or "/"
            routed = one_address.route(path)
            assert routed is not None, f"{name}: {url} is routed nowhere (404)"
            if routed.service != "portal":
                # Notifications' own one-click pages (unsubscribe, reply), routed to it.
                assert routed.service == "notifications", f"{name}: {url} → {routed}"
                continue
            status, body = await follow(app, reader, url)
            assert status < 400, f"{name}: {url} answers {status} as {reader}: {body[:300]}"
            followed[url] = status
    paths = {urlsplit(u).path.strip("/").split("/")[0] for u in followed}
    assert {"prets", "seances", "propositions", "preferences", "campagnes"} <= paths
    assert {"diagnostic", "", "formations", "programmes", "speed-dating"} <= paths
    training = {urlsplit(u).path for u in followed if u.startswith(f"{SITE}/formations")}
    assert {
        f"/formations/{fakes.offer_id}",
        "/formations/parcours",
        f"/formations/questionnaires/{fakes.evaluation_id}",
    } <= training
    # Opening the links changed nothing: the services only ever saw GETs.
    assert {method for method, *_ in fakes.calls} == {"GET"}
