"""Japanese text: search folding, 五十音順 sort keys, and reading validation.

Names are stored exactly as typed (髙, 﨑, ｶﾀｶﾅ stay); only the keys made here are normalised.
"""

from __future__ import annotations

import re
import unicodedata

_KATA_START, _KATA_END = 0x30A1, 0x30F6  # ァ … ヶ
_KATA_TO_HIRA = {cp: cp - 0x60 for cp in range(_KATA_START, _KATA_END + 1)}
# ヵ ヶ have hiragana forms (ゕ ゖ) that nobody types; fold them to か け.
_KATA_TO_HIRA[0x30F5] = ord("か")
_KATA_TO_HIRA[0x30F6] = ord("け")
_KATA_TO_HIRA[0x30F7] = ord("わ")  # ヷ
_KATA_TO_HIRA[0x30FA] = ord("を")  # ヺ

_SPACE_RE = re.compile(r"\s+")


def to_hiragana(text: str) -> str:
    return text.translate(_KATA_TO_HIRA)


def fold(text: str | None) -> str:
    """The search key: NFKC (full/half width), katakana → hiragana, case folded, spaces unified.

    So 'ｻｻｴｱｲ', 'ささえあい' and 'ササエアイ' give the same key, and '８' matches '8'.
    """
    if not text:
        return ""
    folded = to_hiragana(unicodedata.normalize("NFKC", text)).casefold()
    return _SPACE_RE.sub(" ", folded).strip()


def search_terms(query: str | None) -> list[str]:
    """A query split into folded terms; every term must match."""
    return [t for t in fold(query).split(" ") if t]


def matches(terms: list[str], *keys: str) -> bool:
    """True when every term occurs in one of the already folded keys."""
    if not terms:
        return True
    haystack = "\x00".join(keys)
    return all(term in haystack for term in terms)


# --- 五十音順 ---------------------------------------------------------------------------------

_SMALL_TO_LARGE = str.maketrans("ぁぃぅぇぉっゃゅょゎゕゖ", "あいうえおつやゆよわかけ")
_VOWEL_OF: dict[str, str] = {}
for _vowel, _row in {
    "あ": "あかさたなはまやらわがざだばぱぁゃゎ",
    "い": "いきしちにひみりぎじぢびぴぃ",
    "う": "うくすつぬふむゆるぐずづぶぷぅっゅゔ",
    "え": "えけせてねへめれげぜでべぺぇ",
    "お": "おこそとのほもよろをごぞどぼぽぉょ",
}.items():
    for _ch in _row:
        _VOWEL_OF[_ch] = _vowel


def _strip_voicing(ch: str) -> str:
    decomposed = unicodedata.normalize("NFD", ch)
    return decomposed[0]


def reading_sort_key(reading: str | None, name: str | None = None) -> tuple[str, str, str]:
    """A key that sorts readings in 五十音順 as a Japanese dictionary does.

    First level: the reading in hiragana with dakuten, handakuten and small kana set aside and
    the long-vowel mark read as the vowel before it (so かがみ sorts before かき, as it should).
    Second level: the reading as folded. Third: the name, so equal readings keep a fixed order.
    Entries with no reading fall back to their name and sort after all kana.
    """
    base = fold(reading) if reading else ""
    if not base:
        fallback = fold(name)
        return ("\uffff" + fallback, fallback, name or "")
    primary: list[str] = []
    for ch in base:
        if ch == "ー" and primary:
            ch = _VOWEL_OF.get(primary[-1], ch)
        plain = _strip_voicing(ch).translate(_SMALL_TO_LARGE)
        primary.append(plain)
    return ("".join(primary), base, name or "")


_READING_ALLOWED_RE = re.compile(
    r"^[\u3041-\u3096\u30a1-\u30fa\u30fc\u30fb\u309b\u309c\u3000 ・ー]+$"
)


def is_reading(text: str) -> bool:
    """A reading (フリガナ) is kana only: hiragana, katakana (any width), spaces, ー and ・."""
    normalized = unicodedata.normalize("NFKC", text).strip()
    return bool(normalized) and bool(_READING_ALLOWED_RE.match(normalized))


def clean_text(value: object) -> str:
    """Trim a cell or field as typed, without changing its characters."""
    if value is None:
        return ""
    return str(value).strip()
