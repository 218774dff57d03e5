"""Small text helpers shared by every app."""

import re

_PHONE = re.compile(r"^(\+?86)?1\d{10}$")

# full-width digits and the signs written around numbers (１３８－００１３, （０７３１）, ＋８６)
_HALF_WIDTH = str.maketrans(
    {**{chr(0xFF10 + i): str(i) for i in range(10)}, "＋": "+", "－": "-", "（": "(", "）": ")"}
    | {"\u3000": " ", "Ｘ": "X", "ｘ": "x"}
)
_SEP = r"[ \t\-\u00a0]?"  # one optional separator between digit groups
# an 18-digit resident ID card (last character may be X), optionally written 6-8-4
_ID_CARD = re.compile(rf"(?<![0-9A-Za-z])\d{{6}}{_SEP}\d{{8}}{_SEP}\d{{3}}[\dXx](?![0-9A-Za-z])")
# a mobile number, optionally with +86 / 86 / 0086, in groups of 3-4-4 or any spacing
_MOBILE = re.compile(rf"(?<![\d+])(?:(?:\+|00)?86{_SEP})?1[3-9]\d(?:{_SEP}\d){{8}}(?!\d)")
# a landline: area code 0xx(x) (bare, or in brackets) then 7-8 digits, optionally grouped
_LANDLINE = re.compile(
    rf"(?<![\d])(?:\(0\d{{2,3}}\)|0\d{{2,3}}){_SEP}[2-9]\d{{2,3}}{_SEP}\d{{4}}(?!\d)"
)


def mask_phone(phone: str) -> str:
    """138****5678 — citizens' and staff phone numbers are masked where not needed (PIPL)."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def _mask_mobile(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return mask_phone(digits[-11:])


def _mask_id_card(match: re.Match[str]) -> str:
    chars = re.sub(r"[^0-9Xx]", "", match.group(0))
    return chars[:3] + "*" * (len(chars) - 7) + chars[-4:]


def public_text(text: str) -> str:
    """Free text as it may be shown to the public: every mobile number (138 0013 8000,
    138-0013-8000, +86 138…, full-width digits), 18-digit ID card number (with X) and landline
    (0731-8888 8888, (0731)88888888) in it masked (PIPL). Full-width digits come out half-width."""
    text = (text or "").translate(_HALF_WIDTH)
    text = _ID_CARD.sub(_mask_id_card, text)
    text = _MOBILE.sub(_mask_mobile, text)
    return _LANDLINE.sub(lambda m: mask_phone(m.group(0)), text)


def mask_name(name: str) -> str:
    """张*明 / 李* — keep the surname and the last character."""
    if not name:
        return ""
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def is_mobile(phone: str) -> bool:
    return bool(_PHONE.match(re.sub(r"[\s-]", "", phone or "")))
