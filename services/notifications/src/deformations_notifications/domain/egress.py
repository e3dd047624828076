"""Where webhooks may go: public addresses only (no server-side request forgery).

Checked on the addresses a name resolves to, at connect time, so a name that resolves to
a loopback or a cloud metadata address is refused like the address itself.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

CGNAT = ipaddress.ip_network("100.64.0.0/10")
METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}


def _embedded(ip: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, NAT64), judged as itself."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip in ipaddress.ip_network("64:ff9b::/96"):
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def refusal(address: str | IPAddress, allowed: Iterable[IPNetwork] = ()) -> str | None:
    """Why a webhook may not connect to ``address`` (French, for the delivery record), or
    None. ``allowed`` lists networks an operator opened on purpose (a test receiver)."""
    ip = _embedded(ipaddress.ip_address(address))
    if any(ip in network for network in allowed):
        return None
    kinds = [
        (ip in METADATA, "une adresse de métadonnées du nuage"),
        (ip.is_loopback, "une adresse de bouclage (loopback)"),
        (ip.is_unspecified, "une adresse non spécifiée"),
        (ip.is_link_local, "une adresse lien-local"),
        (ip.is_multicast, "une adresse de multidiffusion"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in CGNAT, "une adresse CGNAT"),
        (ip.is_private, "une adresse privée"),
        (not ip.is_global, "une adresse non publique"),
    ]
    for matched, kind in kinds:
        if matched:
            return f"adresse refusée : {address} est {kind}"
    return None
