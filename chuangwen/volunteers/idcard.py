"""Resident ID card numbers (公民身份号码, GB 11643-1999): validation of the 18-character
number with its ISO 7064 MOD 11-2 check character, masking, and what the number says.

The number is 6 digits of the address code, 8 of the birth date (YYYYMMDD), 3 of the sequence
(odd for men, even for women) and the check character: the weighted sum of the first 17 digits
(weights 2^(17-i) mod 11) modulo 11 picks it from ``1 0 X 9 8 7 6 5 4 3 2``.
"""

import datetime as dt
import re

from django.utils.translation import gettext as _

from chuangwen.core.errors import InvalidInput

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"\d{17}[\dX]")
_HALF_WIDTH = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, "Ｘ": "X", "ｘ": "X"})


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def normalize_id_number(raw: str) -> str:
    """The number as stored: half-width, upper-case X, without spaces or dashes."""
    return re.sub(r"[\s\-]", "", (raw or "").translate(_HALF_WIDTH)).upper()


def validate_id_number(raw: str, today: dt.date | None = None) -> str:
    """The normalised number, or InvalidInput saying exactly what is wrong with it."""
    number = normalize_id_number(raw)
    if not number:
        raise InvalidInput(_("请填写身份证号码"), code="id_required")
    if not _SHAPE.fullmatch(number):
        raise InvalidInput(
            _("身份证号码应为 18 位：前 17 位是数字，最后一位是数字或 X"), code="bad_id_shape"
        )
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidInput(
            _("身份证号码第 7–14 位的出生日期「%s」不是有效日期") % number[6:14], code="bad_id_date"
        ) from None
    today = today or dt.date.today()
    if born > today or born.year < 1900:
        raise InvalidInput(
            _("身份证号码中的出生日期「%s」不合理") % born.isoformat(), code="bad_id_date"
        )
    expected = check_char(number[:17])
    if number[17] != expected:
        raise InvalidInput(
            _("身份证号码校验位错误：最后一位应为「%(e)s」，填写的是「%(g)s」，请核对号码")
            % {"e": expected, "g": number[17]},
            code="bad_id_check",
        )
    return number


def mask_id_number(number: str) -> str:
    """430***********123X — the first 3 and the last 4 characters."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def birth_date(number: str) -> dt.date:
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def gender(number: str) -> str:
    return "男" if int(number[16]) % 2 else "女"


def make_id_number(region: str, born: dt.date, sequence: int) -> str:
    """A well-formed number (check character computed) — for demo data and tests."""
    first17 = f"{region[:6]:0>6}{born:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_char(first17)
