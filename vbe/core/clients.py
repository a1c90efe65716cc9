"""What counts as one client when requests are counted per client (refused anonymous requests in
vbe.audit.denials, one-time codes in vbe.accounts.services).

The address is the one the WSGI server reports (``REMOTE_ADDR``): behind a reverse proxy, the proxy
must put the visitor's address there (README, "Drift"), or every visitor counts as one client.
"""

from __future__ import annotations

import ipaddress


def client_network(address: str) -> str:
    """The IPv4 address, or the /64 of an IPv6 address: one IPv6 subscriber gets a whole /64, so
    rotating the host part must not make a new client."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address  # not an address (a misconfigured proxy): all such requests are one client
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
