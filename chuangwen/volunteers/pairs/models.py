"""六联 activities recorded against a 结对共建 pair, their photos, and the city's setting of
when a pair counts as inactive."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from chuangwen.core.models import CityOwned, StoredPhoto
from chuangwen.org.choices import Mechanism

DEFAULT_INACTIVE_MONTHS = 3
MAX_PARTICIPANTS = 100_000


class PairActivity(CityOwned):
    """One 六联 activity of a pair: which of the six, when, how many took part, what came of it."""

    pair = models.ForeignKey(
        "org.Pair",
        on_delete=models.PROTECT,
        related_name="liulian_activities",
        verbose_name=_("结对共建"),
    )
    kind = models.CharField(_("六联类别"), max_length=20, choices=Mechanism.choices)
    held_on = models.DateField(_("活动日期"))
    title = models.CharField(_("活动名称"), max_length=200)
    participants = models.PositiveIntegerField(
        _("参与人数"), validators=[MinValueValidator(1), MaxValueValidator(MAX_PARTICIPANTS)]
    )
    result = models.TextField(_("活动成效"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("记录人"),
    )

    class Meta:
        verbose_name = _("六联活动")
        verbose_name_plural = _("六联活动")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["pair", "-held_on"], name="pairactivity_pair_day")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_kind_display()} {self.title}"


def _photo_path(instance: "PairActivityPhoto", filename: str) -> str:
    return f"pairs/{instance.activity_id}/{filename}"


class PairActivityPhoto(StoredPhoto):
    """A photo of an activity: the original kept as evidence, a re-encoded copy shown."""

    activity = models.ForeignKey(PairActivity, on_delete=models.CASCADE, related_name="photos")
    original = models.FileField(_("原图"), upload_to=_photo_path, max_length=200)
    public = models.FileField(_("展示图"), upload_to=_photo_path, max_length=200)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("六联活动照片")
        verbose_name_plural = _("六联活动照片")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.activity_id}#{self.pk}"


class PairSettings(CityOwned):
    """The city's own setting: a running pair with no activity for this many months is flagged."""

    inactive_months = models.PositiveSmallIntegerField(
        _("多少个月无活动视为不活跃"),
        default=DEFAULT_INACTIVE_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )

    class Meta:
        verbose_name = _("结对共建设置")
        verbose_name_plural = _("结对共建设置")
        constraints = [models.UniqueConstraint(fields=["city"], name="pairsettings_one_per_city")]

    def __str__(self) -> str:
        return f"{self.city_id}: {self.inactive_months}"
