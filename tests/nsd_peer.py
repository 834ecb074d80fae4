"""NSD (Debian's authoritative DNS server) on loopback, serving test zones: for the tests that need real DNS
answers over the network (the resolver, SPF/DKIM/DMARC at the MX)."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    """A port free for both TCP and UDP on 127.0.0.1 right now (NSD listens on both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = int(tcp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(("127.0.0.1", port))
                except OSError:
                    continue
            return port
    raise RuntimeError("no free port")


def wait_for_tcp(port: int, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port}")


def _txt(value: str) -> str:
    # Zone-file TXT: split into 255-octet character-strings (RFC 1035 §3.3.14).
    chunks = [value[i:i + 250] for i in range(0, len(value), 250)] or [""]
    return " ".join('"' + c.replace("\\", "\\\\").replace('"', '\\"') + '"' for c in chunks)


@dataclass
class Zone:
    """One zone's records, as (relative or absolute name, type, value) triples, and lines already in zone-file
    syntax; SOA and NS (the name server at 127.0.0.1) come first."""

    origin: str
    records: list[tuple[str, str, str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def add(self, name: str, rtype: str, value: str) -> Zone:
        self.records.append((name, rtype.upper(), value))
        return self

    def add_line(self, line: str) -> Zone:
        self.lines.append(line)
        return self

    def render(self) -> str:
        lines = [f"$ORIGIN {self.origin}.", "$TTL 30",
                 f"@ IN SOA ns.{self.origin}. hostmaster.{self.origin}. 1 3600 600 86400 30",
                 f"@ IN NS ns.{self.origin}.", "ns IN A 127.0.0.1"]
        for name, rtype, value in self.records:
            owner = name if name != "" else "@"
            lines.append(f"{owner} IN {rtype} {_txt(value) if rtype == 'TXT' else value}")
        return "\n".join([*lines, *self.lines]) + "\n"


class NsdServer:
    """NSD serving the given zones on 127.0.0.1:port (UDP and TCP)."""

    def __init__(self, folder: Path, zones: Iterable[Zone]) -> None:
        self.folder = folder
        self.zones = list(zones)
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> NsdServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        conf = [
            "server:", "    ip-address: 127.0.0.1", f"    port: {self.port}", '    username: ""', '    chroot: ""',
            f'    zonesdir: "{self.folder}"', f'    pidfile: "{self.folder}/nsd.pid"', '    database: ""',
            f'    xfrdfile: "{self.folder}/xfrd.state"', f'    zonelistfile: "{self.folder}/zone.list"',
            f'    logfile: "{self.folder}/nsd.log"', "    server-count: 1", "    verbosity: 1",
            "remote-control:", "    control-enable: no",
        ]
        for zone in self.zones:
            (self.folder / f"{zone.origin}.zone").write_text(zone.render(), encoding="utf-8")
            conf += ["zone:", f'    name: "{zone.origin}"', f'    zonefile: "{zone.origin}.zone"']
        (self.folder / "nsd.conf").write_text("\n".join(conf) + "\n", encoding="utf-8")
        self.process = subprocess.Popen(["nsd", "-d", "-c", str(self.folder / "nsd.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_tcp(self.port)
        return self

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def log(self) -> str:
        path = self.folder / "nsd.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None
