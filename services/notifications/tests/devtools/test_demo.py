from __future__ import annotations

import email
import email.policy

from deformations_devtools.notifications.demo import demo_people, send_demo
from deformations_devtools.notifications.servers import RunningSmtp
from deformations_notifications.delivery.smtp import SmtpConfig
from deformations_notifications.rendering.renderer import TEMPLATE_NAMES


async def test_demo_sends_one_mail_per_template(smtp_server: RunningSmtp) -> None:
    failures = await send_demo(
        SmtpConfig(host="127.0.0.1", port=smtp_server.port), "elue@example.org"
    )
    assert failures == 0
    received = [
        email.message_from_bytes(r, policy=email.policy.default) for r in smtp_server.sink.received
    ]
    assert len(received) == len(TEMPLATE_NAMES)
    with_invites = [
        m for m in received if any(p.get_content_type() == "text/calendar" for p in m.walk())
    ]
    assert len(with_invites) == 3
    assert all(m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" for m in received)
    subjects = {str(m["Subject"]) for m in received}
    assert any(s.startswith("Votre récapitulatif de la semaine") for s in subjects)


def test_the_demo_registers_the_people_the_other_demos_left() -> None:
    people = demo_people(
        {
            "lending.lender_siren": "212601082",
            "lending.borrower_siren": "212600118",
            "diagnosis.people": ["demo-elu-26108-0", "demo-elu-99999-1"],
            "people": ["someone", {"person_id": "hr-x", "authority": "200040509"}],
        }
    )
    by_id = {p["person_id"]: p["authority"] for p in people}
    assert by_id["demo-agent-crest"] == "212601082"
    assert by_id["demo-elu-aouste"] == "212600118"
    assert by_id["demo-elu-26108-0"] == "212601082"  # Crest, from its INSEE code
    assert by_id["demo-elu-99999-1"] is None
    assert (by_id["someone"], by_id["hr-x"]) == (None, "200040509")
