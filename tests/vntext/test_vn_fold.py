"""The search fold."""

import random
import unicodedata

from congvu.vntext.fold import fold


def test_fold_example() -> None:
    assert fold("Công Văn ĐẾN") == "cong van den"


def test_fold_d_with_stroke_and_capitals() -> None:
    assert fold("Đồng Nai") == "dong nai"
    assert fold("đường Điện Biên Phủ") == "duong dien bien phu"
    assert fold("ĐÔN ĐỐC") == "don doc"
    assert fold("\u00d0ồng \u00f0ông") == "dong dong"


def test_fold_all_vowel_letters() -> None:
    assert fold("ă â ê ô ơ ư Ă Â Ê Ô Ơ Ư") == "a a e o o u a a e o o u"
    assert fold("Ắ Ấ Ố Ớ Ứ ặ ậ ệ ộ ợ ự ỵ") == "a a o o u a a e o o u y"


def test_fold_makes_tone_placement_irrelevant() -> None:
    assert fold("hòa") == fold("hoà") == "hoa"
    assert fold("Thủy") == fold("Thuỷ") == "thuy"
    assert fold("Ủy ban") == fold("Uỷ ban") == "uy ban"
    assert fold("Hỏa tốc") == fold("Hoả tốc")


def test_fold_nfd_input_and_whitespace() -> None:
    assert fold(unicodedata.normalize("NFD", "  Nguyễn\tThị \n Hường ")) == "nguyen thi huong"


def test_fold_of_long_text_is_the_fold_of_each_word() -> None:
    # Long text (a message body) is folded word by word; the result must not differ from folding it whole.
    words = ["Kính", "gửi", "ĐẾN", "hoà", "Hòa", "ﬁle", "Straße", "İstanbul", "x\u0301", "\u0323", "Ωμέγα", "—", "ỹ"]
    text = "\n".join(" \t".join(words[(i * 7 + j) % len(words)] for j in range(9)) for i in range(200))
    assert len(text) > 4096
    expected = " ".join(filter(None, (fold(word) for word in text.split())))
    assert fold(text) == expected
    assert fold(unicodedata.normalize("NFD", text)) == expected
    assert fold(text + "\x00") == " ".join(filter(None, (fold(w) for w in (text + "\x00").split())))


def test_fold_of_long_text_by_whole_string_passes_equals_the_general_fold() -> None:
    # Long text that folds to ASCII takes whole-string passes (NFD, then every combining mark dropped at once);
    # other text the general way. Both must give what folding character by character gives.
    from congvu.vntext.fold import _slow_fold

    rng = random.Random(20261207)
    latin = [*"aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯĐỄỹ", "\u0323", "\u0301", "\u0300", "\u0303", "\u0309",
             *" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f", "\r\n", "  ", "ß", "ﬁ", "İ", "é", "\u0345", "\u00f0", "\u00d0"]
    other = [*latin, "Ω", "—", "\u034f", "中", "\u00a0", "\u2003"]
    for i in range(300):
        alphabet = latin if i % 2 else other
        # Past 8,192 characters the text is folded in pieces cut at spaces: some have spaces only far apart.
        length = rng.randint(4096, 6000) if i % 5 else rng.randint(8192, 40000)
        if i % 10 == 5:
            alphabet = [ch for ch in alphabet if ch not in (" ", "  ")]
        text = "".join(rng.choice(alphabet) for _ in range(length))
        if i % 3 == 0:
            text = unicodedata.normalize("NFD", text)
        assert fold(text) == _slow_fold(text)
