"""Encryption at rest of personal identifiers (ID card numbers …) with Fernet (the
``cryptography`` package: AES-128-CBC + HMAC-SHA256, a timestamped, authenticated token).

Keys come from ``settings.FIELD_ENCRYPTION_KEYS`` (env ``FIELD_ENCRYPTION_KEYS``: URL-safe
base64 Fernet keys, comma-separated, newest first). The first key encrypts; every key decrypts,
so keys are rotated by putting a new one in front and re-encrypting at leisure. Without the
setting a key is derived from ``SECRET_KEY`` (embedded trials); production sets its own and
keeps it apart from the database backups.

``blind_index`` gives a keyed digest (HMAC-SHA256) of a value: equal values give equal digests,
so a unique constraint or a look-up works without storing or decrypting the plain value.
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .errors import ServiceError


class DecryptionFailed(ServiceError):
    code = "decryption_failed"
    status = 500
    default_message = _("无法解密：加密密钥已更换或数据已损坏，请联系系统管理员")


def _derived_key(purpose: str) -> bytes:
    digest = hashlib.sha256(f"chuangwen.{purpose}:{settings.SECRET_KEY}".encode()).digest()
    return base64.urlsafe_b64encode(digest)


def _keys() -> tuple[bytes, ...]:
    configured = getattr(settings, "FIELD_ENCRYPTION_KEYS", None) or []
    return tuple(k.encode() for k in configured) or (_derived_key("fernet"),)


@lru_cache(maxsize=4)
def _fernet(keys: tuple[bytes, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k) for k in keys])


def encrypt(plain: str) -> str:
    return _fernet(_keys()).encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(_keys()).decrypt(token.encode()).decode()
    except (InvalidToken, ValueError) as exc:
        raise DecryptionFailed() from exc


def blind_index(value: str, purpose: str) -> str:
    """A keyed SHA-256 digest of ``value`` for ``purpose`` (hex): look-ups without the plain
    value. Keyed by the newest encryption key, so a copy of the table alone cannot be matched
    against a list of guessed numbers."""
    key = hashlib.sha256(b"blind-index:" + _keys()[0] + purpose.encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
