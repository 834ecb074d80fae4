"""Benchmark: web pages under 50 concurrent users (target: 95 % of requests under 100 ms on this machine).

Builds the sample province (``congvu demo`` data, SQLite by default or ``--database-url``), starts
``congvu serve`` with only the web listener, signs in one session per user (the demo administrator and the
demo clerk, alternately), then runs N users for a fixed time, each looping over a mix of public and signed-in
pages, pausing ``--think-ms`` between requests as a person reading a page does (0: hammer with no pause, a stress
figure rather than a user figure). Prints requests per second and latency percentiles per page and overall.
The load generator runs on the same machine and takes CPU from the server: read the figures with that in mind.

Everyone signs in first (argon2id makes 25 sign-ins in the same second a burst of its own: their times are
printed apart); the page figures are taken once every user is in and the caches are warm. The machine's load
average and CPU steal during the measured window are printed with the figures: on a shared virtual machine
they say more about the tail than the server does.

    .venv/bin/python benchmarks/web_load.py --users 50 --seconds 30
    .venv/bin/python benchmarks/web_load.py --users 50 --seconds 30 --think-ms 0
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx

from congvu.config.settings import DataDir
from congvu.demo.build import DEMO_DOMAIN, build_demo, demo_logins

PUBLIC = ("/", "/danh-ba", "/danh-ba?q=nguyen", "/danh-ba?co-quan=H19.04", "/cau-hinh-thu", "/healthz",
          "/mail/config-v1.1.xml?emailaddress=vinhtv@" + DEMO_DOMAIN)
WARM_UP_S = 5.0
SIGNED_IN = ("/quan-tri/can-bo", "/quan-tri/can-bo?q=tran", "/quan-tri/co-quan", "/tai-khoan")


async def sign_in(client: httpx.AsyncClient, address: str, password: str) -> None:
    page = await client.get("/dang-nhap")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    data = {"address": address, "password": password}
    if token:
        data["csrf"] = token.group(1)
    response = await client.post("/dang-nhap", data=data, follow_redirects=True)
    if response.status_code >= 400 or "dang-xuat" not in response.text:
        raise RuntimeError(f"sign-in failed for {address}: {response.status_code}")


async def user(base: str, login: dict[str, str] | None, started: asyncio.Event, window: dict[str, float],
               think_s: float, timings: dict[str, list[float]], errors: list[str], signins: list[float],
               ready: list[None]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        pages = PUBLIC
        if login is not None:
            begun = time.perf_counter()
            await sign_in(client, login["address"], login["password"])
            signins.append(time.perf_counter() - begun)
            inbox = (await client.get("/thu")).headers.get("location", "/thu")  # the webmail's inbox page
            pages = PUBLIC + SIGNED_IN + (inbox,)
        ready.append(None)
        await started.wait()
        i = 0
        while time.monotonic() < window["deadline"]:
            path = pages[i % len(pages)]
            i += 1
            begun = time.perf_counter()
            try:
                response = await client.get(path)
            except httpx.RemoteProtocolError:  # a connection left idle past the server's keep-alive: once more
                begun = time.perf_counter()
                response = await client.get(path)
            elapsed = time.perf_counter() - begun
            if response.status_code != 200:
                errors.append(f"{path}: {response.status_code}")
            if time.monotonic() >= window["warm_until"]:  # the first seconds warm caches and templates up
                timings[re.sub(r"/\d+", "/N", path.split("?")[0])].append(elapsed)
            if think_s:
                await asyncio.sleep(think_s * (0.5 + random.random()))  # people do not click in step


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def cpu_times() -> list[int]:
    """The machine's CPU counters (user, nice, system, idle, iowait, irq, softirq, steal) from /proc/stat."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            return [int(v) for v in stat.readline().split()[1:9]]
    except OSError:
        return []


async def run(base: str, users: int, seconds: float, think_s: float) -> None:
    logins = [x for x in demo_logins(DEMO_DOMAIN) if x["role"] == "Quản trị cấp tỉnh"]
    timings: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    signins: list[float] = []
    ready: list[None] = []
    started = asyncio.Event()
    window = {"warm_until": float("inf"), "deadline": float("inf")}
    tasks = [asyncio.create_task(user(base, logins[i % len(logins)] if i % 2 == 0 else None, started, window,
                                      think_s, timings, errors, signins, ready)) for i in range(users)]
    while len(ready) < users:
        await asyncio.sleep(0.1)
    if signins:
        print(f"{len(signins)} sign-ins at once: median {statistics.median(signins):.1f} s, "
              f"slowest {max(signins):.1f} s (argon2id; measured apart from the pages)")
    window["warm_until"] = time.monotonic() + WARM_UP_S
    window["deadline"] = window["warm_until"] + seconds
    started.set()
    await asyncio.sleep(WARM_UP_S)
    load_before, cpu_before, begun = os.getloadavg()[0], cpu_times(), time.monotonic()
    await asyncio.gather(*tasks)
    wall = time.monotonic() - begun
    cpu_after = cpu_times()
    everything = [t for values in timings.values() for t in values]
    print(f"{users} users, {think_s * 1000:.0f} ms between requests (on average), for {seconds:.0f} s: "
          f"{len(everything)} requests, {len(everything) / wall:,.0f} req/s, {len(errors)} errors")
    if cpu_before and cpu_after:
        spent = [b - a for a, b in zip(cpu_before, cpu_after, strict=True)]
        total = max(1, sum(spent))
        print(f"machine: load average {load_before:.1f} → {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
              f"CPU busy {(total - spent[3] - spent[4] - spent[7]) / total:.0%}, idle {spent[3] / total:.0%}, "
              f"stolen by the hypervisor {spent[7] / total:.0%}")
    print(f"{'page':<32} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for path, values in sorted(timings.items()):
        print(f"{path:<32} {len(values):>7} {statistics.median(values) * 1000:>8.1f} "
              f"{percentile(values, 95) * 1000:>8.1f} {percentile(values, 99) * 1000:>8.1f}")
    under = sum(1 for t in everything if t < 0.1) / max(1, len(everything))
    print(f"{'all':<32} {len(everything):>7} {statistics.median(everything) * 1000:>8.1f} "
          f"{percentile(everything, 95) * 1000:>8.1f} {percentile(everything, 99) * 1000:>8.1f}")
    print(f"share of requests under 100 ms: {under:.1%} (target 95 %)")
    if errors:
        print("first errors:", errors[:5])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--think-ms", type=float, default=1000, help="mean pause between a user's requests")
    parser.add_argument("--data", type=Path, help="serve this installation (built with `congvu demo`) instead of "
                                                  "building the sample province")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="congvu-web-bench-") as tmp:
        data = DataDir(args.data) if args.data else DataDir(Path(tmp) / "demo")
        if not args.data:
            build_demo(data, people=args.people)
        proc = subprocess.Popen([sys.executable, "-m", "congvu", "serve", "--data", str(data.root), "--host",
                                 "127.0.0.1", "--http-port", "auto", "--smtp-port", "0", "--submission-port", "0",
                                 "--smtps-port", "0", "--imap-port", "0", "--imaps-port", "0"],
                                stdout=subprocess.PIPE, text=True)
        try:
            assert proc.stdout is not None
            match = None
            while match is None:
                line = proc.stdout.readline()
                if not line:
                    raise RuntimeError("congvu serve did not start")
                match = re.search(r"http đang nghe tại ([\d.]+):(\d+)", line)
            base = f"http://{match.group(1)}:{match.group(2)}"
            asyncio.run(run(base, args.users, args.seconds, args.think_ms / 1000))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
