"""Open311 GeoReport v2: the systems allowed to file requests (keys), the per-category service
attributes, and what an Open311 client sent along with a report (attributes, media_url …)."""

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from chuangwen.core.models import SecretHolder, TimeStamped

ATTRIBUTE_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,50}$")


class Open311Client(SecretHolder):
    """A back-office system or app allowed to POST requests; its key belongs to one city (the
    jurisdiction)."""

    SECRET_PREFIX = "o311_"

    city = models.ForeignKey(
        "org.City", on_delete=models.PROTECT, related_name="+", verbose_name=_("城市")
    )
    name = models.CharField(_("名称"), max_length=100, unique=True)
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("Open311 接入方")
        verbose_name_plural = _("Open311 接入方")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Datatype(models.TextChoices):
    """GeoReport v2 attribute datatypes."""

    STRING = "string", _("单行文本")
    NUMBER = "number", _("数字")
    DATETIME = "datetime", _("日期时间")
    TEXT = "text", _("多行文本")
    SINGLE = "singlevaluelist", _("单选")
    MULTI = "multivaluelist", _("多选")


LIST_DATATYPES = frozenset({Datatype.SINGLE, Datatype.MULTI})


def check_values(datatype: str, values: Any) -> list[dict[str, str]]:
    """The option list of an attribute: [{"key": …, "name": …}], required for the list types,
    keys unique. Returns it normalised (keys and names as stripped strings)."""
    if datatype not in LIST_DATATYPES:
        if values:
            raise ValidationError(_("只有单选、多选属性可以设置选项"))
        return []
    if not isinstance(values, list) or not values:
        raise ValidationError(_("单选、多选属性必须设置选项"))
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for v in values:
        if not isinstance(v, dict) or not str(v.get("key", "")).strip():
            raise ValidationError(_('选项格式应为 [{"key": "代码", "name": "名称"}]'))
        key = str(v["key"]).strip()
        if key in seen:
            raise ValidationError(_("选项代码「%(k)s」重复") % {"k": key})
        seen.add(key)
        out.append({"key": key, "name": str(v.get("name") or key).strip()})
    return out


class ServiceAttribute(TimeStamped):
    """One extra question of a service (an Open311 ``attribute``) for a case category."""

    category = models.ForeignKey(
        "cases.Category",
        on_delete=models.CASCADE,
        related_name="open311_attributes",
        verbose_name=_("案件类别"),
    )
    code = models.CharField(
        _("属性代码"),
        max_length=50,
        help_text=_("字母、数字、下划线、点或减号，提交时为 attribute[代码]"),
    )
    variable = models.BooleanField(
        _("需要填写"), default=True, help_text=_("否：仅向用户展示说明，不需要输入")
    )
    datatype = models.CharField(
        _("数据类型"), max_length=20, choices=Datatype.choices, default=Datatype.STRING
    )
    required = models.BooleanField(_("必填"), default=False)
    datatype_description = models.CharField(_("填写说明"), max_length=200, blank=True)
    order = models.PositiveIntegerField(_("顺序"), default=1)
    description = models.CharField(_("问题"), max_length=300)
    values = models.JSONField(
        _("选项"),
        default=list,
        blank=True,
        help_text=_('单选、多选的选项：[{"key": "1", "name": "…"}]'),
    )
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("Open311 服务属性")
        verbose_name_plural = _("Open311 服务属性")
        ordering = ["category", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "code"], name="open311_attribute_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category_id}:{self.code}"

    def clean(self) -> None:
        if not ATTRIBUTE_CODE.match(self.code or ""):
            raise ValidationError({"code": _("属性代码只能包含字母、数字、下划线、点或减号")})
        if self.order < 1:
            raise ValidationError({"order": _("顺序必须是正整数")})
        try:
            self.values = check_values(self.datatype, self.values)
        except ValidationError as exc:
            raise ValidationError({"values": exc.messages}) from exc


class Open311Submission(TimeStamped):
    """What an Open311 client sent with one report, beyond what the report itself keeps: the
    validated attributes, the media URL (stored, never fetched), device and account ids."""

    report = models.OneToOneField(
        "cases.Report", on_delete=models.CASCADE, related_name="open311", verbose_name=_("上报记录")
    )
    client = models.ForeignKey(
        Open311Client,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("接入方"),
    )
    attributes = models.JSONField(_("属性"), default=dict, blank=True)
    media_url = models.URLField(_("媒体链接"), max_length=500, blank=True)
    media_urls = models.JSONField(
        _("全部媒体链接"), default=list, blank=True, help_text=_("客户端发来的每个 media_url")
    )
    merged = models.BooleanField(
        _("已并单"),
        default=False,
        help_text=_("并入已有案件：接入方拿到的是本次上报自己的编号（R 开头）"),
    )
    address_id = models.CharField(_("地址编号"), max_length=64, blank=True)
    device_id = models.CharField(_("设备编号"), max_length=100, blank=True)
    account_id = models.CharField(_("账号编号"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("Open311 提交")
        verbose_name_plural = _("Open311 提交")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.report_id}"


class Open311Update(TimeStamped):
    """A citizen's update to a request, posted by a client (FixMyStreet's
    ``post_service_request_update``): kept with the case for the office, never changes its
    state."""

    client = models.ForeignKey(
        Open311Client, on_delete=models.PROTECT, related_name="updates", verbose_name=_("接入方")
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("案件")
    )
    report = models.ForeignKey(
        "cases.Report",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("上报记录"),
    )
    service_request_id = models.CharField(_("请求编号"), max_length=32)
    external_id = models.CharField(_("接入方更新编号"), max_length=100, blank=True)
    status = models.CharField(_("接入方状态"), max_length=40, blank=True)
    description = models.TextField(_("内容"), blank=True)
    name = models.CharField(_("姓名"), max_length=100, blank=True)
    email = models.CharField(_("电子邮箱"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    media_urls = models.JSONField(_("媒体链接"), default=list, blank=True)
    attributes = models.JSONField(_("属性"), default=dict, blank=True)
    updated_at_client = models.DateTimeField(_("接入方更新时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 群众补充")
        verbose_name_plural = _("Open311 群众补充")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "external_id"],
                condition=~models.Q(external_id=""),
                name="open311_update_external_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_request_id}:{self.pk}"


# sources whose cases the public Open311 feed lists when the office has not chosen: the citizens'
# own channels (随手拍 and Open311 itself); inspections, mock evaluations, media and hotline
# cases carry internal or personal text
DEFAULT_PUBLIC_SOURCES = ["citizen", "open311"]


class Open311Settings(TimeStamped):
    """Per-city settings of the public Open311 feed, edited by the office."""

    city = models.OneToOneField(
        "org.City", on_delete=models.CASCADE, related_name="+", verbose_name=_("城市")
    )
    public_sources = models.JSONField(
        _("公开的案件来源"),
        default=list,
        blank=True,
        help_text=_("这些来源的案件出现在公开的 Open311 列表和动态中"),
    )

    class Meta:
        verbose_name = _("Open311 公开设置")
        verbose_name_plural = _("Open311 公开设置")

    def __str__(self) -> str:
        return str(self.city)
