"""Search folding, 五十音順 and readings, as a Japanese office expects them."""

from __future__ import annotations

import pytest

from shienapp.core.text import (
    clean_text,
    fold,
    is_reading,
    matches,
    reading_sort_key,
    search_terms,
    to_hiragana,
)

# --- folding ----------------------------------------------------------------------------------


def test_half_width_katakana_hiragana_and_katakana_fold_alike() -> None:
    assert fold("ｻｻｴｱｲ") == "ささえあい"
    assert fold("ささえあい") == "ささえあい"
    assert fold("ササエアイ") == "ささえあい"


def test_voiced_half_width_katakana_folds_to_one_character() -> None:
    # ｶﾞ is two half-width code points; NFKC joins them before the kana fold.
    assert fold("ｶﾞｯｺｳ") == "がっこう"
    assert fold("ﾊﾟﾝ") == "ぱん"
    assert fold("ｳﾞｧｲｵﾘﾝ") == "ゔぁいおりん"


def test_full_width_digits_and_letters_fold_to_ascii_lower_case() -> None:
    assert fold("８") == fold("8") == "8"
    assert fold("ＡＢＣ") == fold("abc") == fold("ABC") == "abc"
    assert fold("第２層") == "第2層"


def test_spaces_are_unified_and_trimmed() -> None:
    assert fold("　やまだ　　たろう　") == "やまだ たろう"
    assert fold("やまだ\tたろう") == "やまだ たろう"
    assert fold(None) == ""
    assert fold("") == ""


def test_kanji_are_kept_as_typed() -> None:
    # NFKC does not merge variant kanji: 髙 and 高 are different names.
    assert fold("髙田") == "髙田"
    assert fold("髙田") != fold("高田")


def test_to_hiragana_keeps_the_long_vowel_mark() -> None:
    assert to_hiragana("ケーキ") == "けーき"
    assert to_hiragana("ヵヶ") == "かけ"


def test_search_terms_split_and_fold() -> None:
    assert search_terms("ｻｻｴｱｲ　カフェ") == ["ささえあい", "かふぇ"]
    assert search_terms("  ") == []
    assert search_terms(None) == []


def test_matches_requires_every_term() -> None:
    keys = (fold("団地カフェ たんぽぽ"), fold("ダンチカフェ"), fold("北ブロック"))
    assert matches(search_terms("たんぽぽ"), *keys)
    assert matches(search_terms("ﾀﾝﾎﾟﾎﾟ 北"), *keys)
    assert matches(search_terms("カフェ　北"), *keys)
    assert not matches(search_terms("たんぽぽ 南"), *keys)
    assert not matches(search_terms("あかり"), *keys)
    assert matches([], *keys)  # no query shows everything


def test_a_term_does_not_match_across_two_keys() -> None:
    # "北" ends one key and "ぶろ" starts the next: joined keys must not make up a match.
    assert not matches(search_terms("北ぶろ"), fold("南北"), fold("ぶろっく"))


# --- 五十音順 ---------------------------------------------------------------------------------


def sort_readings(readings: list[str]) -> list[str]:
    return sorted(readings, key=reading_sort_key)


def test_dakuten_is_set_aside_at_the_first_level() -> None:
    # By code point が (U+304C) comes after か and before き, which would put かがみ after かき
    # only by luck; the rule is かかみ < かき.
    assert sort_readings(["かき", "かがみ"]) == ["かがみ", "かき"]
    assert sort_readings(["ひ", "ぱぱ", "ばば", "はは"]) == ["はは", "ばば", "ぱぱ", "ひ"]
    # Code point order would be きつね, きづく; 五十音順 reads きづく as きつく.
    assert sort_readings(["きつね", "きづく"]) == ["きづく", "きつね"]


def test_small_kana_sort_as_their_large_forms() -> None:
    # Code point order: きっと (っ U+3063) < きつね (つ U+3064) < きづく (づ U+3065).
    assert sort_readings(["きつね", "きっと", "きづく"]) == ["きづく", "きっと", "きつね"]
    assert sort_readings(["きよ", "きゅう", "きやく", "きゃく"]) == [
        "きゃく",
        "きやく",
        "きゅう",
        "きよ",
    ]


