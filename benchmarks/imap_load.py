"""Benchmark: CôngVụ's IMAP server against Dovecot under a mixed client load, and memory per idle IDLE session.

The same mailbox set (``--users`` accounts with ``--messages`` Vietnamese messages each, some multipart with
attachments) is loaded into

- CôngVụ: a fresh installation (SQLite in a temporary folder, or ``--database-url``), messages put in with the
  mail store's ``deliver``; the server is ``congvu serve`` with IMAPS alone on loopback (``--workers``
  processes);
- Dovecot (``dovecot-imapd``), configured here on loopback high ports in a temporary folder, Maildir storage, the
  same TLS certificate; messages written into the Maildirs and indexed by a warm-up pass.

Then, for each server, ``--sessions`` clients over IMAPS (TLS) run the same mix for ``--seconds``: UID FETCH of
all flags, of headers, of whole messages and of ENVELOPE/BODYSTRUCTURE, UID SEARCH TEXT, UID STORE, STATUS,
NOOP, SELECT, APPEND (a new draft), UID EXPUNGE (of a message the session appended, after storing \\Deleted) and
IDLE (entered, then DONE). The script prints commands per second and latency percentiles per command, then opens
``--idle-sessions`` TLS sessions that SELECT INBOX and IDLE, and prints the server's memory per session: growth
of the proportional set size of all the server's processes (CôngVụ's main and worker processes, Dovecot's).

Nothing is installed: when Dovecot's IMAP server is missing the script says so (``benchmarks/setup`` installs it)
and measures CôngVụ alone. Run as root for Dovecot (it drops privileges to its own users). Sign-in is argon2id in
CôngVụ (a static password in Dovecot), so opening many sessions takes a while; that time is not measured.

    .venv/bin/python benchmarks/imap_load.py
    .venv/bin/python benchmarks/imap_load.py --users 20 --messages 500 --sessions 20 --seconds 30 --idle-sessions 300
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import random
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

DOMAIN = "dongnai.gov.vn"
PASSWORD = "Matkhau@2026"
SUBJECTS = ("Công văn số {n}/UBND-VP về việc triển khai chuyển đổi số", "Giấy mời họp giao ban tháng {n}",
            "Báo cáo tình hình thực hiện nhiệm vụ quý {n}", "Thông báo lịch nghỉ lễ năm 2025 (lần {n})",
            "Quyết định phê duyệt kế hoạch số {n}", "Tờ trình đề nghị bổ sung kinh phí đợt {n}")
SENDERS = ("Văn thư UBND tỉnh <vanthu@dongnai.gov.vn>", "Sở Nội vụ <snv@dongnai.gov.vn>",
           "Trần Văn Vinh <vinhtv@dongnai.gov.vn>", "Nguyễn Thị Lan <lannt@dongnai.gov.vn>")
WORDS = ("công văn", "đề nghị", "các đơn vị", "triển khai", "thực hiện", "báo cáo", "kế hoạch", "chuyển đổi số",
         "Ủy ban nhân dân", "trân trọng", "đúng thời hạn", "tổng hợp", "ý kiến", "văn bản")


# -- the mailbox set ------------------------------------------------------------------------------------------


def make_message(rng: random.Random, user: int, n: int) -> bytes:
    subject = rng.choice(SUBJECTS).format(n=n)
    sender = rng.choice(SENDERS)
    body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 400))).capitalize() + ".\r\n"
    head = (f"From: {sender}\r\nTo: user{user}@{DOMAIN}\r\nSubject: {subject}\r\n"
            f"Date: Mon, {1 + n % 28:02d} Mar 2025 {8 + n % 9:02d}:{n % 60:02d}:00 +0700\r\n"
            f"Message-ID: <u{user}.m{n}@{DOMAIN}>\r\nMIME-Version: 1.0\r\n")
    if n % 5:
        return (head + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + body).encode("utf-8")
    attachment = base64.encodebytes(rng.randbytes(rng.randint(5_000, 60_000))).decode("ascii")
    return (head + 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n'
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body
            + '--b1\r\nContent-Type: application/pdf; name="van-ban.pdf"\r\nContent-Transfer-Encoding: base64\r\n'
            'Content-Disposition: attachment; filename="van-ban.pdf"\r\n\r\n'
            + attachment.replace("\n", "\r\n") + "--b1--\r\n").encode("utf-8")


def mailbox_set(users: int, messages: int, seed: int) -> list[list[bytes]]:
    rng = random.Random(seed)
    return [[make_message(rng, user, n) for n in range(1, messages + 1)] for user in range(users)]


# -- CôngVụ -----------------------------------------------------------------------------------------------------


def prepare_congvu(root: Path, boxes: list[list[bytes]], database_url: str | None) -> Path:
    from congvu.config.settings import DataDir
    from congvu.installation import create_installation

    data = DataDir(root / "congvu")
    inst = create_installation(data, domain=DOMAIN, admin_password=PASSWORD, database_url=database_url).installation
    try:
        inst.directory.agencies.add(code="H19", name="Ủy ban nhân dân tỉnh Đồng Nai", short_name="UBND",
                                    level="province")
        for user, box in enumerate(boxes):
            account = inst.directory.accounts.add(full_name=f"Cán bộ Số {user}", agency="H19",
                                                  address=f"user{user}@{DOMAIN}", password=PASSWORD).account
            for raw in box:
                inst.mailstore.deliver(raw, [account.id])
    finally:
        inst.close()
    with data.config_file.open("a", encoding="utf-8") as fh:  # every session comes from 127.0.0.1
        fh.write("\n[imap]\nmax_connections_per_address = 100000\nmax_connections_per_account = 100000\n")
    return data.root


class CongVuServer:
    name = "CôngVụ"

    def __init__(self, data_root: Path, workers: str) -> None:
        self.data_root = data_root
        self.workers = workers
        self.process: subprocess.Popen[str] | None = None
        self.port = 0

    def start(self) -> None:
        """``congvu serve`` with IMAPS alone on a free port; returns once every worker process is ready."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "congvu", "serve", "--data", str(self.data_root), "--host", "127.0.0.1",
             "--workers", self.workers, "--imaps-port", "auto", "--imap-port", "0", "--smtp-port", "0",
             "--submission-port", "0", "--smtps-port", "0", "--http-port", "0"],
            stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError("congvu serve stopped before listening")
            found = re.search(r"imaps đang nghe tại [\d.]+:(\d+)", line)
            if found:
                self.port = int(found.group(1))
            if self.port and (self.workers == "1" or "tiến trình" in line):
                return
        raise RuntimeError("congvu serve did not report its IMAPS port")

    def memory_kib(self) -> int:
        """Proportional set size of the main process and its worker processes."""
        assert self.process is not None
        return sum(pss_kib(pid) for pid in process_tree(self.process.pid))

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


