"""Two provinces, each a real `congvu serve`, authenticating each other's mail against records served by real DNS.

Đồng Nai (A) and Long An (B) each publish exactly what ``congvu dns records`` tells them to (MX, SPF, the DKIM
key ``congvu init`` made, DMARC, …), plus the A record of the mail host, in a zone served by NSD on loopback; both
installations resolve through that NSD (``[dns] resolver``). A person of A submits a message on A's submission
port (STARTTLS and AUTH); A's delivery worker signs it and carries it to B's MX (a ``[delivery.routes]`` entry);
B's MX evaluates SPF, DKIM and DMARC over DNS and records them in ``Authentication-Results``: all three pass for
A's domain. The same the other way. A message forged in the name of ``forger.test`` (``v=spf1 -all`` and a DMARC
policy of ``p=reject``) sent straight to B's MX is refused with 5xx and never reaches the inbox.
"""

from __future__ import annotations

import email
import email.policy
import re
import secrets
import shutil
import signal
import smtplib
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import TypeVar

import pytest

from congvu.cli.main import main
from congvu.config.settings import DataDir, load_settings
from congvu.delivery.records import dns_records, zone_line
from congvu.installation import open_installation
from congvu.mailstore.api import INBOX

pytestmark = pytest.mark.skipif(shutil.which("nsd") is None, reason="needs NSD (scripts/test-packages.txt)")

PASSWORD = "Matkhau@2026"
T = TypeVar("T")


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


def zone_text(origin: str, lines: Iterable[str]) -> str:
    """A zone file: SOA and NS (the name server at 127.0.0.1), then ``lines`` in zone-file syntax."""
    head = [f"$ORIGIN {origin}.", "$TTL 30",
            f"@ IN SOA ns.{origin}. hostmaster.{origin}. 1 3600 600 86400 30",
            f"@ IN NS ns.{origin}.", "ns IN A 127.0.0.1"]
    return "\n".join([*head, *lines]) + "\n"


