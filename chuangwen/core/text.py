"""Small text helpers shared by every app."""

import re

_PHONE = re.compile(r"^(\+?86)?1\d{10}$")


def mask_phone(phone: str) -> str:
    """138****5678 — citizens' and staff phone numbers are masked where not needed (PIPL)."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_name(name: str) -> str:
    """张*明 / 李* — keep the surname and the last character."""
    if not name:
        return ""
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def is_mobile(phone: str) -> bool:
    return bool(_PHONE.match(re.sub(r"[\s-]", "", phone or "")))