def test_long_vowel_mark_reads_as_the_vowel_before_it() -> None:
    # ケーキ is read けえき: after けいと, before けさ (ー is U+30FC, after every hiragana).
    assert sort_readings(["けさ", "ケーキ", "けいと"]) == ["けいと", "ケーキ", "けさ"]
    # カード is read かあど: before かい.
    assert sort_readings(["かい", "カード"]) == ["カード", "かい"]
    # After a small kana the vowel is the small kana's: きゃー is read きやあ, before きゃく.
    assert sort_readings(["きゃく", "きゃー"]) == ["きゃー", "きゃく"]
    assert sort_readings(["しよか", "しょーと"]) == ["しょーと", "しよか"]


def test_katakana_half_width_and_hiragana_sort_together() -> None:
    readings = ["ササキ", "ｻｸﾗ", "さかな", "サクラダ", "あおき", "ｱｵﾔﾏ", "わだ", "ン"]
    assert sort_readings(readings) == [
        "あおき",
        "ｱｵﾔﾏ",
        "さかな",
        "ｻｸﾗ",
        "サクラダ",
        "ササキ",
        "わだ",
        "ン",
    ]


def test_a_full_registry_sorts_in_gojuon_order() -> None:
    entries = [
        ("ひの", "日野"),
        ("ババ", "馬場"),
        ("ﾊﾊ", "羽場"),
        ("ぱぱ", "波々"),
        ("かき", "柿"),
        ("カガミ", "鏡"),
        ("", "ＺＺ団地"),
        ("けいと", "毛糸"),
        ("ケーキ", "ケーキ坂"),
        ("けさ", "今朝"),
        ("", "Ａ団地"),
        ("あいざわ", "相沢"),
    ]
    ordered = sorted(entries, key=lambda e: reading_sort_key(e[0], e[1]))
    assert [name for _, name in ordered] == [
        "相沢",
        "鏡",
        "柿",
        "毛糸",
        "ケーキ坂",
        "今朝",
        "羽場",
        "馬場",
        "波々",
        "日野",
        # No reading: after every kana reading, by folded name.
        "Ａ団地",
        "ＺＺ団地",
    ]


def test_equal_readings_keep_a_fixed_order_by_name() -> None:
    entries = [("たかだ", "髙田"), ("たかだ", "高田"), ("タカダ", "鷹田")]
    ordered = sorted(entries, key=lambda e: reading_sort_key(e[0], e[1]))
    # Equal first level; second level: たかだ (hiragana) = タカダ folded; third: the name.
    assert [name for _, name in ordered] == ["高田", "髙田", "鷹田"]


def test_sort_key_shape() -> None:
    assert reading_sort_key("ケーキ", "ケーキ坂") == ("けえき", "けーき", "ケーキ坂")
    assert reading_sort_key("ガッコウ") == ("かつこう", "がっこう", "")
    assert reading_sort_key(None, "髙田") == ("\uffff髙田", "髙田", "髙田")
    assert reading_sort_key("  ", "Ａ団地") == ("\uffffa団地", "a団地", "Ａ団地")
    assert reading_sort_key(None, None) == ("\uffff", "", "")


# --- readings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reading",
    [
        "ひらがな",
        "カタカナ",
        "ｶﾀｶﾅ",
        "ｶﾞｯｺｳ",
        "やまだ たろう",
        "やまだ　たろう",
        "ケーキ",
        "ｹｰｷ",
        "ヴァイオリン・ケース",
        "ｳﾞｧｲｵﾘﾝ･ｹｰｽ",
        "ヶ",
        "  すずき  ",
    ],
)
def test_is_reading_accepts_kana(reading: str) -> None:
    assert is_reading(reading)


@pytest.mark.parametrize(
    "text",
    ["", " ", "　", "山田", "やまだ太郎", "yamada", "ＹＡＭＡＤＡ", "やまだ1", "さとう々", "A地区"],
)
def test_is_reading_refuses_anything_else(text: str) -> None:
    assert not is_reading(text)


def test_clean_text_trims_without_folding() -> None:
    assert clean_text("  ｻｻｴｱｲ ") == "ｻｻｴｱｲ"
    assert clean_text(None) == ""
    assert clean_text(12) == "12"
