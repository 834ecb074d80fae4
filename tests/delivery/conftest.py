"""Fixtures of the delivery tests: installations with static routes and a fake clock, a scriptable SMTP peer
(aiosmtpd on loopback) and, in the modules that need them, NSD and Postfix (see ``delivery_peers.py``)."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from delivery_peers import PeerHandler, SmtpPeer, free_port, with_config

from congvu.delivery.clock import FakeClock
from congvu.delivery.queue import OutboundQueue
from congvu.installation import Installation
from congvu.installation.keys import make_tls_certificate


@pytest.fixture(scope="session")
def peer_certificate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A self-signed certificate for mx.example.test (the key beside it as key.pem)."""
    folder: Path = tmp_path_factory.mktemp("peer-tls")
    make_tls_certificate(folder / "cert.pem", folder / "key.pem", "mx.example.test", "example.test")
    return folder / "cert.pem"


@pytest.fixture(scope="session")
def peer_tls(peer_certificate: Path) -> ssl.SSLContext:
    folder = peer_certificate.parent
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


@pytest.fixture
def smtp_peer(peer_tls: ssl.SSLContext) -> Iterator[SmtpPeer]:
    """Another organisation's server: a real SMTP listener on 127.0.0.1 offering STARTTLS."""
    handler = PeerHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, tls_context=peer_tls,
                            server_hostname="mx.example.test", decode_data=False, enable_SMTPUTF8=True)
    controller.start()
    try:
        yield SmtpPeer(handler, port)
    finally:
        controller.stop()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def routed(installation: Installation, smtp_peer: SmtpPeer) -> Installation:
    return with_config(installation, routes={"example.test": f"127.0.0.1:{smtp_peer.port}"},
                       delivery={"retry_base_s": 60, "retry_max_s": 600, "expire_hours": 1})


@pytest.fixture
def queue(routed: Installation, clock: FakeClock) -> OutboundQueue:
    return OutboundQueue(routed, clock=clock)
