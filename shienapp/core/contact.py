"""Phone numbers, postal codes and e-mail as people write them: kept as typed, checked, and
normalised only for comparison and search (0120-000-123, ０１２０（０００）１２３ and 0120000123
are one number)."""

from __future__ import annotations

import re
import unicodedata

_PHONE_CHARS_RE = re.compile(r"^[0-9\-‐－ー()（）\s+]+$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def digits(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isdigit())


def phone_problem(text: str) -> str | None:
    """None when ``text`` is empty or a plausible Japanese number (10 or 11 digits from 0)."""
    raw = unicodedata.normalize("NFKC", text).strip()
    if not raw:
        return None
    if not _PHONE_CHARS_RE.match(raw):
        return f"電話番号「{text}」に数字と - ( ) 以外の文字があります。"
    number = digits(raw)
    if not number.startswith("0") or len(number) not in (10, 11):
        return f"電話番号「{text}」は 0 から始まる10桁か11桁にしてください。"
    return None


def postal_code_problem(text: str) -> str | None:
    raw = unicodedata.normalize("NFKC", text).strip().removeprefix("〒").strip()
    if not raw:
        return None
    if not re.fullmatch(r"\d{3}-?\d{4}", raw):
        return f"郵便番号「{text}」は 123-4567 の形（7桁）にしてください。"
    return None


def normal_postal_code(text: str) -> str:
    """〒１２３４５６７ → 123-4567 (for printing); empty stays empty."""
    number = digits(text)
    return f"{number[:3]}-{number[3:]}" if len(number) == 7 else text.strip()


def email_problem(text: str) -> str | None:
    raw = text.strip()
    if raw and not _EMAIL_RE.match(unicodedata.normalize("NFKC", raw)):
        return f"メールアドレス「{text}」の形が正しくありません。"
    return None
