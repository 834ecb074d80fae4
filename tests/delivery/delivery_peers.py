"""Real servers the delivery tests talk to, each on loopback: a scriptable SMTP peer (aiosmtpd), an
authoritative DNS server (NSD) for test zones and Postfix as another organisation's mail server, each started
on high ports with its files in a temporary folder; and helpers to configure and read an installation.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session
from nsd_peer import free_port, wait_for_tcp

from congvu.installation import Installation
from congvu.installation.keys import make_tls_certificate
from congvu.mailstore.api import INBOX


def with_config(inst: Installation, *, routes: Mapping[str, str] | None = None,
                delivery: Mapping[str, object] | None = None, extra: Mapping[str, object] | None = None
                ) -> Installation:
    """The installation as if ``congvu.toml`` had these routes and ``[delivery]`` keys."""
    raw = dict(inst.settings.raw)
    raw["delivery"] = {**dict(raw.get("delivery", {})), **dict(delivery or {})}
    raw.update(extra or {})
    settings = dataclasses.replace(inst.settings, delivery_routes=dict(routes or {}), raw=raw)
    return dataclasses.replace(inst, settings=settings)


def inbox_messages(inst: Installation, address: str) -> list[bytes]:
    account = inst.directory.accounts.show(address)
    store = inst.mailstore
    folder = store.find_folder(account.id, INBOX)
    return [store.read_raw(account.id, folder.id, m.uid) for m in store.snapshot(account.id, folder.id).messages]


@dataclass
class Received:
    mail_from: str
    recipients: list[str]
    data: bytes
    tls: bool
    options: list[str] = field(default_factory=list)  # MAIL FROM parameters (SMTPUTF8, BODY=8BITMIME, …)


@dataclass
class PeerHandler:
    """Replies chosen per recipient local part: ``temp*`` 451, ``gone*`` 550, ``slow*`` accepted; a DATA reply
    can be forced."""

    received: list[Received] = field(default_factory=list)
    data_reply: str | None = None

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          options: list[str]) -> str:
        local = address.partition("@")[0].lower()
        if local.startswith("temp"):
            return "451 4.2.1 Mailbox busy, try later"
        if local.startswith("gone"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.data_reply:
            return self.data_reply
        content = envelope.original_content or b""
        self.received.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), content,
                                      session.ssl is not None, list(envelope.mail_options)))
        return "250 2.0.0 Queued"


@dataclass
class SmtpPeer:
    handler: PeerHandler
    port: int


MASTER_CF = """\
127.0.0.1:{port} inet n - n - - smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
proxywrite unix - - n - 1 proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
local     unix  - n n - - local
virtual   unix  - n n - - virtual
lmtp      unix  - - n - - lmtp
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
nouser    unix  - n n - - pipe flags=q user=nobody argv={nouser}
"""


def postfix_available() -> bool:
    return shutil.which("postfix") is not None or Path("/usr/sbin/postfix").exists()


def _inline(pairs: Mapping[str, str]) -> str:
    return "inline:{ " + ", ".join(f"{{{k}={v}}}" for k, v in pairs.items()) + " }"


class PostfixPeer:
    """Postfix as another organisation's server: mailboxes for ``domain`` under ``mail/``, ``transports``
    (domain or address → transport) for everything it relays, no DNS (next hops are given as ``[ip]:port``)."""

    def __init__(self, folder: Path, *, domain: str, mailboxes: Iterable[str],
                 transports: Mapping[str, str] | None = None, extra: Mapping[str, str] | None = None) -> None:
        self.folder = folder
        self.domain = domain
        self.mailboxes = list(mailboxes)
        self.transports = dict(transports or {})
        self.extra = dict(extra or {})
        self.port = free_port()
        self.started = False

    @property
    def config(self) -> Path:
        return self.folder / "etc"

    @property
    def mail(self) -> Path:
        return self.folder / "mail"

    def _postfix(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "MAIL_CONFIG": str(self.config)}
        return subprocess.run(["/usr/sbin/postfix", "-c", str(self.config), *args], env=env, text=True,
                              capture_output=True, timeout=60, check=False)

    def start(self) -> PostfixPeer:
        for sub in ("etc", "spool", "data", "mail"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        os.chown(self.folder / "data", _uid("postfix"), _gid("postfix"))
        os.chmod(self.folder, 0o755)
        mail = self.mail
        os.chown(mail, 65534, 65534)
        make_tls_certificate(self.config / "cert.pem", self.config / "key.pem", f"mx.{self.domain}", self.domain)
        boxes = {f"{box}@{self.domain}": f"{box}/" for box in self.mailboxes}
        settings = {
            "compatibility_level": "3.6",
            "queue_directory": str(self.folder / "spool"),
            "data_directory": str(self.folder / "data"),
            "mail_owner": "postfix",
            "setgid_group": "postdrop",
            "myhostname": f"mx.{self.domain}",
            "mydomain": self.domain,
            "myorigin": self.domain,
            "mydestination": "",
            "inet_interfaces": "127.0.0.1",
            "inet_protocols": "ipv4",
            "mynetworks": "127.0.0.0/8",
            "smtpd_relay_restrictions": "permit_mynetworks, reject_unauth_destination",
            "virtual_mailbox_domains": self.domain,
            "virtual_mailbox_base": str(mail),
            "virtual_mailbox_maps": _inline(boxes),
            "virtual_uid_maps": "static:65534",
            "virtual_gid_maps": "static:65534",
            "virtual_minimum_uid": "100",
            "smtp_dns_support_level": "disabled",
            "smtp_host_lookup": "native",
            "smtpd_tls_security_level": "may",
            "smtpd_tls_cert_file": str(self.config / "cert.pem"),
            "smtpd_tls_key_file": str(self.config / "key.pem"),
            "smtp_tls_security_level": "may",
            "maillog_file": str(self.folder / "maillog"),
            "maillog_file_prefixes": str(self.folder),
            "queue_run_delay": "1s",
            "minimal_backoff_time": "1s",
            "maximal_backoff_time": "2s",
            "delay_warning_time": "0",
            "biff": "no",
            "smtputf8_enable": "yes",
            "smtpd_banner": "$myhostname ESMTP",
            "message_size_limit": "52428800",
            "virtual_mailbox_limit": "0",
            "alias_maps": "",
            "alias_database": "",
            "local_recipient_maps": "",
        }
        if self.transports:
            settings["transport_maps"] = _inline(self.transports)
        settings.update(self.extra)
        (self.config / "main.cf").write_text("".join(f"{k} = {v}\n" for k, v in settings.items()))
        nouser = self.config / "nouser.sh"  # a pipe that says "no such user" (EX_NOUSER): a late bounce
        nouser.write_text("#!/bin/sh\nexit 67\n")
        nouser.chmod(0o755)
        (self.config / "master.cf").write_text(MASTER_CF.format(port=self.port, nouser=nouser))
        result = self._postfix("start")
        if result.returncode != 0:
            raise RuntimeError(f"postfix did not start: {result.stdout}{result.stderr}{self.log()[-2000:]}")
        self.started = True
        wait_for_tcp(self.port)
        return self

    def stop(self) -> None:
        if self.started:
            self._postfix("abort")  # the queue is throw-away: no need to wait for a graceful stop
            self.started = False

    def messages(self, mailbox: str) -> list[bytes]:
        """Messages delivered to ``mailbox`` (Maildir new/ and cur/), oldest first."""
        box = self.mail / mailbox
        files = [p for sub in ("new", "cur") for p in (box / sub).glob("*") if p.is_file()]
        return [p.read_bytes() for p in sorted(files, key=lambda p: p.stat().st_mtime_ns)]

    def wait_for_messages(self, mailbox: str, count: int = 1, timeout_s: float = 20.0) -> list[bytes]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = self.messages(mailbox)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"no message in {mailbox} after {timeout_s}s; log:\n{self.log()[-3000:]}")

    def log(self) -> str:
        path = self.folder / "maillog"
        return path.read_text(errors="replace") if path.exists() else ""


def _uid(name: str) -> int:
    import pwd
    return pwd.getpwnam(name).pw_uid


def _gid(name: str) -> int:
    import grp
    return grp.getgrnam(name).gr_gid
