"""``congvu serve`` started as real processes by the runtime tests: the running server, its listening ports, its
processes, and which process holds a given connection."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

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


def start_serve(data: Path, *options: str) -> Served:
    """``congvu serve --data DATA --host 127.0.0.1 OPTIONS…``, once it has printed its listeners and its ready line
    (or after 60 s)."""
    proc = subprocess.Popen([sys.executable, "-m", "congvu", "serve", "--data", str(data), "--host", "127.0.0.1",
                             *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    ports: dict[str, int] = {}
    line = ""
    deadline = time.monotonic() + 60
    while "tiến trình" not in line and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
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
