"""Benchmark: official documents at province scale.

1. Issue one signed công văn (PAdES, the agency's PKCS#12 certificate) and send it to every agency of the sample
   province (about 100 agencies, delivered inside the installation, each status 01 back): seconds, peak memory,
   and the blobs stored: the draft's PDF, the signed PDF and the one package, however many recipients.
2. Receive and register 1,000 incoming documents arriving as edXML packages (the path every transport uses):
   seconds and documents per second; a second arrival of each is detected as a duplicate. The receiving
   installation has the same agencies, so its statuses 01 and 03 go to a local H19.04 that never sent those
   documents and are kept in quarantine: a blob and a row each, as a status queued for another system would be.

    .venv/bin/python benchmarks/documents_exchange.py [--incoming 1000] [--database-url postgresql://…]

The PDFs and the certification authority are made on the spot with the test suite's material helpers.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "documents"))

from docmaterial import make_authority, make_pdf

from congvu.config.settings import DataDir
from congvu.demo.province import sample_agencies
from congvu.documents.models import DraftInput, FileInput, Signer
from congvu.documents.service import documents_for
from congvu.installation import Installation, create_installation


def province(data: DataDir, database_url: str | None) -> Installation:
    inst = create_installation(data, domain="dongnai.gov.vn", admin_password="Bench@2026-x",
                               database_url=database_url).installation
    for order, a in enumerate(sample_agencies()):
        inst.directory.agencies.add(code=a.code, name=a.name, short_name=a.short_name, level=a.level,
                                    parent=a.parent, sort_order=order)
    return inst


def blob_bytes(root: Path) -> tuple[int, int]:
    files = [p for p in root.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incoming", type=int, default=1000)
    parser.add_argument("--pages", type=int, default=5, help="pages of the signed PDF")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="congvu-doc-bench-") as tmp:
        root = Path(tmp)
        sender = province(DataDir(root / "a"), args.database_url)
        docs = documents_for(sender)
        authority = make_authority()
        docs.trust.add(authority.pem, name=authority.name)
        for code in ("H19.01", "H19.04"):
            docs.profiles.set_place(code, "Biên Hòa")
        docs.profiles.set_signing_key("H19.01", authority.issue_pkcs12("Văn phòng UBND tỉnh Đồng Nai", "UBND tỉnh"),
                                      b"matkhau")
        recipients = tuple(a.code for a in sample_agencies() if a.code not in ("H19", "H19.01"))
        pdf = make_pdf("Cong van gui toan tinh", pages=args.pages)
        blobs_before = blob_bytes(sender.settings.data.blobs)
        print(f"peak memory after setting up: {peak_mib():.0f} MiB")
        started = time.perf_counter()
        issued = docs.issue(DraftInput(
            agency="H19.01", doc_type="cong_van", drafting_unit="TTTH",
            subject="V/v triển khai gửi, nhận văn bản điện tử trên toàn tỉnh",
            signer=Signer("Trần Văn Vinh", "Phó Chủ tịch", "KT. CHỦ TỊCH"),
            main_file=FileInput("cong-van.pdf", pdf), kinh_gui=recipients))
        docs.dispatch()
        elapsed = time.perf_counter() - started
        count, size = blob_bytes(sender.settings.data.blobs)
        arrived = sum(len(docs.incoming.list(agency=code)) for code in recipients[:5])
        print(f"issue + sign + send to {len(recipients)} agencies: {elapsed:.2f} s, number {issued.number}, "
              f"signed={issued.signed}")
        print(f"  blobs stored by it: {count - blobs_before[0]} files, {(size - blobs_before[1]) / 1024:.0f} KiB "
              f"(PDF {len(pdf) / 1024:.0f} KiB before signing); first 5 recipients have {arrived} entries")
        print(f"  peak memory so far: {peak_mib():.0f} MiB")

        # 1,000 packages from the sender, as they would arrive at another installation.
        packages = []
        started = time.perf_counter()
        for i in range(args.incoming):
            doc = docs.issue(DraftInput(
                agency="H19.04", doc_type="bao_cao", subject=f"Báo cáo tình hình sử dụng thư điện tử số {i + 1}",
                signer=Signer("Lê Minh Tân", "Giám đốc", None),
                main_file=FileInput(f"bao-cao-{i + 1}.pdf", make_pdf(f"Bao cao {i + 1}")),
                kinh_gui=("H19.18",)))
            packages.append(docs.outgoing.package(doc.document_id or ""))
        print(f"prepared {len(packages)} edXML packages in {time.perf_counter() - started:.1f} s "
              f"({sum(map(len, packages)) / 1e6:.1f} MB)")
        sender.close()

        receiver = province(DataDir(root / "b"), None)  # the receiving province runs on the embedded default
        rdocs = documents_for(receiver)
        started = time.perf_counter()
        registered = 0
        for data in packages:
            arrival = rdocs.receive(data, transport="file", for_agency="H19.18")
            for entry in arrival.entries:
                rdocs.register(entry.id)
                registered += 1
        elapsed = time.perf_counter() - started
        print(f"receive + register {registered} incoming documents: {elapsed:.2f} s "
              f"({registered / elapsed:,.0f}/s)")
        started = time.perf_counter()
        duplicates = sum(1 for data in packages[:100] if rdocs.receive(data, transport="file",
                                                                        for_agency="H19.18").duplicates)
        print(f"100 repeated arrivals: {duplicates} detected as duplicates in {time.perf_counter() - started:.2f} s")
        count, size = blob_bytes(receiver.settings.data.blobs)
        print(f"receiver blobs: {count} files, {size / 1e6:.1f} MB; peak memory {peak_mib():.0f} MiB")
        receiver.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
