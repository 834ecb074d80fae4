"""The province's paper timetable and roll-out waves: what paper obligation remains for each recipient."""

from __future__ import annotations

from datetime import date

import pytest
from docmaterial import cong_van

from congvu.documents.service import DocumentService
from congvu.errors import InvalidInput


def obligation(docs: DocumentService, *, doc_type: str = "giay_moi", on: date, signed: bool = False,
               sender_wave: int | None = 1, recipient_wave: int | None = 1) -> tuple[bool, str]:
    with docs.ctx.db.read() as conn:
        result = docs.policy.obligation(conn, doc_type=doc_type, on=on, signed=signed, sender_wave=sender_wave,
                                        recipient_wave=recipient_wave, recipient_local=True)
    return result.required, result.note


def test_gia_lai_timetable(docs: DocumentService) -> None:
    # Công văn 1468/UBND-VHXH (2014): paper alongside electronic for everything, invitations electronic only
    # from 2015, and no paper for digitally signed documents.
    docs.policy.add(doc_type=None, starts_on=date(2014, 4, 28), ends_on=None, mode="electronic_and_paper",
                    signed_exempt=True, note="CV 1468/UBND-VHXH mục 3, 5")
    docs.policy.add(doc_type="Giấy mời", starts_on=date(2015, 1, 1), ends_on=None, mode="electronic_only",
                    note="CV 1468/UBND-VHXH mục 7")
    assert obligation(docs, on=date(2014, 6, 1))[0] is True
    assert obligation(docs, on=date(2014, 6, 1), signed=True)[0] is False
    required, note = obligation(docs, on=date(2015, 2, 1))
    assert required is False and "mục 7" in note
    assert obligation(docs, doc_type="cong_van", on=date(2015, 2, 1))[0] is True
    assert [r.doc_type for r in docs.policy.list()] == [None, "giay_moi"]
    with pytest.raises(InvalidInput):
        docs.policy.add(doc_type=None, starts_on=date(2015, 1, 1), ends_on=date(2014, 1, 1), mode="electronic_only")
    with pytest.raises(InvalidInput):
        docs.policy.add(doc_type=None, starts_on=date(2015, 1, 1), ends_on=None, mode="fax")


def test_dong_nai_waves(docs: DocumentService) -> None:
    # Công văn 9459/UBND-TTTH (2010): wave 1 from 01/12/2010, wave 2 from 15/12/2010.
    agencies = docs.ctx.directory.agencies
    agencies.set_wave(1, name="Thí điểm đợt 1", starts_on=date(2010, 12, 1))
    agencies.set_wave(2, name="Mở rộng đợt 2", starts_on=date(2010, 12, 15))
    docs.policy.add(doc_type=None, starts_on=date(2010, 12, 1), ends_on=None, mode="electronic_only")
    assert obligation(docs, on=date(2010, 12, 5), recipient_wave=1)[0] is False
    required, note = obligation(docs, on=date(2010, 12, 5), recipient_wave=2)
    assert required and "đợt triển khai 2" in note and "15/12/2010" in note
    assert obligation(docs, on=date(2010, 12, 20), recipient_wave=2)[0] is False
    assert obligation(docs, on=date(2010, 12, 20), recipient_wave=None)[0] is True
    assert obligation(docs, on=date(2010, 12, 20), sender_wave=None)[0] is True


def test_sender_is_told_the_paper_obligation_per_recipient(docs: DocumentService) -> None:
    agencies = docs.ctx.directory.agencies
    agencies.set_wave(1, name="Đợt 1", starts_on=date(2010, 12, 1))
    agencies.set_wave(2, name="Đợt 2", starts_on=date(2099, 1, 1))
    agencies.edit("H19.01", wave=1)
    agencies.edit("H19.04", wave=1)
    agencies.edit("H19.18", wave=2)
    docs.policy.add(doc_type=None, starts_on=date(2010, 12, 1), ends_on=None, mode="electronic_only")
    doc = docs.issue(cong_van(kinh_gui=("H19.04", "H19.18", "H19.31")))
    by_agency = {r.agency: r for r in doc.recipients}
    assert not by_agency["H19.04"].paper_required
    assert by_agency["H19.18"].paper_required and "01/01/2099" in (by_agency["H19.18"].paper_note or "")
    assert by_agency["H19.31"].paper_required and "chưa thuộc đợt" in (by_agency["H19.31"].paper_note or "")
    entry, = docs.incoming.list("H19.18")
    assert entry.paper  # the package's Paper flag tells receivers a paper copy follows
