"""Who is on the other end of a request: the client address that audit entries record and
attempt limits count.

Behind a reverse proxy every request comes from the proxy's address, which would record the
proxy in the audit log and make one client's failed logins lock out everybody. When
``YIWANG_TRUSTED_PROXIES`` lists the proxies (addresses or networks), a request arriving from
one of them is taken to come from the right-most address of ``X-Forwarded-For`` that is not a
trusted proxy: each proxy appends the address it received the request from, so the entries to
the left of that one are whatever the client chose to send and prove nothing.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@functools.lru_cache(maxsize=8)
def trusted_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """The networks of ``YIWANG_TRUSTED_PROXIES`` (``10.0.0.5``, ``10.1.0.0/16``, ``::1``);
    the settings have already refused an entry that is neither."""
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _address(text: str) -> Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443" as some proxies write it
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:51234"
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: Address, networks: Iterable[Network]) -> bool:
    return any(address in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The client's IP address as text; "" when the request carries none that can be read."""
    peer = _address(str(request.META.get("REMOTE_ADDR", "")))
    if peer is None:
        return ""
    networks = trusted_networks(tuple(settings.YIWANG_TRUSTED_PROXIES))
    if not networks or not _trusted(peer, networks):
        return str(peer)
    nearest = peer  # the last hop known to be real
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    for hop in reversed(forwarded.split(",")):
        address = _address(hop)
        if address is None:
            break  # a hop we cannot read: trust nothing to its left
        if not _trusted(address, networks):
            return str(address)
        nearest = address
    return str(nearest)
