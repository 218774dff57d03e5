"""Shared base models, the audit trail, API tokens, in-app notifications and background jobs."""

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import ACTIVE_JOB_STATUSES, JobStatus

# a ranking's order: first place first, the unranked (too few samples, vetoed) last on every
# database (SQLite sorts NULL first, PostgreSQL last)
BY_RANK = models.F("rank").asc(nulls_last=True)


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class CityOwned(TimeStamped):
    """Every city-owned row carries its city, so a city can move to its own database."""

    city = models.ForeignKey("org.City", on_delete=models.PROTECT, verbose_name=_("城市"))

    class Meta:
        abstract = True


class AppendOnly(models.Model):
    """A row written once (an event log, a ledger): saving it again or deleting it raises."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError(f"{type(self).__name__} is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"{type(self).__name__} is append-only")


class StoredPhoto(TimeStamped):
    """A photo checked by ``cases.photos.check_photo``, kept as two files: ``original``, the
    upload as evidence, and ``public``, the re-encoded copy without EXIF that is shown. Each
    subclass declares both file fields (under its own folder) and what else it records."""

    original: Any
    public: Any

    class Meta:
        abstract = True

    def store(self, checked: Any) -> None:
        """Save the row with the two files of ``checked`` (a ``CheckedPhoto``)."""
        self.original.save(checked.original.name or "photo.jpg", checked.original, save=False)
        self.public.save(checked.public.name or "photo.jpg", checked.public, save=False)
        self.save()


class AuditEvent(models.Model):
    """Append-only audit trail: who, when, what, before/after, with a stable event code."""

    city = models.ForeignKey(
        "org.City", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("城市")
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作人"),
    )
    code = models.CharField(_("事件代码"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True, db_index=True)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        indexes = [models.Index(fields=["city", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.code} {self.object_type}#{self.object_id}"


class SecretHolder(TimeStamped):
    """Holds a bearer secret (API token, Open311 key): the raw value is shown once, only its
    SHA-256 is stored."""

    SECRET_PREFIX = ""

    digest = models.CharField(max_length=64, unique=True, editable=False)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        abstract = True

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def generate(cls) -> str:
        return cls.SECRET_PREFIX + secrets.token_urlsafe(32)


class ApiToken(SecretHolder):
    """A bearer token for a device or an external system. It works until it expires or is
    revoked, and only while its user may log in (see ``api.auth.TokenAuth``)."""

    SECRET_PREFIX = "cw_"
    SHOWN_PREFIX = 10  # characters of the raw token kept to recognise it ("cw_" + 7)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(_("令牌前缀"), max_length=12, blank=True, db_index=True)
    expires_at = models.DateTimeField(_("到期时间"))

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired


class PasswordHistory(models.Model):
    """The hashes of a user's recent passwords, newest last: a new password may not repeat
    them, and an API token issued before the newest row no longer works. Written by
    ``core.passwords.PasswordHistoryValidator.password_changed`` (Django calls it on every
    saved ``set_password``; not on the silent re-hash at login)."""

    KEEP = 5

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")

    def __str__(self) -> str:
        return f"{self.user_id}@{self.created_at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """An in-app message to a user, from any app (``topic``), leading to ``url``. Written on
    commit by ``core.services.notify``; the navbar badge counts the unread ones."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("接收人"),
    )
    topic = models.CharField(_("来源"), max_length=20)
    text = models.CharField(_("内容"), max_length=300)
    url = models.CharField(_("链接"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.text


class Job(CityOwned):
    """A long operation run in the background (Celery), visible to the user as a row: status,
    progress, result or error. Submitted with ``core.jobs.submit_job``; ``kind`` names the
    handler registered with ``core.jobs.register_job``."""

    kind = models.CharField(_("任务类型"), max_length=60)
    title = models.CharField(_("任务名称"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    params = models.JSONField(_("参数"), default=dict, blank=True)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)
    file = models.FileField(_("结果文件"), upload_to="jobs/%Y/%m/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("提交人"),
    )
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        indexes = [models.Index(fields=["city", "-id"], name="job_city_newest")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        """Queued or running: its page keeps polling."""
        return self.status in ACTIVE_JOB_STATUSES

    @property
    def percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0


class IdempotentRequest(models.Model):
    """A POST sent with an ``Idempotency-Key`` header, stored in the same transaction as what it
    wrote, with the answer it got: a retry of a request that did commit (its answer lost to a
    dropped connection, a timeout, a database restart) gets that answer again instead of
    writing twice. ``sender`` is a digest of the credential, so keys of different clients never
    meet."""

    sender = models.CharField(_("发送方"), max_length=80)
    key = models.CharField(_("幂等键"), max_length=100)
    fingerprint = models.CharField(_("请求摘要"), max_length=64)
    status = models.PositiveSmallIntegerField(_("状态码"), default=0)
    content_type = models.CharField(_("内容类型"), max_length=100, blank=True)
    body = models.TextField(_("应答"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("幂等请求")
        verbose_name_plural = _("幂等请求")
        constraints = [
            models.UniqueConstraint(fields=["sender", "key"], name="idempotent_request_unique")
        ]

    def __str__(self) -> str:
        return f"{self.sender[:12]}:{self.key}"


class FormSubmission(models.Model):
    """One submitted public form, keyed by the one-time token it was rendered with: a second
    submit of the same form (a double tap, a resend after a timeout) finds the first result
    here instead of filing again. See ``chuangwen.core.submissions``."""

    nonce = models.CharField(max_length=32, unique=True)
    purpose = models.CharField(_("表单"), max_length=50)
    result = models.CharField(_("结果"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("表单提交")
        verbose_name_plural = _("表单提交")

    def __str__(self) -> str:
        return f"{self.purpose} {self.result}"
