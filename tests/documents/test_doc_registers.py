"""Registers: numbers per calendar year from 01, one register or several, no gap and no duplicate under load."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from docmaterial import cong_van

from congvu.documents.models import Direction
from congvu.documents.registers import allocate_number
from congvu.documents.service import DocumentService, documents_for
from congvu.errors import Conflict
from congvu.installation import Installation


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def test_numbering_restarts_on_first_january_vietnam_time(province: Installation) -> None:
    # 31/12 16:30 UTC is already 1 January in Vietnam (UTC+7).
    clock = Clock(datetime(2026, 12, 31, 16, 0, tzinfo=UTC))
    docs = documents_for(province, clock=clock)
    docs.profiles.set_place("H19.01", "Biên Hòa")
    first = docs.issue(cong_van())
    second = docs.issue(cong_van())
    assert (first.number, second.number) == ("01/VPUBND-TTTH", "02/VPUBND-TTTH")
    assert first.issued_on is not None and first.issued_on.year == 2026
    clock.moment = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)
    third = docs.issue(cong_van())
    assert third.number == "01/VPUBND-TTTH"
    assert third.document_id is not None and ",2027/01/01," in third.document_id
    registers = {r.name: r for r in docs.registers.list("H19.01")}
    assert registers["Sổ văn bản đi"].last_numbers == ((2026, 2), (2027, 1))


def test_several_registers_split_the_types(docs: DocumentService) -> None:
    docs.registers.add("H19.01", "Sổ quyết định, chỉ thị", doc_types=["quyet_dinh", "CT"])
    decision = docs.issue(cong_van(doc_type="QĐ", drafting_unit=None))
    letter = docs.issue(cong_van())
    directive = docs.issue(cong_van(doc_type="Chỉ thị", drafting_unit=None))
    assert (decision.number, letter.number, directive.number) == ("01/QĐ-VPUBND", "01/VPUBND-TTTH", "02/CT-VPUBND")
    with pytest.raises(Conflict):
        docs.registers.add("H19.01", "Sổ khác", doc_types=["quyet_dinh"])
    with pytest.raises(Conflict):
        docs.registers.add("H19.01", "Sổ đến thứ hai", direction=Direction.INCOMING)


def test_rolled_back_transactions_give_their_number_back(docs: DocumentService) -> None:
    """Allocations whose transaction fails leave no gap: committed numbers are exactly 1..n."""
    with docs.ctx.db.begin() as conn:
        agency = docs.ctx.agency(conn, "H19.01")
        register_id = docs.registers.outgoing_register(conn, agency.id, "cong_van")
    committed: list[int] = []
    lock = threading.Lock()

    def worker(k: int) -> None:
        for i in range(6):
            try:
                with docs.ctx.db.begin() as conn:
                    number = allocate_number(conn, register_id, 2030, docs.ctx)
                    if (k + i) % 3 == 0:
                        raise RuntimeError("the document could not be stored")
                with lock:
                    committed.append(number)
            except RuntimeError:
                pass

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(committed) == list(range(1, len(committed) + 1))
    assert len(committed) == 24


def test_many_clerks_in_threads_get_distinct_consecutive_numbers(province: Installation) -> None:
    docs = documents_for(province, dispatch_now=False)
    docs.profiles.set_place("H19.01", "Biên Hòa")
    docs.registers.list("H19.01")
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def clerk(k: int) -> None:
        try:
            for i in range(3):
                doc = docs.outgoing.issue_new(cong_van(subject=f"Văn bản {k}-{i}"))
                with lock:
                    numbers.append(doc.number or "")
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=clerk, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(numbers) == sorted(f"{n:02d}/VPUBND-TTTH" for n in range(1, 25))


_SCRIPT = """
import sys
from pathlib import Path
from congvu.config.settings import DataDir
from congvu.documents.models import DraftInput, FileInput, Signer
from congvu.documents.service import documents_for
from congvu.installation import open_installation

inst = open_installation(DataDir(Path(sys.argv[1])))
docs = documents_for(inst, dispatch_now=False)
pdf = Path(sys.argv[2]).read_bytes()
for i in range(int(sys.argv[3])):
    doc = docs.outgoing.issue_new(DraftInput(
        agency="H19.01", doc_type="cong_van", drafting_unit="TTTH", subject=f"Tiến trình {sys.argv[4]} số {i}",
        signer=Signer("Trần Văn Vĩnh", "Phó Chủ tịch"), main_file=FileInput("a.pdf", pdf), kinh_gui=("H19.04",)))
    print(doc.number, flush=True)
inst.close()
"""


def test_two_server_processes_share_one_sequence(province: Installation, tmp_path: Path) -> None:
    from docmaterial import make_pdf

    docs = documents_for(province)
    docs.profiles.set_place("H19.01", "Biên Hòa")
    docs.registers.list("H19.01")
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(make_pdf())
    root = str(province.settings.data.root)
    procs = [subprocess.Popen([sys.executable, "-c", _SCRIPT, root, str(pdf), "10", str(k)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for k in range(2)]
    outputs = [p.communicate(timeout=300) for p in procs]
    for proc, (_, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    numbers = [line for out, _ in outputs for line in out.split()]
    assert sorted(numbers) == sorted(f"{n:02d}/VPUBND-TTTH" for n in range(1, 21))
    assert len(docs.incoming.list("H19.04")) == 0  # queued, not yet dispatched
    report = docs.dispatch()
    assert report.sent >= 20 and report.failed == 0
    assert len(docs.incoming.list("H19.04")) == 20
