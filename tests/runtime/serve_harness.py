"""``congvu serve`` started as real processes by the runtime tests: the running server, its listening ports, its
processes, and which process holds a given connection."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

_LISTENING = re.compile(r"congvu: (\w+) đang nghe tại [\d.]+:(\d+)")


@dataclass
class Served:
    proc: subprocess.Popen[str]
    ports: dict[str, int]
    ready_line: str  # the line announcing how many processes serve ("… N tiến trình …"), or the last line read

    def worker_pids(self) -> set[int]:
        try:
            text = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        except OSError:
            return set()
        return {int(pid) for pid in text.split()}

    def server_pids(self) -> set[int]:
        return {self.proc.pid, *self.worker_pids()}


def start_serve(data: Path, *options: str, timeout_s: float = 60.0) -> Served:
    """``congvu serve --data DATA --host 127.0.0.1 OPTIONS…``, once it has printed its listeners and its ready line
    (a server of one process prints none: then after ``timeout_s``, or once it has printed nothing for a second
    after its listeners). Its output is read to the end by a thread, so the server never blocks on a full pipe."""
    proc = subprocess.Popen([sys.executable, "-m", "congvu", "serve", "--data", str(data), "--host", "127.0.0.1",
                             *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()

    def drain(stream: IO[str]) -> None:
        for text in stream:
            lines.put(text)
        lines.put(None)

    threading.Thread(target=drain, args=(proc.stdout,), daemon=True).start()
    ports: dict[str, int] = {}
    line = ""
    deadline = time.monotonic() + timeout_s
    while "tiến trình" not in line and time.monotonic() < deadline:
        try:
            got = lines.get(timeout=1.0 if ports else max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            break  # listening, and nothing more to say: one process
        if got is None:
            break
        line = got
        match = _LISTENING.search(line)
        if match:
            ports[match.group(1)] = int(match.group(2))
    return Served(proc, ports, line)


def socket_owner(server_port: int, client_port: int, pids: set[int]) -> int | None:
    """The process holding the server side of the loopback connection from ``client_port``."""
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1].split(":"), fields[2].split(":")
        if int(local[1], 16) == server_port and int(remote[1], 16) == client_port:
            inode = fields[9]
    if inode is None:
        return None
    for pid in pids:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                    return pid
        except OSError:
            continue
    return None
