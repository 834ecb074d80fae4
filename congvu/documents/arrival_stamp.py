"""The ĐẾN stamp (dấu Đến) drawn onto a copy of an arrived PDF.

NĐ 30/2020/NĐ-CP Phụ lục IV: a registered incoming document bears the ĐẾN stamp — a rectangle of about 50x30 mm
near the top left of the first page — giving the receiving agency, the số đến, the ngày đến, to whom it was sent
(Chuyển) and the file it belongs to (Số và ký hiệu HS). The stamp is drawn as an incremental update (ISO 32000-1
§7.5.6): the original bytes, and every signature on them, stay untouched at the front of the copy; a signature
check on the copy reports the appended stamp as a change made after signing, so signatures are checked on the
file as received.

The text is set in a TrueType font (the ``[documents] stamp_font`` setting, else DejaVu Sans or Noto Sans where
installed) so that Vietnamese shows with its diacritics; with no such font the standard Courier font is used and
the text is written without diacritics. Stamping is synchronous: it needs no event loop.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from fontTools import subset, ttLib
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.font.api import FontEngine, FontEngineFactory
from pyhanko.pdf_utils.font.basic import SimpleFontEngineFactory
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.pdf_utils.xref import ObjectStream
from pyhanko.stamp import TextStamp, TextStampStyle

from congvu.demo.pdf import plain_letters

log = logging.getLogger(__name__)
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # "FFTM NOT subset" on every stamp

FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"),
)
MM = 72 / 25.4
WIDTH, HEIGHT = 50 * MM, 30 * MM
LEFT, TOP = 20 * MM, 40 * MM
"""Where the stamp's top left corner sits: 20 mm from the left edge, 40 mm below the top (under the agency's
name and the số, ký hiệu)."""
FONT_SIZE, LEADING = 9, 13
NAME_CHARS = 34
_SHORT_FORMS = (("ỦY BAN NHÂN DÂN", "UBND"), ("UỶ BAN NHÂN DÂN", "UBND"), ("HỘI ĐỒNG NHÂN DÂN", "HĐND"))
_warned_no_font = False


class StampError(Exception):
    """The PDF could not be stamped (unreadable, no first page, encrypted...)."""


@dataclass(frozen=True)
class ArrivalStamp:
    agency: str
    number: int | str
    day: date
    forwarded_to: str = ""


def agency_line(name: str) -> str:
    """The agency's name in upper case, shortened when long (UBND, HĐND; then cut with …)."""
    shown = " ".join(name.split()).upper()
    if len(shown) > NAME_CHARS:
        for long, short in _SHORT_FORMS:
            shown = shown.replace(long, short)
    return shown if len(shown) <= NAME_CHARS + 8 else shown[:NAME_CHARS + 7].rstrip() + "…"


def stamp_lines(stamp: ArrivalStamp) -> list[str]:
    return [agency_line(stamp.agency), f"ĐẾN   Số: {stamp.number}", f"Ngày: {stamp.day.strftime('%d/%m/%Y')}",
            f"Chuyển: {' '.join(stamp.forwarded_to.split())}".rstrip(), "Số và ký hiệu HS: ……"]


def find_font(configured: str | Path | None = None, candidates: Sequence[Path] = FONT_CANDIDATES) -> Path | None:
    """The TrueType font to draw with: the configured one if it exists, else the first installed candidate."""
    for path in ([Path(configured)] if configured else []) + list(candidates):
        if path.is_file():
            return path
    if configured:
        log.warning("stamp_font %s does not exist", configured)
    return None


@lru_cache(maxsize=4)
def _stamp_glyphs(font: Path) -> bytes:
    """The font cut down once to the letters a stamp can hold (Latin with the Vietnamese letters, punctuation)
    and without its layout tables: each stamp then loads and subsets 90 kB instead of the whole font (DejaVu Sans:
    0.3 s a stamp → 0.05 s)."""
    options = subset.Options(layout_closure=False)
    options.drop_tables += ["GPOS", "GSUB", "GDEF"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    cutter = subset.Subsetter(options=options)
    cutter.populate(unicodes=[*range(0x20, 0x250), *range(0x300, 0x324), *range(0x1E00, 0x1F00),
                              *range(0x2000, 0x2070), 0x20AB])
    with ttLib.TTFont(str(font)) as tt:
        cutter.subset(tt)
        out = io.BytesIO()
        tt.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class _StampFont(FontEngineFactory):
    """pyHanko's glyph accumulator (HarfBuzz shaping, embedded subset with a ToUnicode map) on the cut-down font."""

    glyphs: bytes

    def create_font_engine(self, writer: BasePdfFileWriter, obj_stream: ObjectStream | None = None) -> FontEngine:
        if obj_stream is None and writer.stream_xrefs:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(writer=writer, font_handle=io.BytesIO(self.glyphs), font_size=FONT_SIZE,
                                obj_stream=obj_stream)


def _font_factory(font: Path | None) -> tuple[FontEngineFactory, bool]:
    global _warned_no_font
    if font is not None:
        try:
            return _StampFont(_stamp_glyphs(font)), True
        except Exception as error:  # a damaged font file: draw without it
            log.warning("Cannot use %s for the ĐẾN stamp: %s", font, error)
    if not _warned_no_font:
        _warned_no_font = True
        log.warning("No TrueType font for the ĐẾN stamp (set [documents] stamp_font): text without diacritics")
    return SimpleFontEngineFactory.default_factory(), False


def stamp_pdf(pdf: bytes, stamp: ArrivalStamp, *, font: Path | None) -> bytes:
    """``pdf`` followed by an incremental update drawing the ĐẾN stamp on its first page; raise StampError."""
    factory, unicode_ok = _font_factory(font)
    lines = stamp_lines(stamp)
    if not unicode_ok:
        lines = [plain_letters(line.replace("…", "...")) for line in lines]
    style = TextStampStyle(
        stamp_text="%(stamp)s", border_width=1,
        text_box_style=TextBoxStyle(font=factory, font_size=FONT_SIZE, leading=LEADING,
                                    box_layout_rule=layout.SimpleBoxLayoutRule(
                                        x_align=layout.AxisAlignment.ALIGN_MIN,
                                        y_align=layout.AxisAlignment.ALIGN_MID,
                                        margins=layout.Margins.uniform(0))),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN, y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(4)))
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        if writer.prev.encrypted:
            raise StampError("the PDF is encrypted")
        page = writer.root["/Pages"]["/Kids"][0].get_object()
        while page.get("/Type") == "/Pages":
            page = page["/Kids"][0].get_object()
        x0, y0, x1, y1 = (float(v) for v in _inherited(page, "/MediaBox"))
        left, top = min(x0, x1), max(y0, y1)
        box = layout.BoxConstraints(width=WIDTH, height=HEIGHT)
        TextStamp(writer, style, text_params={"stamp": "\n".join(lines)}, box=box).apply(
            0, left + LEFT, top - TOP - HEIGHT)
        out = io.BytesIO()
        writer.write(out)
    except StampError:
        raise
    except Exception as error:  # pyHanko raises many kinds on a damaged file; the caller keeps the original
        raise StampError(f"{type(error).__name__}: {error}") from None
    return out.getvalue()


def _inherited(page: object, key: str) -> list[object]:
    node = page
    while node is not None:
        value = node.get(key)  # type: ignore[attr-defined]
        if value is not None:
            return list(value)
        parent = node.get("/Parent")  # type: ignore[attr-defined]
        node = parent.get_object() if parent is not None else None
    raise StampError(f"the first page has no {key}")
