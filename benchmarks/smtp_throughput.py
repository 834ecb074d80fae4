"""Benchmark: how many messages per second the MX accepts durably, CôngVụ against Postfix + Dovecot.

For each message size (5 KB and 100 KB by default) and number of parallel SMTP sessions (1 and 20), a load
generator sends messages to one local mailbox over loopback and times them:

- CôngVụ: ``congvu serve --smtp-port auto --workers N`` on a fresh installation (SQLite, or ``--database-url``;
  ``--workers`` as given here, ``auto`` by default: one process per core); a ``250`` after DATA means the message
  is stored in the mailbox (blob and index fsynced). A body of 8,192 characters or more is folded and indexed for
  text search once the burst is over: a second line gives the time and CPU until that is done too. The peak
  memory (VmHWM) of each of its processes is read from ``/proc`` at the end and summed.
- Postfix delivering through LMTP to Dovecot (``dovecot-lmtpd``), both configured here on loopback high ports
  in a temporary folder: the rate of ``250`` replies (Postfix's queue file fsynced) and the rate until every
  message is in the Dovecot Maildir.

The CPU column is the servers' CPU time per message, measured the same way for both systems (:class:`ServerCpu`:
the machine's busy time less the load generator's own).

Nothing is installed: when Postfix or Dovecot's LMTP server is missing the script says what to install and
measures CôngVụ alone. Run as root for Postfix and Dovecot (they drop privileges to their own users).

    .venv/bin/python benchmarks/smtp_throughput.py
    .venv/bin/python benchmarks/smtp_throughput.py --messages 1000 --sizes 5,100 --sessions 1,20
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import aiosmtplib
import dns.flags
import dns.message
import dns.rcode
import dns.rrset
from sqlalchemy import func, select

from congvu.config.settings import DataDir, load_settings
from congvu.store.database import Database
from congvu.store.schema import message_text_backlog

DOMAIN = "bench.gov.vn"
RECIPIENT = f"admin@{DOMAIN}"
SENDER = "sender@bench-sender.example"
PEER_DOMAIN = "bench.test"
NEGATIVE_SOA = dns.rrset.from_text(".", 300, "IN", "SOA", "ns.bench.test. hostmaster.bench.test. 1 3600 600 86400 300")
STORED_ROW = "CôngVụ: 250 (đã lưu vào hộp thư)"
INDEXED_ROW = "CôngVụ: và đã vào chỉ mục tìm kiếm"
DOVECOT_ROW = "Postfix → LMTP → Dovecot: đã vào hộp thư"
LISTEN_RE = re.compile(r"congvu: smtp đang nghe tại ([0-9.]+):(\d+)")


@dataclass(frozen=True)
class Result:
    system: str
    size_kb: int
    sessions: int
    messages: int
    seconds: float
    cpu_s: float | None = None  # CPU time the servers used during the run (ServerCpu)

    @property
    def cpu_ms_per_message(self) -> float | None:
        return None if self.cpu_s is None or not self.messages else self.cpu_s * 1000 / self.messages

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds > 0 else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"không có gì lắng nghe tại 127.0.0.1:{port}")


def message(size_kb: int, n: int) -> bytes:
    head = (f"From: Người gửi <{SENDER}>\r\nTo: {RECIPIENT}\r\nSubject: Thử tải {n}\r\n"
            f"Message-ID: <bench{n}.{time.monotonic_ns()}@bench-sender.example>\r\n"
            "Date: Mon, 05 Jan 2026 08:00:00 +0700\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n").encode()
    line = "Kính gửi các cơ quan, đơn vị: nội dung thử tải hệ thống thư điện tử công vụ.\r\n".encode()
    body = line * (size_kb * 1024 // len(line) + 1)
    # Cut at a character boundary: the message says charset=utf-8, and real mail that says so is valid UTF-8.
    return head + body[: max(size_kb * 1024 - len(head), 0)].decode("utf-8", "ignore").encode()


async def load(port: int, *, messages: int, sessions: int, size_kb: int, recipient: str) -> float:
    """Send ``messages`` over ``sessions`` parallel connections; seconds from the first connect to the last 250."""
    payloads = [message(size_kb, n) for n in range(messages)]
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for payload in payloads:
        queue.put_nowait(payload)

    async def session() -> None:
        async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False, timeout=120,
                                   local_hostname="bench-client.example") as client:
            while True:
                try:
                    payload = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                await client.sendmail(SENDER, [recipient], payload)

    started = time.perf_counter()
    await asyncio.gather(*(session() for _ in range(sessions)))
    return time.perf_counter() - started


class NxDomainServer:
    """A DNS server answering NXDOMAIN to everything, so inbound SPF/DKIM/DMARC checks cost one quick lookup
    each and no query leaves the machine. Like any authoritative server it puts its zone's SOA in the
    authority section (RFC 2308 §3), so a resolver may cache the negative answer for the SOA's minimum TTL."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = int(self.sock.getsockname()[1])
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                data, peer = self.sock.recvfrom(4096)
            except OSError:
                return
            try:
                query = dns.message.from_wire(data)
            except Exception:  # not DNS: ignore it
                continue
            reply = dns.message.make_response(query)
            reply.set_rcode(dns.rcode.NXDOMAIN)
            reply.flags |= dns.flags.AA
            reply.authority.append(NEGATIVE_SOA)
            self.sock.sendto(reply.to_wire(), peer)

    def close(self) -> None:
        self.sock.close()