# -- Dovecot ----------------------------------------------------------------------------------------------------

DOVECOT_CONF = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{cert}
ssl_key = <{key}
default_internal_user = dovecot
default_login_user = dovenull
default_client_limit = 12000
default_process_limit = 5000
mail_location = maildir:{root}/mail/%u
mail_max_userip_connections = 5000
first_valid_uid = 1
auth_mechanisms = plain login
userdb {{
  driver = static
  args = uid=65534 gid=65534 home={root}/mail/%u
}}
passdb {{
  driver = static
  args = password={password}
}}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""


def missing_dovecot() -> list[str]:
    if Path("/usr/sbin/dovecot").exists() and Path("/usr/lib/dovecot/imap").exists():
        return []
    return ["dovecot-imapd"]


class DovecotServer:
    name = "Dovecot"

    def __init__(self, root: Path, boxes: list[list[bytes]], cert: Path, key: Path) -> None:
        self.root = root
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        for sub in ("run", "state", "mail"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(root, 0o755)
        for user, box in enumerate(boxes):
            new = root / "mail" / f"user{user}@{DOMAIN}" / "new"
            for name in ("new", "cur", "tmp"):
                (new.parent / name).mkdir(parents=True, exist_ok=True)
            for n, raw in enumerate(box):
                (new / f"{1_700_000_000 + n}.M{n}P{user}.bench").write_bytes(raw)
        subprocess.run(["chown", "-R", "65534:65534", str(root / "mail")], check=True)
        (root / "dovecot.conf").write_text(DOVECOT_CONF.format(root=root, cert=cert, key=key, password=PASSWORD,
                                                               port=self.port))

    def start(self) -> None:
        self.process = subprocess.Popen(["/usr/sbin/dovecot", "-F", "-c", str(self.root / "dovecot.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port)

    def memory_kib(self) -> int:
        """Proportional set size of the master and every child (one ``imap`` process per session)."""
        assert self.process is not None
        return sum(pss_kib(pid) for pid in process_tree(self.process.pid))

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


# -- processes and ports ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


def _status_kib(pid: int, key: str, file: str = "status") -> int:
    try:
        text = Path(f"/proc/{pid}/{file}").read_text()
    except OSError:
        return 0
    match = re.search(rf"^{key}:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) if match else 0


def rss_kib(pid: int) -> int:
    return _status_kib(pid, "VmRSS")


def pss_kib(pid: int) -> int:
    return _status_kib(pid, "Pss", "smaps_rollup")


def process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children[ppid].append(int(entry.name))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, ()))
    return found


# -- the client -------------------------------------------------------------------------------------------------

_LITERAL = re.compile(rb"\{(\d+)\}\r\n$")


class Client:
    """A minimal IMAP client over TLS that times each command."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.tag = 0

    @classmethod
    async def connect(cls, port: int) -> Client:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context, limit=1 << 24)
        await reader.readline()
        return cls(reader, writer)

    async def command(self, text: str) -> tuple[bytes, list[bytes]]:
        self.tag += 1
        tag = f"b{self.tag}".encode()
        self.writer.write(tag + b" " + text.encode("utf-8") + b"\r\n")
        await self.writer.drain()
        lines: list[bytes] = []
        while True:
            line = await self.reader.readline()
            if not line:
                raise ConnectionError("server closed the connection")
            match = _LITERAL.search(line)
            if match is not None:
                line += await self.reader.readexactly(int(match.group(1)))
                line += await self.reader.readline()
            if line.startswith(tag + b" "):
                return line, lines
            lines.append(line)

    async def login(self, user: int) -> None:
        status, _ = await self.command(f'LOGIN user{user}@{DOMAIN} "{PASSWORD}"')
        if b" OK" not in status:
            raise RuntimeError(f"sign-in refused: {status!r}")

    async def select(self) -> list[int]:
        await self.command("SELECT INBOX")
        _, lines = await self.command("UID SEARCH ALL")
        return [int(n) for line in lines if line.startswith(b"* SEARCH") for n in line.split()[2:]]

    async def idle_once(self) -> bytes:
        """IDLE, then DONE as soon as the server agrees; the tagged answer."""
        self.tag += 1
        tag = f"b{self.tag}".encode()
        self.writer.write(tag + b" IDLE\r\n")
        await self.writer.drain()
        while not (await self.reader.readline()).startswith(b"+"):
            pass
        self.writer.write(b"DONE\r\n")
        await self.writer.drain()
        while True:
            line = await self.reader.readline()
            if not line:
                raise ConnectionError("server closed the connection")
            if line.startswith(tag + b" "):
                return line

    def close(self) -> None:
        self.writer.close()


@dataclass
class Timings:
    samples: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def add(self, kind: str, seconds: float) -> None:
        self.samples[kind].append(seconds)


MIX = (("fetch-flags", 10), ("fetch-headers", 25), ("fetch-body", 20), ("fetch-structure", 10), ("search", 10),
       ("store", 10), ("status", 5), ("noop", 10), ("select", 3), ("append", 4), ("expunge", 4), ("idle", 3))
_APPENDUID = re.compile(rb"\[APPENDUID \d+ (\d+)\]")


def appended_message(rng: random.Random) -> bytes:
    n = rng.randrange(1_000_000)
    return ("From: Văn thư <vanthu@dongnai.gov.vn>\r\nTo: Lãnh đạo <lanhdao@dongnai.gov.vn>\r\n"
            f"Subject: Bản nháp báo cáo tuần {n}\r\nMessage-ID: <nhap-{n}@dongnai.gov.vn>\r\n"
            "Date: Mon, 07 Dec 2026 08:00:00 +0700\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            + "Nội dung dự thảo báo cáo công tác tuần.\r\n" * 20).encode("utf-8")


def mixed_command(kind: str, uids: list[int], rng: random.Random) -> str:
    uid = rng.choice(uids)
    if kind == "fetch-flags":
        return "UID FETCH 1:* (FLAGS)"
    if kind == "fetch-headers":
        return (f"UID FETCH {uid}:{uid + 20} (UID RFC822.SIZE FLAGS "
                "BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE MESSAGE-ID)])")
    if kind == "fetch-body":
        return f"UID FETCH {uid} (BODY.PEEK[])"
    if kind == "fetch-structure":
        return f"UID FETCH {uid} (ENVELOPE BODYSTRUCTURE INTERNALDATE)"
    if kind == "search":
        return 'UID SEARCH TEXT "chuyển đổi số"' if rng.random() < 0.5 else 'UID SEARCH SUBJECT "Giấy mời"'
    if kind == "store":
        return f"UID STORE {uid} {rng.choice('+-')}FLAGS.SILENT (\\Seen)"
    if kind == "status":
        return "STATUS INBOX (MESSAGES UNSEEN UIDNEXT)"
    return "NOOP"


async def open_session(port: int, user: int) -> tuple[Client, list[int]]:
    """A signed-in session with INBOX selected, and the UIDs it holds."""
    client = await Client.connect(port)
    await client.login(user)
    return client, await client.select()


async def worker(client: Client, uids: list[int], deadline: float, timings: Timings, seed: int) -> None:
    rng = random.Random(seed)
    kinds = [kind for kind, weight in MIX for _ in range(weight)]
    appended: list[int] = []  # this session's own APPENDed messages, which its EXPUNGEs remove
    while time.monotonic() < deadline:
        kind = rng.choice(kinds)
        if kind == "expunge" and not appended:
            kind = "append"
        if kind == "idle":
            started = time.perf_counter()
            status = await client.idle_once()
            timings.add(kind, time.perf_counter() - started)
            text = "IDLE"
        elif kind == "expunge":
            uid = appended.pop()
            text = f"UID STORE {uid} +FLAGS.SILENT (\\Deleted)"
            started = time.perf_counter()
            status, _ = await client.command(text)
            timings.add("store", time.perf_counter() - started)
            if b" OK" not in status:
                raise RuntimeError(f"{text!r} failed: {status!r}")
            text = f"UID EXPUNGE {uid}"
            started = time.perf_counter()
            status, _ = await client.command(text)
            timings.add(kind, time.perf_counter() - started)
        else:
            if kind == "append":
                body = appended_message(rng)
                text = f"APPEND INBOX (\\Seen) {{{len(body)}+}}\r\n" + body.decode("utf-8")
            elif kind == "select":
                text = "SELECT INBOX"
            else:
                text = mixed_command(kind, uids, rng)
            started = time.perf_counter()
            status, _ = await client.command(text)
            timings.add(kind, time.perf_counter() - started)
            if kind == "append" and (found := _APPENDUID.search(status)) is not None:
                appended.append(int(found.group(1)))
        if b" OK" not in status:
            raise RuntimeError(f"{text.splitlines()[0]!r} failed: {status!r}")


async def warm_up(port: int, users: int) -> None:
    for user in range(users):
        client = await Client.connect(port)
        await client.login(user)
        await client.select()
        await client.command("UID FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE)")
        await client.command('UID SEARCH TEXT "khởi động"')
        client.close()


async def mixed_load(port: int, args: argparse.Namespace) -> tuple[Timings, float]:
    await warm_up(port, args.users)
    # Every session signs in before the clock starts: sign-in (argon2id in CôngVụ, a static password in Dovecot)
    # is not part of the command mix.
    sessions = await asyncio.gather(*(open_session(port, n % args.users) for n in range(args.sessions)))
    timings = Timings()
    started = time.monotonic()
    deadline = started + args.seconds
    try:
        await asyncio.gather(*(worker(client, uids, deadline, timings, args.seed + n)
                               for n, (client, uids) in enumerate(sessions)))
    finally:
        for client, _ in sessions:
            client.close()
    return timings, time.monotonic() - started


async def idle_memory(server: CongVuServer | DovecotServer, args: argparse.Namespace) -> float:
    """Memory growth per session for ``--idle-sessions`` TLS sessions in IDLE on INBOX."""
    await asyncio.sleep(1)
    before = server.memory_kib()
    clients: list[Client] = []
    semaphore = asyncio.Semaphore(8)

    async def open_one(n: int) -> None:
        async with semaphore:
            client = await Client.connect(server.port)
            await client.login(n % args.users)
            await client.command("SELECT INBOX")
            client.writer.write(b"i IDLE\r\n")
            await client.writer.drain()
            await client.reader.readline()
            clients.append(client)

    await asyncio.gather(*(open_one(n) for n in range(args.idle_sessions)))
    await asyncio.sleep(2)
    after = server.memory_kib()
    for client in clients:
        client.close()
    return (after - before) / max(len(clients), 1)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


def report(name: str, timings: Timings, elapsed: float, per_session_kib: float | None) -> None:
    total = sum(len(v) for v in timings.samples.values())
    print(f"\n{name}: {total / elapsed:,.0f} lệnh/giây (commands/s) over {elapsed:.0f} s")
    print(f"  {'lệnh (command)':<18}{'số lần':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for kind, _ in MIX:
        values = timings.samples.get(kind, [])
        if values:
            print(f"  {kind:<18}{len(values):>8}{percentile(values, 0.5):>9.1f}{percentile(values, 0.95):>9.1f}"
                  f"{percentile(values, 0.99):>9.1f}")
    if per_session_kib is not None:
        print(f"  bộ nhớ mỗi phiên IDLE (TLS) / memory per idle IDLE session: {per_session_kib:.0f} KiB")


async def measure(server: CongVuServer | DovecotServer, args: argparse.Namespace) -> None:
    server.start()
    try:
        timings, elapsed = await mixed_load(server.port, args)
    finally:
        server.stop()
    per_session = None
    if args.idle_sessions:
        server.start()  # a fresh process, so the load before does not hide what idle sessions cost
        try:
            await warm_up(server.port, args.users)
            per_session = await idle_memory(server, args)
        finally:
            server.stop()
    report(server.name, timings, elapsed, per_session)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--messages", type=int, default=300, help="messages per mailbox")
    parser.add_argument("--sessions", type=int, default=20, help="concurrent clients in the mixed load")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--idle-sessions", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--database-url", default=None, help="PostgreSQL for CôngVụ (an empty database)")
    parser.add_argument("--workers", default="auto",
                        help="processes of congvu serve (default auto: one per core, as congvu serve itself)")
    parser.add_argument("--skip-dovecot", action="store_true", help="measure CôngVụ alone")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="congvu-imap-bench-"))
    os.chmod(root, 0o755)  # Dovecot's mail processes run as another user and must reach their Maildirs
    try:
        print(f"Hộp thư mẫu: {args.users} tài khoản × {args.messages} thư; {args.sessions} phiên đồng thời, "
              f"{args.seconds:.0f} giây mỗi máy chủ")
        boxes = mailbox_set(args.users, args.messages, args.seed)
        data_root = prepare_congvu(root, boxes, args.database_url)
        asyncio.run(measure(CongVuServer(data_root, args.workers), args))
        missing = missing_dovecot()
        if args.skip_dovecot:
            return
        if missing:
            print(f"\nDovecot: bỏ qua — cần cài {' '.join(missing)} (chạy benchmarks/setup)")
            return
        if os.geteuid() != 0:
            print("\nDovecot: bỏ qua — cần chạy với quyền root (Dovecot tự hạ quyền xuống người dùng của nó)")
            return
        dovecot = DovecotServer(root / "dovecot", boxes, data_root / "tls" / "cert.pem", data_root / "tls" / "key.pem")
        asyncio.run(measure(dovecot, args))
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
