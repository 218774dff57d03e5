"""One submission per rendered form: a double tap or a resend files once and shows the first
result again.

``issue(purpose)`` gives the token a form carries in a hidden field: a random nonce signed
with the purpose (no row is written when a form is merely shown). ``once(token, purpose,
make)`` checks the signature and age, claims the nonce by inserting its ``FormSubmission``
row and runs ``make()`` in the same transaction, storing its result (a tracking code). A second
submit with the same token cannot insert the row: on PostgreSQL its INSERT waits for the first
transaction and then meets the unique key, on SQLite the write lock queues it — either way it
reads the first result. If ``make()`` fails the row goes with the rolled-back transaction,
so the corrected form can be sent again with the same token.
"""

import secrets
from collections.abc import Callable
from datetime import timedelta

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .errors import InvalidInput
from .models import FormSubmission

MAX_AGE = timedelta(days=1)
STALE = _("表单已过期或无效，请刷新页面后重新填写提交")


def _signer(purpose: str) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"chuangwen.form.{purpose}")


def issue(purpose: str) -> str:
    """A fresh one-time token for a form of ``purpose`` (e.g. ``"cases.public_report"``)."""
    return _signer(purpose).sign(secrets.token_hex(16))


def _nonce(token: str, purpose: str) -> str:
    try:
        return _signer(purpose).unsign(token or "", max_age=MAX_AGE)
    except signing.BadSignature:
        raise InvalidInput(STALE, code="stale_form") from None


def result_of(token: str, purpose: str) -> str | None:
    """The result of the form already submitted with ``token``, ``None`` while it is unused.
    Raises InvalidInput for a missing, forged or expired token."""
    nonce = _nonce(token, purpose)
    return FormSubmission.objects.filter(nonce=nonce).values_list("result", flat=True).first()


def once(token: str, purpose: str, make: Callable[[], str]) -> tuple[str, bool]:
    """``(result, True)`` after running ``make()`` for a fresh token; ``(first result, False)``
    when the token was used already. Raises InvalidInput for a missing, forged or expired
    token, and whatever ``make()`` raises (then the token stays unused)."""
    nonce = _nonce(token, purpose)
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = FormSubmission.objects.create(nonce=nonce, purpose=purpose)
        except IntegrityError:
            first = FormSubmission.objects.filter(nonce=nonce).values_list("result", flat=True)
            return first[0], False
        result = make()
        row.result = result
        row.save(update_fields=["result"])
        # tokens older than MAX_AGE are refused by the signature check: their rows can go
        FormSubmission.objects.filter(created_at__lt=timezone.now() - 2 * MAX_AGE).delete()
    return result, True