def peak_memory_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


# -- CôngVụ --------------------------------------------------------------------------------------------------


def tree_pids(pid: int) -> list[int]:
    pids = [pid]
    with contextlib.suppress(OSError):
        pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return pids


class ServerCpu:
    """CPU time the servers use, the same way for every system: the whole machine's busy time (``/proc/stat``:
    user, system, interrupts, the kernel's loopback work included) less this script's own (the load generator).
    Short-lived processes such as Postfix's are counted too. Other work on the machine counts as well: run on a
    quiet machine."""

    def __init__(self) -> None:
        self.busy = self._machine_busy()
        self.own = time.process_time()

    @staticmethod
    def _machine_busy() -> float:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
        return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")  # less idle and iowait

    def seconds(self) -> float:
        return max(0.0, (self._machine_busy() - self.busy) - (time.process_time() - self.own))


def tree_peak_memory_kib(pid: int) -> int | None:
    """Peak memory of ``pid`` and of its worker processes (``congvu serve --workers``), summed."""
    peaks = [peak for peak in (peak_memory_kib(p) for p in tree_pids(pid)) if peak is not None]
    return sum(peaks) if peaks else None


def start_congvu(folder: Path, dns_port: int, database_url: str | None,
                 workers: str) -> tuple[subprocess.Popen[str], int]:
    data = folder / "congvu"
    init = [sys.executable, "-m", "congvu", "init", "--data", str(data), "--domain", DOMAIN,
            "--admin-password", "Bench@2026-thu-tai"]
    if database_url:
        init += ["--database-url", database_url]
    subprocess.run(init, check=True, capture_output=True, text=True)
    with (data / "congvu.toml").open("a", encoding="utf-8") as fh:
        fh.write(f'\n[dns]\nresolver = "127.0.0.1:{dns_port}"\ntimeout_s = 2\n\n'
                 "[smtp]\nmax_connections_per_ip = 200\nmax_messages_per_ip_per_hour = 100000000\n")
    serve = [sys.executable, "-m", "congvu", "serve", "--data", str(data), "--host", "127.0.0.1",
             "--smtp-port", "auto", "--submission-port", "0", "--smtps-port", "0", "--imap-port", "0",
             "--imaps-port", "0", "--http-port", "0", "--workers", workers]
    process = subprocess.Popen(serve, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        match = LISTEN_RE.search(line)
        if match:
            return process, int(match.group(2))
    process.kill()
    _, err = process.communicate(timeout=10)
    raise RuntimeError("«congvu serve --smtp-port auto» không báo cổng SMTP (máy chủ SMTP chưa chạy?)\n" + err[-2000:])


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


# -- Postfix + Dovecot ------------------------------------------------------------------------------------------

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
lmtp      unix  - - n - - lmtp
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
"""

DOVECOT_CONF = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = lmtp
listen = 127.0.0.1
ssl = no
default_internal_user = dovecot
default_login_user = dovenull
mail_location = maildir:{root}/mail/%n
first_valid_uid = 1
userdb {{
  driver = static
  args = uid=65534 gid=65534 home={root}/mail/%n
}}
passdb {{
  driver = static
  args = nopassword=y
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {port}
  }}
}}
service anvil {{
  chroot =
}}
"""


def missing_peer_tools() -> list[str]:
    missing = []
    if not Path("/usr/sbin/postfix").exists():
        missing.append("postfix")
    if not Path("/usr/sbin/dovecot").exists() or not Path("/usr/lib/dovecot/lmtp").exists():
        missing.append("dovecot-lmtpd")
    return missing


class PostfixDovecot:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.smtp_port = free_port()
        self.lmtp_port = free_port()
        self.dovecot: subprocess.Popen[bytes] | None = None
        self.postfix_started = False

    @property
    def maildir(self) -> Path:
        return self.root / "mail" / "admin" / "new"

    def start(self) -> None:
        for sub in ("etc", "spool", "data", "mail", "run", "state"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o755)
        shutil.chown(self.root / "data", "postfix", "postfix")
        os.chown(self.root / "mail", 65534, 65534)
        (self.root / "dovecot.conf").write_text(DOVECOT_CONF.format(root=self.root, port=self.lmtp_port))
        self.dovecot = subprocess.Popen(["/usr/sbin/dovecot", "-F", "-c", str(self.root / "dovecot.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.lmtp_port)
        main_cf = {
            "compatibility_level": "3.6", "queue_directory": self.root / "spool", "data_directory": self.root / "data",
            "mail_owner": "postfix", "setgid_group": "postdrop", "myhostname": f"mx.{PEER_DOMAIN}",
            "mydomain": PEER_DOMAIN, "myorigin": PEER_DOMAIN, "mydestination": "", "inet_interfaces": "127.0.0.1",
            "inet_protocols": "ipv4", "mynetworks": "127.0.0.0/8", "virtual_mailbox_domains": DOMAIN,
            "virtual_mailbox_maps": "static:ok", "virtual_transport": f"lmtp:inet:127.0.0.1:{self.lmtp_port}",
            "alias_maps": "", "alias_database": "", "local_recipient_maps": "", "smtp_dns_support_level": "disabled",
            "smtpd_client_connection_count_limit": "0", "smtpd_client_message_rate_limit": "0",
            "maillog_file": self.root / "maillog", "maillog_file_prefixes": self.root, "biff": "no",
            "message_size_limit": "52428800",
        }
        (self.root / "etc" / "main.cf").write_text("".join(f"{k} = {v}\n" for k, v in main_cf.items()))
        (self.root / "etc" / "master.cf").write_text(MASTER_CF.format(port=self.smtp_port))
        result = subprocess.run(["/usr/sbin/postfix", "-c", str(self.root / "etc"), "start"], capture_output=True,
                                text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"Postfix không khởi động được: {result.stdout}{result.stderr}")
        self.postfix_started = True
        wait_for_port(self.smtp_port)

    def delivered(self) -> int:
        return sum(1 for _ in self.maildir.iterdir()) if self.maildir.exists() else 0

    def stop(self) -> None:
        if self.postfix_started:
            subprocess.run(["/usr/sbin/postfix", "-c", str(self.root / "etc"), "abort"], capture_output=True,
                           check=False)
        if self.dovecot is not None:
            self.dovecot.terminate()
            try:
                self.dovecot.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.dovecot.kill()


# -- the run --------------------------------------------------------------------------------------------------


def scenarios(args: argparse.Namespace) -> list[tuple[int, int]]:
    sizes = [int(s) for s in args.sizes.split(",")]
    sessions = [int(s) for s in args.sessions.split(",")]
    return [(size, count) for size in sizes for count in sessions]


def messages_for(args: argparse.Namespace, size_kb: int) -> int:
    return args.messages if size_kb <= 10 else max(args.messages // 4, 20)


async def warm_up(port: int, args: argparse.Namespace) -> int:
    """A few messages of every size first (the same for both systems): nothing started on first use (connection
    pools, worker processes, caches) is timed. The number of messages sent."""
    sizes = sorted({size for size, _ in scenarios(args)})
    for size_kb in sizes:
        await load(port, messages=3, sessions=1, size_kb=size_kb, recipient=RECIPIENT)
    return 3 * len(sizes)


class TextBacklog:
    """How many long bodies CôngVụ has still to fold and index for search (they are done once deliveries pause)."""

    def __init__(self, data: Path) -> None:
        self.db = Database(load_settings(DataDir(data)).database_url)

    def waiting(self) -> int:
        with self.db.read() as conn:
            return int(conn.execute(select(func.count()).select_from(message_text_backlog)).scalar_one())

    async def drained(self, timeout_s: float = 300.0) -> None:
        deadline = time.monotonic() + timeout_s
        while self.waiting() and time.monotonic() < deadline:
            await asyncio.sleep(0.01)

    def close(self) -> None:
        self.db.dispose()


async def run_congvu(args: argparse.Namespace, folder: Path) -> tuple[list[Result], int | None]:
    resolver = NxDomainServer()
    process, port = start_congvu(folder, resolver.port, args.database_url, args.workers)
    backlog = TextBacklog(folder / "congvu")
    results: list[Result] = []
    try:
        await warm_up(port, args)
        await backlog.drained()
        for size_kb, sessions in scenarios(args):
            count = messages_for(args, size_kb)
            cpu = ServerCpu()
            started = time.perf_counter()
            seconds = await load(port, messages=count, sessions=sessions, size_kb=size_kb, recipient=RECIPIENT)
            results.append(Result(STORED_ROW, size_kb, sessions, count, seconds,
                                  cpu.seconds()))
            if backlog.waiting():  # long bodies are folded and indexed for search once the burst is over
                await backlog.drained()
                results.append(Result(INDEXED_ROW, size_kb, sessions, count,
                                      time.perf_counter() - started, cpu.seconds()))
        peak = tree_peak_memory_kib(process.pid)
    finally:
        backlog.close()
        stop(process)
        resolver.close()
    return results, peak


async def run_postfix(args: argparse.Namespace, folder: Path) -> list[Result]:
    peer = PostfixDovecot(folder)
    results: list[Result] = []
    try:
        peer.start()
        warmed = await warm_up(peer.smtp_port, args)
        deadline = time.monotonic() + 60
        while peer.delivered() < warmed and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        for size_kb, sessions in scenarios(args):
            count = messages_for(args, size_kb)
            before = peer.delivered()
            cpu = ServerCpu()
            started = time.perf_counter()
            seconds = await load(peer.smtp_port, messages=count, sessions=sessions, size_kb=size_kb,
                                 recipient=RECIPIENT)
            results.append(Result("Postfix: 250 (đã vào hàng đợi)", size_kb, sessions, count, seconds, cpu.seconds()))
            deadline = time.monotonic() + 300
            while peer.delivered() < before + count and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            results.append(Result(DOVECOT_ROW, size_kb, sessions,
                                   peer.delivered() - before, time.perf_counter() - started, cpu.seconds()))
    finally:
        peer.stop()
    return results


def report(results: list[Result], peak_kib: int | None) -> None:
    print(f"{'hệ thống':44} {'cỡ thư':>7} {'phiên':>6} {'số thư':>7} {'giây':>8} {'thư/giây':>9} {'ms CPU/thư':>11}")
    for r in results:
        cpu = "" if r.cpu_ms_per_message is None else f"{r.cpu_ms_per_message:.1f}"
        print(f"{r.system:44} {r.size_kb:>5}KB {r.sessions:>6} {r.messages:>7} {r.seconds:>8.2f} {r.rate:>9.1f}"
              f" {cpu:>11}")
    peers = {(r.size_kb, r.sessions): r.rate for r in results if r.system == DOVECOT_ROW and r.rate}
    compared = [r for r in results if r.system in (STORED_ROW, INDEXED_ROW) and (r.size_kb, r.sessions) in peers]
    if compared:
        print("\nSo với Postfix → LMTP → Dovecot (thư đã vào hộp thư), cùng lần chạy:")
        for r in compared:
            share = r.rate / peers[(r.size_kb, r.sessions)] * 100
            print(f"  {r.system:44} {r.size_kb:>5}KB {r.sessions:>6} phiên: {share:5.0f} %")
    if peak_kib is not None:
        print(f"\nBộ nhớ đỉnh của các tiến trình congvu serve (tổng VmHWM): {peak_kib / 1024:.1f} MiB")


async def main_async(args: argparse.Namespace) -> int:
    results: list[Result] = []
    peak: int | None = None
    with tempfile.TemporaryDirectory(prefix="congvu-bench-") as tmp:
        root = Path(tmp)
        os.chmod(root, 0o755)
        if not args.skip_congvu:
            try:
                congvu_results, peak = await run_congvu(args, root)
                results += congvu_results
            except RuntimeError as exc:
                print(f"Bỏ qua CôngVụ: {exc}", file=sys.stderr)
        missing = missing_peer_tools()
        if args.skip_postfix:
            pass
        elif missing:
            print(f"Bỏ qua Postfix + Dovecot: thiếu {', '.join(missing)}. Cài bằng: "
                  "benchmarks/setup  (rồi chạy lại với quyền root)", file=sys.stderr)
        elif os.geteuid() != 0:
            print("Bỏ qua Postfix + Dovecot: cần chạy với quyền root.", file=sys.stderr)
        else:
            results += await run_postfix(args, root / "postfix")
    report(results, peak)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000,
                        help="số thư mỗi kịch bản 5 KB (100 KB: một phần tư)")
    parser.add_argument("--sizes", default="5,100", help="cỡ thư theo KB, cách nhau bởi dấu phẩy")
    parser.add_argument("--sessions", default="1,20", help="số phiên SMTP song song")
    parser.add_argument("--database-url", help="postgresql://… (mặc định SQLite trong thư mục tạm)")
    parser.add_argument("--workers", default="auto", help="số tiến trình congvu serve (mặc định auto: mỗi lõi một)")
    parser.add_argument("--skip-postfix", action="store_true")
    parser.add_argument("--skip-congvu", action="store_true")
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
