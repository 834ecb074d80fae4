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
import shutil
import signal
import smtplib
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest
from nsd_peer import NsdServer, Zone, free_port
from two_provinces import Province, configure, eventually, pg_schema, serve

from congvu.cli.main import main
from congvu.config.settings import DataDir, load_settings
from congvu.delivery.records import dns_records, zone_line
from congvu.installation import open_installation
from congvu.mailstore.api import INBOX

pytestmark = pytest.mark.skipif(shutil.which("nsd") is None, reason="needs NSD (scripts/test-packages.txt)")

PASSWORD = "Matkhau@2026"


@dataclass(frozen=True)
class Party:
    """A province and the one person of it who writes to the other."""

    province: Province
    agency: str
    person: str  # the person's address
    person_name: str

    @property
    def domain(self) -> str:
        return self.province.domain

    @property
    def data(self) -> Path:
        return self.province.data

    @property
    def hostname(self) -> str:
        return self.province.hostname

    @property
    def smtp_port(self) -> int:
        return self.province.smtp_port

    @property
    def submission_port(self) -> int:
        return self.province.submission_port

    def serve_log(self) -> str:
        return self.province.serve_log()


def published_zone(province: Province) -> Zone:
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
    zone = Zone(province.domain)
    for record in records:
        zone.add_line(zone_line(record))  # written as `congvu dns records` writes it: NSD loading it checks that
    if not any(r.name == host and r.type == "A" for r in records):
        zone.add_line(f"{host} 30 IN A 127.0.0.1")
    return zone


FORGER_ZONE = Zone("forger.test").add("", "TXT", "v=spf1 -all").add("_dmarc", "TXT", "v=DMARC1; p=reject")


@pytest.fixture
def provinces(tmp_path: Path, database_url: str | None, backend: str,
              request: pytest.FixtureRequest) -> Iterator[tuple[Party, Party]]:
    a = Party(Province(tmp_path / "dongnai", "dongnai.gov.vn", free_port(), free_port()), "H19",
              "annv@dongnai.gov.vn", "Nguyễn Văn An")
    b = Party(Province(tmp_path / "longan", "longan.gov.vn", free_port(), free_port()), "H40",
              "binhtt@longan.gov.vn", "Trần Thị Bình")
    urls = {a: database_url, b: pg_schema(request) if backend == "postgresql" else None}
    for p, name in ((a, "Ủy ban nhân dân tỉnh Đồng Nai"), (b, "Ủy ban nhân dân tỉnh Long An")):
        flag = p.province.flag
        extra = ["--database-url", urls[p]] if urls[p] else []
        assert main(["init", *flag, "--domain", p.domain, "--admin-password", PASSWORD, *extra]) == 0
        assert main(["agency", "add", "--code", p.agency, "--name", name, "--short-name", "UBND",
                     "--level", "province", *flag]) == 0
        assert main(["account", "add", "--name", p.person_name, "--agency", p.agency, "--address", p.person,
                     "--password", PASSWORD, *flag]) == 0
    nsd = NsdServer(tmp_path / "nsd", [published_zone(a.province), published_zone(b.province), FORGER_ZONE]).start()
    configure(a.province, b.province, dns_port=nsd.port, dns_timeout_s=2)
    configure(b.province, a.province, dns_port=nsd.port, dns_timeout_s=2)
    servers: list[subprocess.Popen[str]] = []
    try:
        servers = [serve(p.province, ("smtp", "submission")) for p in (a, b)]
        yield a, b
    finally:
        for proc in servers:
            proc.send_signal(signal.SIGTERM)
        codes = [proc.wait(timeout=60) for proc in servers]
        nsd.stop()
        assert codes == [0] * len(servers)


def mailbox(p: Party, address: str) -> dict[str, list[bytes]]:
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


def submit(sender: Party, to: str, subject: str) -> EmailMessage:
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


def received_at(receiver: Party, sender: Party, subject: str) -> tuple[str, bytes]:
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


def assert_authenticated(receiver: Party, sender: Party, subject: str) -> None:
    folder, raw = received_at(receiver, sender, subject)
    results = our_results(raw, receiver.hostname)
    spf = re.search(r"\bspf=(\w+) smtp\.mailfrom=[^;\s]*@(\S+?)(?:;|\s|$)", results)
    dkim = re.findall(r"\bdkim=(\w+)[^;]*header\.d=([^;\s]+)", results)
    dmarc = re.search(r"\bdmarc=(\w+)[^;]*header\.from=([^;\s]+)", results)
    assert spf and spf.groups() == ("pass", sender.domain), results
    assert ("pass", sender.domain) in dkim, results
    assert dmarc and dmarc.groups() == ("pass", sender.domain), results
    assert folder == INBOX, (folder, results)


def test_signed_mail_is_authenticated_by_the_other_province(provinces: tuple[Party, Party]) -> None:
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
