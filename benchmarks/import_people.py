"""Benchmark: what importing an HR list of people costs (``congvu account import``).

Builds the sample province's agency tree in a fresh installation, writes a spreadsheet of N people with
realistic Vietnamese names spread over the agencies, and runs ``congvu account import`` as its own process,
printing wall time, rows per second and the import process's peak memory (max RSS). Run on the embedded default
(SQLite) and, with ``--database-url postgresql://…/DB``, on PostgreSQL (the database must be empty).

    .venv/bin/python benchmarks/import_people.py --rows 10000
    .venv/bin/python benchmarks/import_people.py --rows 10000 --format csv
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

from congvu.config.settings import DataDir
from congvu.demo.names import random_name
from congvu.demo.province import WAVES, sample_agencies
from congvu.installation import create_installation

HEADER = ["Họ và tên", "Cơ quan", "Phòng", "Chức vụ", "Điện thoại", "Email"]
POSITIONS = ("Chuyên viên", "Chuyên viên chính", "Trưởng phòng", "Phó Trưởng phòng", "Văn thư", "Kế toán")


def make_rows(count: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    agencies = sample_agencies()
    rows = []
    for _ in range(count):
        agency = rng.choice(agencies)
        unit = rng.choice(agency.units) if agency.units else ""
        rows.append([random_name(rng), agency.code, unit, rng.choice(POSITIONS), f"0251{rng.randrange(10**6, 10**7)}",
                     ""])
    return rows


def write_file(rows: list[list[str]], path: Path) -> None:
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADER)
            writer.writerows(rows)
        return
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Cán bộ")
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    wb.save(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    parser.add_argument("--database-url")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="congvu-bench-") as tmp:
        root = Path(tmp)
        data = DataDir(root / "inst")
        created = create_installation(data, domain="dongnai.gov.vn", admin_password="Bench@2026-x",
                                      database_url=args.database_url)
        inst = created.installation
        for number, name, starts in WAVES:
            inst.directory.agencies.set_wave(number, name=name, starts_on=starts)
        for a in sample_agencies():
            inst.directory.agencies.add(code=a.code, name=a.name, short_name=a.short_name, level=a.level,
                                        parent=a.parent, wave=a.wave)
        inst.close()
        sheet = root / f"canbo.{args.format}"
        started = time.perf_counter()
        write_file(make_rows(args.rows, args.seed), sheet)
        print(f"spreadsheet: {args.rows} rows, {sheet.stat().st_size / 1e6:.1f} MB, written in "
              f"{time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "congvu", "account", "import", str(sheet), "--data",
                               str(data.root), "--json"], capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        if proc.returncode not in (0, 3):
            print(proc.stderr, file=sys.stderr)
            return 1
        import json

        report = json.loads(proc.stdout)
        backend = "postgresql" if args.database_url else "sqlite"
        print(f"backend: {backend}; format: {args.format}")
        print(f"created: {len(report['created'])}, matched: {len(report['matched'])}, "
              f"rejected: {len(report['rejected'])}")
        print(f"import wall time: {elapsed:.2f} s ({args.rows / elapsed:,.0f} rows/s, process start included)")
        print(f"import peak memory (max RSS of the import process): {peak_kib / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
