"""Scoring one observation 0–1 by its check item's rule (the national practice).

- pass/fail: 1 or 0; a counted observation passes when nothing was counted;
- ratio: the value (0–1), or 1 − count / total for a counted observation (e.g. 3 of 40
  pedestrians crossed on red in 5 minutes → 0.925);
- deduct N per missing unit up to a cap: 1 − min(missing × N, cap) / points (points default to
  the cap, so reaching the cap scores 0); a counted observation's count is the missing number.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from chuangwen.core.errors import InvalidInput
from chuangwen.indicators.choices import ScoringRule


@dataclass
class Scored:
    score: float
    failed: bool
    passed: bool | None
    value: float | None
    missing: int | None


def _int(v: Any, what: str) -> int | None:
    if v in (None, ""):
        return None
    try:
        n = int(v)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(_("%(what)s必须是整数") % {"what": what}, code="bad_value") from exc
    if n < 0:
        raise InvalidInput(_("%(what)s不能为负数") % {"what": what}, code="bad_value")
    return n


def score_observation(
    item: Any,
    *,
    passed: bool | None = None,
    value: float | None = None,
    missing: int | None = None,
    count: int | None = None,
    total: int | None = None,
) -> Scored:
    rule = item.rule
    missing, count, total = _int(missing, "缺项数"), _int(count, "计数"), _int(total, "观测总数")
    if rule == ScoringRule.PASS_FAIL:
        if passed is None and count is not None:
            passed = count == 0
        if passed is None:
            raise InvalidInput(_("请选择达标或不达标"), code="answer_required")
        s = 1.0 if passed else 0.0
        return Scored(s, not passed, bool(passed), None, None)
    if rule == ScoringRule.RATIO:
        if value in (None, "") and count is not None:
            if not total:
                raise InvalidInput(_("计数观测需要填写观测总数"), code="total_required")
            if count > total:
                raise InvalidInput(_("计数不能大于观测总数"), code="bad_value")
            value = 1 - count / total
        if value in (None, ""):
            raise InvalidInput(_("请填写 0–1 之间的比例值"), code="answer_required")
        try:
            v = float(value)
        except (TypeError, ValueError) as exc:
            raise InvalidInput(_("比例值必须是数字"), code="bad_value") from exc
        if not 0 <= v <= 1:
            raise InvalidInput(_("比例值必须在 0–1 之间"), code="bad_value")
        return Scored(v, v < 1, None, v, None)
    if rule == ScoringRule.DEDUCT:
        if missing is None:
            missing = count
        if missing is None:
            raise InvalidInput(_("请填写缺项数（0 表示无缺项）"), code="answer_required")
        per = float(item.deduct or 0)
        cap = float(item.cap) if item.cap is not None else None
        full = float(item.points) if item.points is not None else cap
        lost = missing * per
        if cap is not None:
            lost = min(lost, cap)
        s = max(0.0, 1 - lost / full) if full else 1.0 if missing == 0 else 0.0
        return Scored(s, missing > 0, None, None, missing)
    raise InvalidInput(_("未知的评分方式「%(rule)s」") % {"rule": rule}, code="bad_rule")
