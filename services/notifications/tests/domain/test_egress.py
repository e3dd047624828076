"""Where webhooks may connect: public addresses only, IPv4 and IPv6, embedded ones too."""

import ipaddress

import pytest

from deformations_notifications.domain.egress import refusal


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "bouclage"),
        ("::1", "bouclage"),
        ("10.1.2.3", "privée"),
        ("192.168.1.1", "privée"),
        ("172.16.0.5", "privée"),
        ("fd12::1", "privée"),
        ("169.254.169.254", "métadonnées"),
        ("fd00:ec2::254", "métadonnées"),
        ("169.254.10.1", "lien-local"),
        ("fe80::1", "lien-local"),
        ("100.64.0.1", "CGNAT"),
        ("224.0.0.1", "multidiffusion"),
        ("ff02::1", "multidiffusion"),
        ("0.0.0.0", "non spécifiée"),
        ("::", "non spécifiée"),
        ("::ffff:127.0.0.1", "bouclage"),
        ("::ffff:169.254.169.254", "métadonnées"),
        ("64:ff9b::a9fe:a9fe", "métadonnées"),
        ("2002:7f00:1::", "bouclage"),
    ],
)
def test_inside_addresses_are_refused_with_their_kind(address: str, kind: str) -> None:
    reason = refusal(address)
    assert reason is not None and kind in reason and address in reason


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1::1", "1.1.1.1"])
def test_public_addresses_are_accepted(address: str) -> None:
    assert refusal(address) is None


def test_a_network_opened_on_purpose_is_accepted() -> None:
    assert refusal("127.0.0.1", [ipaddress.ip_network("127.0.0.1/32")]) is None
    assert refusal("127.0.0.2", [ipaddress.ip_network("127.0.0.1/32")]) is not None
