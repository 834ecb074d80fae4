"""The shape of a Vietnamese syllable: tones, letters and a well-formedness check.

A written Vietnamese syllable is *onset + rime + at most one tone mark* (Quốc ngữ orthography). The check here
is what legacy-encoding detection scores candidate decodings with (vn-text.md §1.8 step 3) and what decides
whether a word-initial ``ð`` is really ``đ``. It is deliberately a little generous (rare rimes pass) but
applies the spelling rules that separate real syllables from decoding garbage:

* ``c``/``g``/``ng`` never stand before ``e ê i y``; ``k``/``gh``/``ngh`` only stand there;
* ``q`` only appears as ``qu``;
* a syllable closed by ``c ch p t`` carries the sắc or nặng tone only;
* the letters are the 29 of the Vietnamese alphabet, with at most one of the five tone marks.

Tone order is the dictionary order of ICU's ``vi`` tailoring: ngang < huyền < hỏi < ngã < sắc < nặng.
"""

from __future__ import annotations

import unicodedata
from enum import IntEnum
from functools import lru_cache


class Tone(IntEnum):
    """The six tones, numbered in dictionary order (ICU ``vi``: ``&̀<<̉<<̃<<́<<̣``)."""

    NGANG = 0
    HUYEN = 1
    HOI = 2
    NGA = 3
    SAC = 4
    NANG = 5


TONE_MARKS: dict[str, Tone] = {
    "\u0300": Tone.HUYEN,  # combining grave
    "\u0309": Tone.HOI,  # combining hook above
    "\u0303": Tone.NGA,  # combining tilde
    "\u0301": Tone.SAC,  # combining acute
    "\u0323": Tone.NANG,  # combining dot below
}
MARK_OF_TONE: dict[Tone, str] = {tone: mark for mark, tone in TONE_MARKS.items()}

# The 29 letters (lowercase, toneless); f j w z occur only in loanwords and are not syllable letters.
VIETNAMESE_LETTERS = frozenset("aăâbcdđeêghiklmnoôơpqrstuưvxy")
VOWELS = frozenset("aăâeêioôơuưy")

_ONSETS = (
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
)
_RIME_LIST = """
    a ac ach ai am an ang anh ao ap at au ay
    ăc ăm ăn ăng ăp ăt
    âc âm ân âng âp ât âu ây
    e ec em en eng eo ep et
    ê êch êm ên ênh êp êt êu
    i ia ich im in inh ip it iu iêc iêm iên iêng iêp iêt iêu
    o oc oi om on ong op ot
    ô ôc ôi ôm ôn ông ôp ôt
    ơ ơi ơm ơn ơp ơt
    u ua uc ui um un ung up ut uôc uôi uôm uôn uông uôt
    ư ưa ưc ưi ưm ưn ưng ưt ưu ươc ươi ươm ươn ương ươp ươt ươu
    y yêm yên yêng yêt yêu
    oa oac oach oai oam oan oang oanh oao oap oat oay
    oăc oăm oăn oăng oăt
    oe oem oen oeo oet
    uân uâng uât uây
    uê uêch uên uênh
    uơ
    uy uya uych uyn uynh uyp uyt uyu uyên uyêt
"""
_RIMES = frozenset(_RIME_LIST.split())
# Left out on purpose: the loanword rimes oong/ooc (boong, soóc), which wrong decodings produce ("troòng").

