"""Per-city additions to the site-type catalogue and the checklists (marked 本市增补, audited)."""

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from chuangwen.core import audit
from chuangwen.core.errors import InvalidInput
from chuangwen.org.actors import require_office
from chuangwen.org.models import City

from ..choices import ScoringRule, SystemStatus
from ..models import CheckItem, EvaluationSystem, Indicator, SiteType
from .common import parse_decimal

CHECK_FIELDS = ["code", "site_type", "text", "rule", "points", "deduct", "cap", "unit_label"]


@transaction.atomic
def create_site_type(
    city: City, *, code: str, name: str, description: str = "", acting_user: Any
) -> SiteType:
    require_office(acting_user, city)
    code, name = (code or "").strip(), (name or "").strip()
    if not code or not name:
        raise InvalidInput(_("类型编码和名称不能为空"), code="required")
    if SiteType.objects.filter(city=city, code=code).exists():
        raise InvalidInput(_("类型编码「%(code)s」已存在") % {"code": code}, code="duplicate_code")
    site_type = SiteType.objects.create(
        city=city, code=code, name=name, description=description, city_added=True
    )
    audit.record(
        "indicators.site_type.created",
        site_type,
        actor=acting_user,
        after={"code": code, "name": name},
        summary=name,
    )
    return site_type


@transaction.atomic
def create_check_item(
    system: EvaluationSystem,
    site_type: SiteType,
    *,
    code: str,
    text: str,
    rule: str = ScoringRule.PASS_FAIL,
    points: Decimal | str | None = None,
    deduct: Decimal | str | None = None,
    cap: Decimal | str | None = None,
    unit_label: str = "",
    standards: list[Indicator] | None = None,
    acting_user: Any,
) -> CheckItem:
    system = EvaluationSystem.objects.select_for_update().get(pk=system.pk)
    require_office(acting_user, system.city_id)
    if system.status == SystemStatus.ARCHIVED:
        raise InvalidInput(_("已归档的版本不能修改"), code="archived")
    if site_type.city_id != system.city_id:
        raise InvalidInput(_("点位类型不属于本城市"), code="bad_site_type")
    if rule not in ScoringRule.values:
        raise InvalidInput(_("评分方式「%(rule)s」无效") % {"rule": rule}, code="bad_rule")
    code, text = (code or "").strip(), (text or "").strip()
    if not code or not text:
        raise InvalidInput(_("编号和检查内容不能为空"), code="required")
    if CheckItem.objects.filter(system=system, code=code).exists():
        raise InvalidInput(
            _("检查项编号「%(code)s」已存在") % {"code": code}, code="duplicate_code"
        )
    try:
        numbers = {
            k: parse_decimal(v) for k, v in (("points", points), ("deduct", deduct), ("cap", cap))
        }
    except ValueError as exc:
        raise InvalidInput(str(exc), code="bad_number") from exc
    if rule == ScoringRule.DEDUCT and numbers["deduct"] is None:
        raise InvalidInput(_("按缺项扣分时必须填写每处扣分"), code="deduct_required")
    standards = list(standards or [])
    if any(s.system_id != system.pk for s in standards):
        raise InvalidInput(_("关联标准不属于该版本"), code="bad_standard")
    item = CheckItem.objects.create(
        system=system,
        site_type=site_type,
        code=code,
        text=text,
        rule=rule,
        unit_label=unit_label,
        city_added=True,
        **numbers,
    )
    item.standards.set(standards)
    audit.record(
        "indicators.check_item.created",
        item,
        actor=acting_user,
        city=system.city,
        after={**audit.snapshot(item, CHECK_FIELDS), "standards": [s.pk for s in standards]},
        summary=f"{site_type.name}：{text[:40]}",
    )
    return item
