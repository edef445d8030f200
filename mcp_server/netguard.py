"""Fetching URLs chosen by someone else (the API's output URLs) without letting them reach this machine.

Only http and https URLs are fetched. Unless `allow_private_urls` is set (the simulator and tests), a
connection is made only to public addresses: the host name is resolved once, every address it resolves
to is checked, and the connection goes to one of those very addresses (the Host header and TLS SNI still
carry the name), so no second DNS answer can slip in between check and connect. Loopback, private,
link-local, CGNAT, multicast, reserved, documentation and cloud metadata ranges are refused, also inside
IPv4-mapped, NAT64 and 6to4 IPv6 forms. An injected transport (tests, `--simulate`) makes no connections;
the URL checks still apply to it.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

import anyio
import httpcore2
import httpx2

from mcp_server.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_V4_BLOCKED = tuple(ipaddress.IPv4Network(net) for net in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
    "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "168.63.129.16/32",  # the last: Azure's metadata host
))
_V6_BLOCKED = tuple(ipaddress.IPv6Network(net) for net in (
    "::/96", "100::/64", "2001::/23", "2001:db8::/32", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
))
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
SCHEMES = ("http", "https")


class UnsafeURL(ValueError):
    """A URL or an address this server refuses to fetch from."""


def is_public(address: str | IPAddress) -> bool:
    """Whether an IP address is a public unicast address (embedded IPv4 addresses are checked as such)."""
    try:
        ip = ipaddress.ip_address(str(address).split("%")[0])  # drop an IPv6 zone id
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and any(ip in net for net in _NAT64):
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public(embedded)
        blocked: Iterable[Any] = _V6_BLOCKED
    else:
        blocked = _V4_BLOCKED
    return ip.is_global and not ip.is_multicast and not any(ip in net for net in blocked)


def check_url(url: str | httpx2.URL, *, allow_private: bool) -> httpx2.URL:
    """The parsed URL if it may be fetched: http(s), a host, and no private IP literal (unless allowed)."""
    try:
        parsed = httpx2.URL(str(url))
    except (httpx2.InvalidURL, ValueError, TypeError):
        raise UnsafeURL("not a valid URL") from None
    if parsed.scheme not in SCHEMES or not parsed.host:
        raise UnsafeURL(f"only http(s) URLs with a host are fetched, not {parsed.scheme or 'a relative'} URLs")
    if not allow_private and _is_ip(parsed.host) and not is_public(parsed.host):
        raise UnsafeURL(f"{parsed.host} is not a public address")
    return parsed


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


async def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (an IP literal resolves to itself). Tests replace this."""
    if _is_ip(host):
        return [host]
    infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class GuardedBackend(httpcore2.AsyncNetworkBackend):
    """An httpcore network backend that resolves once, checks every address, and connects to a checked one."""

    def __init__(self, *, allow_private: bool = False) -> None:
        self.allow_private = allow_private
        self._inner = httpcore2.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None, socket_options: Iterable[Any] | None = None
                          ) -> httpcore2.AsyncNetworkStream:
        try:
            with anyio.fail_after(timeout):
                addresses = await resolve(host, port)
        except TimeoutError:
            raise httpcore2.ConnectTimeout(f"resolving {host} timed out") from None
        except OSError as exc:
            raise httpcore2.ConnectError(f"cannot resolve {host}: {exc}") from None
        refused = [a for a in addresses if not is_public(a)]
        if not self.allow_private and refused:
            raise UnsafeURL(f"{host} resolves to {refused[0]}, which is not a public address; not fetched "
                            "(UNIFICALLY_ALLOW_PRIVATE_URLS=1 allows it, for local testing only)")
        if not addresses:
            raise httpcore2.ConnectError(f"{host} resolves to no address")
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                                     socket_options=socket_options)
            except (httpcore2.ConnectError, httpcore2.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None) -> httpcore2.AsyncNetworkStream:
        raise UnsafeURL("unix sockets are never used for fetching")

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(seconds)


class GuardedTransport(httpx2.AsyncHTTPTransport):
    """httpx2's own transport with its connection pool built on `GuardedBackend` (no proxies)."""

    def __init__(self, *, allow_private: bool = False) -> None:
        tls = httpx2.create_ssl_context(trust_env=False)  # loaded once, for the pool actually used
        super().__init__(verify=tls, trust_env=False)
        self._pool = httpcore2.AsyncConnectionPool(ssl_context=tls,
                                                   network_backend=GuardedBackend(allow_private=allow_private))


def fetch_client(settings: Settings, transport: httpx2.AsyncBaseTransport | None = None) -> httpx2.AsyncClient:
    """The HTTP client for third-party URLs: no key, no redirects followed by itself, guarded connections."""
    return httpx2.AsyncClient(transport=transport or GuardedTransport(allow_private=settings.allow_private_urls),
                              timeout=settings.request_timeout, follow_redirects=False, trust_env=False,
                              headers={"User-Agent": "unifically-mcp"})