class Nsd:
    """NSD serving the given zones (origin → zone file text) on 127.0.0.1, UDP and TCP."""

    def __init__(self, folder: Path, zones: dict[str, str]) -> None:
        self.folder = folder
        self.zones = zones
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Nsd:
        self.folder.mkdir(parents=True, exist_ok=True)
        conf = [
            "server:", "    ip-address: 127.0.0.1", f"    port: {self.port}", '    username: ""', '    chroot: ""',
            f'    zonesdir: "{self.folder}"', f'    pidfile: "{self.folder}/nsd.pid"', '    database: ""',
            f'    xfrdfile: "{self.folder}/xfrd.state"', f'    zonelistfile: "{self.folder}/zone.list"',
            f'    logfile: "{self.folder}/nsd.log"', "    server-count: 1", "    verbosity: 1",
            "remote-control:", "    control-enable: no",
        ]
        for origin, text in self.zones.items():
            (self.folder / f"{origin}.zone").write_text(text, encoding="utf-8")
            conf += ["zone:", f'    name: "{origin}"', f'    zonefile: "{origin}.zone"']
        (self.folder / "nsd.conf").write_text("\n".join(conf) + "\n", encoding="utf-8")
        self.process = subprocess.Popen(["nsd", "-d", "-c", str(self.folder / "nsd.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_tcp(self.port)
        return self

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


@dataclass(frozen=True)
class Province:
    data: Path
    domain: str
    agency: str
    person: str  # the person's address
    person_name: str
    smtp_port: int
    submission_port: int

    @property
    def flag(self) -> list[str]:
        return ["--data", str(self.data)]

    @property
    def hostname(self) -> str:
        return load_settings(DataDir(self.data)).hostname

    def serve_log(self) -> str:
        return (self.data / "serve.log").read_text(encoding="utf-8", errors="replace")


def _pg_schema(request: pytest.FixtureRequest) -> str:
    import psycopg

    base = request.getfixturevalue("pg_database")
    schema = f"t_{secrets.token_hex(6)}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return f"{base}?options=-csearch_path%3D{schema}"


def published_zone(province: Province) -> str:
    """The zone of the province's domain as its administrator would publish it from ``dns_records``: every record
    named inside the zone, and the mail host's A record (``dns_records`` leaves the address to the administrator)."""
    settings = load_settings(DataDir(province.data))
    origin = province.domain + "."
    records = [r for r in dns_records(settings) if r.name == origin or r.name.endswith("." + origin)]
    kinds = {r.type for r in records}
    assert {"MX", "TXT"} <= kinds, kinds
    assert any(r.name == f"{settings.dkim_selector}._domainkey.{origin}" for r in records), "no DKIM record"
    mx_hosts = {r.value.split()[-1] for r in records if r.type == "MX"}
    assert mx_hosts == {settings.hostname.rstrip(".") + "."}, mx_hosts
    host = settings.hostname.rstrip(".") + "."
    assert host.endswith("." + origin), f"the mail host {host} is outside the zone {origin}"
    lines = [zone_line(r) for r in records]
    if not any(r.name == host and r.type == "A" for r in records):
        lines.append(f"{host} 30 IN A 127.0.0.1")
    return zone_text(province.domain, lines)


FORGER_ZONE = zone_text("forger.test", ['@ IN TXT "v=spf1 -all"', '_dmarc IN TXT "v=DMARC1; p=reject"'])


def _configure(province: Province, other: Province, dns_port: int) -> None:
    """Route the other's domain to its SMTP port; quick polling; every lookup to the test's NSD."""
    path = province.data / "congvu.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("[delivery.routes]", (
        "[delivery]\npoll_interval_s = 0.2\nretry_base_s = 1\nmta_sts = false\n\n"
        f"[dns]\nresolver = \"127.0.0.1:{dns_port}\"\ntimeout_s = 2\n\n"
        f"[delivery.routes]\n\"{other.domain}\" = \"127.0.0.1:{other.smtp_port}\""))
    path.write_text(text, encoding="utf-8")


def _serve(province: Province) -> subprocess.Popen[str]:
    log = (province.data / "serve.log").open("w", encoding="utf-8")  # a file: a full pipe would stall the server
    proc = subprocess.Popen([sys.executable, "-m", "congvu", "serve", *province.flag, "--host", "127.0.0.1",
                             f"--smtp-port={province.smtp_port}", f"--submission-port={province.submission_port}",
                             "--smtps-port=0", "--imap-port=0", "--imaps-port=0", "--http-port=0"],
                            stdout=subprocess.PIPE, stderr=log, text=True)
    log.close()
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    seen: set[str] = set()
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        found = re.search(r"congvu: (\w+) đang nghe tại [\d.]+:\d+", line)
        if found:
            seen.add(found.group(1))
        if {"smtp", "submission"} <= seen:
            return proc
    proc.kill()
    raise AssertionError(f"congvu serve did not start: {province.serve_log()}")


@pytest.fixture
def provinces(tmp_path: Path, database_url: str | None, backend: str,
              request: pytest.FixtureRequest) -> Iterator[tuple[Province, Province]]:
    a = Province(tmp_path / "dongnai", "dongnai.gov.vn", "H19", "annv@dongnai.gov.vn", "Nguyễn Văn An",
                 free_port(), free_port())
    b = Province(tmp_path / "longan", "longan.gov.vn", "H40", "binhtt@longan.gov.vn", "Trần Thị Bình",
                 free_port(), free_port())
    urls = {a: database_url, b: _pg_schema(request) if backend == "postgresql" else None}
    for p, name in ((a, "Ủy ban nhân dân tỉnh Đồng Nai"), (b, "Ủy ban nhân dân tỉnh Long An")):
        extra = ["--database-url", urls[p]] if urls[p] else []
        assert main(["init", *p.flag, "--domain", p.domain, "--admin-password", PASSWORD, *extra]) == 0
        assert main(["agency", "add", "--code", p.agency, "--name", name, "--short-name", "UBND",
                     "--level", "province", *p.flag]) == 0
        assert main(["account", "add", "--name", p.person_name, "--agency", p.agency, "--address", p.person,
                     "--password", PASSWORD, *p.flag]) == 0
    nsd = Nsd(tmp_path / "nsd", {a.domain: published_zone(a), b.domain: published_zone(b),
                                 "forger.test": FORGER_ZONE}).start()
    _configure(a, b, nsd.port)
    _configure(b, a, nsd.port)
    servers: list[subprocess.Popen[str]] = []
    try:
        servers = [_serve(a), _serve(b)]
        yield a, b
    finally:
        for proc in servers:
            proc.send_signal(signal.SIGTERM)
        codes = [proc.wait(timeout=60) for proc in servers]
        nsd.stop()
        assert codes == [0] * len(servers)


def eventually(probe: Callable[[], T | None], what: str, timeout_s: float = 30.0) -> T:
    """The first truthy answer of ``probe``, asked until ``timeout_s`` passes."""
    deadline = time.monotonic() + timeout_s
    while True:
        answer = probe()
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def mailbox(p: Province, address: str) -> dict[str, list[bytes]]:
    """Every message of the account, by folder name."""
    inst = open_installation(DataDir(p.data))
    try:
        account = inst.directory.accounts.show(address)
        store = inst.mailstore
        return {folder.name: [store.read_raw(account.id, folder.id, m.uid)
                              for m in store.snapshot(account.id, folder.id).messages]
                for folder in store.list_folders(account.id)}
    finally:
        inst.close()


def submit(sender: Province, to: str, subject: str) -> EmailMessage:
    """A message from the sender's person, submitted on the sender's submission port with STARTTLS and AUTH."""
    message = EmailMessage()
    message["From"] = f"{sender.person_name} <{sender.person}>"
    message["To"] = to
    message["Subject"] = subject
    message.set_content("Kính gửi đồng chí, xin gửi kế hoạch phối hợp liên tỉnh.\n")
    tls = ssl.create_default_context()
    tls.check_hostname = False
    tls.verify_mode = ssl.CERT_NONE  # the installation's own self-signed certificate
    with smtplib.SMTP("127.0.0.1", sender.submission_port, timeout=30) as smtp:
        smtp.starttls(context=tls)
        smtp.login(sender.person, PASSWORD)
        assert smtp.send_message(message) == {}
    return message


def our_results(raw: bytes, authserv_id: str) -> str:
    """The value of the ``Authentication-Results`` field the receiving server (``authserv_id``) added."""
    parsed = email.message_from_bytes(raw, policy=email.policy.compat32)
    values = [" ".join(str(v).split()) for v in parsed.get_all("Authentication-Results") or []]
    ours = [v for v in values if v.lower().startswith(authserv_id.lower() + ";")]
    assert len(ours) == 1, values
    return ours[0]


def received_at(receiver: Province, sender: Province, subject: str) -> tuple[str, bytes]:
    """The folder and bytes of the message with ``subject`` once it is in the receiver person's account."""
    def probe() -> tuple[str, bytes] | None:
        for folder, messages in mailbox(receiver, receiver.person).items():
            for raw in messages:
                if _decoded_subject(raw) == subject:
                    return folder, raw
        return None

    try:
        return eventually(probe, f"the message from {sender.domain} at {receiver.domain}")
    except AssertionError as error:
        raise AssertionError(f"{error}\n--- {sender.domain} serve.log:\n{sender.serve_log()[-3000:]}"
                             f"\n--- {receiver.domain} serve.log:\n{receiver.serve_log()[-3000:]}") from None


def _decoded_subject(raw: bytes) -> str:
    return str(email.message_from_bytes(raw, policy=email.policy.default).get("Subject", ""))


def assert_authenticated(receiver: Province, sender: Province, subject: str) -> None:
    folder, raw = received_at(receiver, sender, subject)
    results = our_results(raw, receiver.hostname)
    spf = re.search(r"\bspf=(\w+) smtp\.mailfrom=[^;\s]*@(\S+?)(?:;|\s|$)", results)
    dkim = re.findall(r"\bdkim=(\w+)[^;]*header\.d=([^;\s]+)", results)
    dmarc = re.search(r"\bdmarc=(\w+)[^;]*header\.from=([^;\s]+)", results)
    assert spf and spf.groups() == ("pass", sender.domain), results
    assert ("pass", sender.domain) in dkim, results
    assert dmarc and dmarc.groups() == ("pass", sender.domain), results
    assert folder == INBOX, (folder, results)


def test_signed_mail_is_authenticated_by_the_other_province(provinces: tuple[Province, Province]) -> None:
    a, b = provinces
    submit(a, b.person, "Kế hoạch phối hợp Đồng Nai – Long An")
    assert_authenticated(b, a, "Kế hoạch phối hợp Đồng Nai – Long An")
    submit(b, a.person, "Trả lời: kế hoạch phối hợp")
    assert_authenticated(a, b, "Trả lời: kế hoạch phối hợp")

    # A message forged in the name of forger.test (SPF -all, DMARC p=reject) straight to B's MX is refused.
    forged = EmailMessage()
    forged["From"] = "x@forger.test"
    forged["To"] = b.person
    forged["Subject"] = "Thông báo khẩn"
    forged["Message-ID"] = "<forged-1@forger.test>"
    forged.set_content("Đề nghị chuyển khoản gấp.\n")
    before = mailbox(b, b.person)
    with smtplib.SMTP("127.0.0.1", b.smtp_port, timeout=30) as smtp:
        smtp.ehlo("mx.forger.test")
        assert smtp.mail("x@forger.test")[0] == 250
        assert smtp.rcpt(b.person)[0] == 250
        code, reply = smtp.data(forged.as_bytes())  # the final reply to DATA is returned, not raised
    text = reply.decode("utf-8", "replace")
    assert 500 <= code < 600, (code, text)
    assert "5.7.1" in text and "forger.test" in text and "DMARC" in text, text
    assert mailbox(b, b.person) == before  # neither in the inbox nor in Junk
