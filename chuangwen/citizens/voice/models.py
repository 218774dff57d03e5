"""Citizens' voice: suggestions (意见建议) with likes, hot topics, the category model versions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chuangwen.core.models import CityOwned
from chuangwen.core.text import mask_phone

MAX_TEXT = 2000


class SuggestionSource(models.TextChoices):
    PUBLIC = "public", _("公众页面")
    HOTLINE = "hotline", _("12345热线")
    SURVEY = "survey", _("问卷调查")
    OFFICE = "office", _("创建办录入")


class SuggestionStatus(models.TextChoices):
    NEW = "new", _("待处理")
    ADOPTED = "adopted", _("已采纳")
    REPLIED = "replied", _("已答复")
    ARCHIVED = "archived", _("已归档")


class TopicStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    DISCARDED = "discarded", _("已忽略")
    MERGED = "merged", _("已合并")


class Suggestion(CityOwned):
    """One suggestion from a citizen; the contact is stored for follow-up and shown masked."""

    number = models.CharField(_("编号"), max_length=20, editable=False)
    source = models.CharField(_("来源"), max_length=10, choices=SuggestionSource.choices)
    text = models.TextField(_("内容"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    person_key = models.CharField(max_length=64, blank=True, editable=False)  # who (hash)
    external_id = models.CharField(_("外部编号"), max_length=64, blank=True)
    submitted_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    status = models.CharField(
        _("状态"), max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.NEW
    )
    reply = models.TextField(_("答复"), blank=True)
    like_count = models.PositiveIntegerField(_("赞同数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("意见建议")
        verbose_name_plural = _("意见建议")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["city", "-submitted_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "source", "external_id"],
                condition=~Q(external_id=""),
                name="citizens_suggestion_external_unique",
            ),
            models.UniqueConstraint(fields=["city", "number"], name="citizens_suggestion_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.text[:20]}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.contact_phone)


class SuggestionLike(models.Model):
    """One agreement (点赞) per phone and one per device with each suggestion, held by the
    database: two requests racing both insert, one of them fails on the constraint."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="likes")
    device_key = models.CharField(max_length=64)
    phone_key = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("赞同")
        verbose_name_plural = _("赞同")
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion", "device_key"], name="citizens_like_once_per_device"
            ),
            models.UniqueConstraint(
                fields=["suggestion", "phone_key"],
                condition=~Q(phone_key=""),
                name="citizens_like_once_per_phone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.suggestion_id}:{self.device_key[:8]}"


class Topic(CityOwned):
    """A hot topic: messages about the same place and problem. ``locked`` once the office
    edits it (rename, merge, split, discard): a recompute then keeps its name and messages."""

    name = models.CharField(_("名称"), max_length=100)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=TopicStatus.choices, default=TopicStatus.ACTIVE
    )
    locked = models.BooleanField(_("人工调整"), default=False)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    heat = models.FloatField(_("热度"), default=0)
    people = models.PositiveIntegerField(_("提出人数"), default=0)
    messages = models.PositiveIntegerField(_("留言条数"), default=0)
    likes = models.PositiveIntegerField(_("点赞数"), default=0)
    first_at = models.DateTimeField(_("最早"), null=True, blank=True)
    last_at = models.DateTimeField(_("最近"), null=True, blank=True)
    signature = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        verbose_name = _("热点话题")
        verbose_name_plural = _("热点话题")
        ordering = ["-heat", "id"]
        indexes = [models.Index(fields=["city", "status", "-heat"])]

    def __str__(self) -> str:
        return self.name


class TopicItem(models.Model):
    """A message of a topic: a suggestion or a case (a 随手拍 report, a 12345 order …)."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="items")
    suggestion = models.ForeignKey(
        Suggestion, null=True, blank=True, on_delete=models.CASCADE, related_name="topic_items"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("话题留言")
        verbose_name_plural = _("话题留言")
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion"], condition=Q(suggestion__isnull=False), name="citizens_ti_s"
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(case__isnull=False), name="citizens_ti_c"
            ),
            models.CheckConstraint(
                condition=Q(suggestion__isnull=False, case__isnull=True)
                | Q(suggestion__isnull=True, case__isnull=False),
                name="citizens_ti_one_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic_id}:{self.suggestion_id or ''}{self.case_id or ''}"

    @property
    def key(self) -> str:
        return f"suggestion:{self.suggestion_id}" if self.suggestion_id else f"case:{self.case_id}"


class CategoryModel(CityOwned):
    """A trained version of the category suggestion model, with its held-out quality."""

    version = models.PositiveIntegerField(_("版本"))
    active = models.BooleanField(_("启用"), default=False)
    data = models.BinaryField(editable=False)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    macro_f1 = models.FloatField(_("宏平均F1"), default=0)
    accuracy = models.FloatField(_("准确率"), default=0)
    n_train = models.PositiveIntegerField(_("训练样本"), default=0)
    n_test = models.PositiveIntegerField(_("测试样本"), default=0)
    train_seconds = models.FloatField(_("训练用时（秒）"), default=0)
    class_counts = models.JSONField(_("各类别样本数"), default=dict)
    per_class_f1 = models.JSONField(_("各类别F1"), default=dict)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    activated_at = models.DateTimeField(_("启用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("类别推荐模型")
        verbose_name_plural = _("类别推荐模型")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["city", "version"], name="citizens_model_version"),
            models.UniqueConstraint(
                fields=["city"], condition=Q(active=True), name="citizens_model_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version}"
