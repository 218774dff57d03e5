"""The holder's code (我的积分码): what an outlet scans or types to redeem points.

``DY<account id>-<8 characters>``: the characters are an HMAC (the project's SECRET_KEY) of the
account, its code version and the current 5-minute window, so a code works for 5 to 10 minutes
and cannot be made up from the account number. The holder's phone page shows it as a QR code
and as text; resetting the code (a lost phone) bumps the version and kills every old code.
"""

import base64
import re
import time
from dataclasses import dataclass

from django.utils.crypto import constant_time_compare, salted_hmac

WINDOW_S = 300
SALT = "chuangwen.volunteers.moral.holder_code"
_CODE = re.compile(r"^DY(\d{1,12})-([A-Z2-7]{8})$")


@dataclass(frozen=True)
class ParsedCode:
    account_id: int
    mac: str


def _mac(account_id: int, version: int, window: int) -> str:
    digest = salted_hmac(SALT, f"{account_id}:{version}:{window}", algorithm="sha256").digest()
    return base64.b32encode(digest)[:8].decode()


def make_code(account_id: int, version: int, now: float | None = None) -> str:
    window = int((time.time() if now is None else now) // WINDOW_S)
    return f"DY{account_id}-{_mac(account_id, version, window)}"


def valid_until(now: float | None = None) -> float:
    """When a code made now stops working (the end of the next window)."""
    window = int((time.time() if now is None else now) // WINDOW_S)
    return (window + 2) * WINDOW_S


def parse_code(raw: str) -> ParsedCode | None:
    """The account id and MAC of a typed or scanned code (spaces, case and the usual typing
    slips forgiven), or ``None`` when it is no code at all."""
    text = re.sub(r"\s", "", raw or "").upper().replace("—", "-").replace("－", "-")
    m = _CODE.match(text)
    if m is None:
        return None
    return ParsedCode(int(m.group(1)), m.group(2))


def check_code(parsed: ParsedCode, version: int, now: float | None = None) -> bool:
    """The code is the account's, of its current version, made in this window or the last."""
    window = int((time.time() if now is None else now) // WINDOW_S)
    return any(
        constant_time_compare(parsed.mac, _mac(parsed.account_id, version, w))
        for w in (window, window - 1)
    )