# Very frequent syllables of administrative and everyday text. Legacy detection weighs them double: a wrong
# table can still yield valid but rare syllables (VISCII read as TCVN3 gives "vứ", "chẹc", "thỹ").
_COMMON_LIST = """
    của và các có được cho là trong với người này không những một đã về để theo năm đến ngày tháng
    tỉnh huyện xã sở ban ngành ủy uỷ nhân dân hội đồng quyết định công văn thông tư nghị báo cáo kế hoạch
    thực hiện triển khai đề chủ tịch phó giám đốc trưởng phòng cán bộ chức viên đơn vị cơ quan tổ quản lý
    nhà nước kinh tế hóa hoá giáo dục y tài chính nội vụ pháp thanh tra lao động thương binh nông nghiệp
    phát triển thôn giao vận tải xây dựng nguyên môi trường khoa học nghệ tin truyền du lịch thể thao mời
    họp dự tổng kết đánh giá quả nhiệm trọng tâm quý trước sau đây nhằm đảm bảo tiến độ chất lượng hiệu
    yêu cầu khẩn nghiêm túc đầy đủ đúng giờ trân kính gửi nơi nhận lưu như trên ký điện tử số chữ điều
    hành tác xử hồ sơ thủ tục cửa liên dịch trực tuyến cổng tiếp trả lời phản ánh kiến phố khu vực biên
    giới quốc phòng an ninh trật tự cộng hòa hoà việt nam độc lập do hạnh phúc tôi bạn anh chị em ông bà
    chúng ta họ mình gì sao nào đâu khi lúc thì mà nhưng nếu vì nên rất cũng đều chỉ còn lại ra vào lên
    xuống đi làm nói biết thấy muốn cần phải nhiều ít lớn nhỏ mới cũ tốt hơn nhất bằng từ tại qua bởi
    giữa dưới ngoài việc sự cuộc cách đó đấy kia ấy hai ba bốn sáu bảy tám chín mười trăm nghìn triệu
    tiền mua bán thị doanh hàng sản xuất đầu vốn ngân sách thu chi thuế phí đất ở đường sông núi biển
    miền bắc trung đông tây thành quận phường trấn làng căn cứ luật chương điều khoản mục
"""
COMMON_SYLLABLES = frozenset(_COMMON_LIST.split())
_STOP_CODAS = ("c", "ch", "p", "t")
_FRONT = frozenset("eêiy")


def split_tone(text: str) -> tuple[str, Tone, int]:
    """Split ``text`` into (NFC text without tone marks, its tone, how many tone marks it carried)."""
    decomposed = unicodedata.normalize("NFD", text)
    tone = Tone.NGANG
    count = 0
    kept = []
    for ch in decomposed:
        mark = TONE_MARKS.get(ch)
        if mark is None:
            kept.append(ch)
        else:
            count += 1
            if count == 1:
                tone = mark
    return unicodedata.normalize("NFC", "".join(kept)), tone, count


def _rime_ok(onset: str, rime: str, tone: Tone) -> bool:
    if rime not in _RIMES:
        return False
    if rime.endswith(_STOP_CODAS) and tone not in (Tone.SAC, Tone.NANG):
        return False
    front = rime[0] in _FRONT
    if onset in ("c", "g", "ng") and front:
        return False
    return not (onset in ("k", "gh", "ngh") and not front)


@lru_cache(maxsize=8192)
def is_syllable(word: str) -> bool:
    """True when ``word`` (any case, NFC or NFD) is a well-formed Vietnamese syllable."""
    bare, tone, marks = split_tone(word.lower())
    if marks > 1 or not bare or not set(bare) <= VIETNAMESE_LETTERS:
        return False
    for onset in _ONSETS:
        if not bare.startswith(onset):
            continue
        rest = bare[len(onset):]
        if onset == "qu":
            # The u of qu is the medial glide: quốc = qu + ôc, quỳnh = qu + (u)ynh.
            if rest and rest[0] not in "uo" and (_rime_ok("", rest, tone) or _rime_ok("", "u" + rest, tone)):
                return True
            continue
        if onset == "gi":
            # gi swallows the i of the rime: gì = gi + i, giếng = gi + iêng.
            if (rest and _rime_ok("", rest, tone)) or _rime_ok("", "i" + rest, tone):
                return True
            continue
        if rest and _rime_ok(onset, rest, tone):
            return True
    return False
