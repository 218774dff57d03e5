"""Typed service errors: a stable code, a Chinese message (English via i18n) and an HTTP status.

Views and the API translate them the same way (see ``chuangwen.core.views.error_response`` and
``chuangwen.api``).
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _


class ServiceError(Exception):
    code = "error"
    status = 400
    default_message: Any = _("操作失败")

    def __init__(self, message: Any = None, *, code: str | None = None, **params: Any):
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.params = params
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": str(self.message)}


class NotFound(ServiceError):
    """Missing and out-of-scope objects answer alike."""

    code = "not_found"
    status = 404
    default_message = _("对象不存在或无权访问")


class PermissionDenied(ServiceError):
    code = "forbidden"
    status = 403
    default_message = _("无权执行此操作")


class InvalidTransition(ServiceError):
    code = "invalid_transition"
    status = 409
    default_message = _("当前状态不允许此操作")


class InvalidInput(ServiceError):
    code = "invalid"
    status = 400
    default_message = _("输入有误")


class InvalidParameters(InvalidInput):
    """Bad request parameters or body fields: each one named with its own message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        detail = "；".join(f"{k}：{v}" for k, v in self.errors.items())
        super().__init__(_("参数有误 — %(detail)s") % {"detail": detail})

    def as_dict(self) -> dict[str, Any]:
        data = super().as_dict()
        data["errors"] = [{"param": k, "message": v} for k, v in self.errors.items()]
        return data


class Busy(ServiceError):
    """A write that cannot proceed right now (database locked or unreachable): retry later."""

    code = "busy"
    status = 503
    default_message = _("系统繁忙，请稍后重试")


@dataclass
class RowError:
    """One bad cell of an import: sheet, 1-based row, column header and a Chinese message."""

    row: int | None
    column: str
    message: str
    sheet: str = ""

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(_("工作表「%(sheet)s」") % {"sheet": self.sheet})
        if self.row is not None:
            where.append(_("第 %(row)s 行") % {"row": self.row})
        if self.column:
            where.append(_("「%(column)s」列") % {"column": self.column})
        if not where:
            return self.message
        return _("%(where)s：%(message)s") % {"where": " ".join(where), "message": self.message}


class ImportFailed(ServiceError):
    """An all-or-nothing import refused: every bad row and column, nothing changed."""

    code = "import_failed"
    status = 400

    def __init__(self, errors: list[RowError]):
        self.errors = list(errors)
        super().__init__(_("导入失败，共 %(n)d 处错误，未做任何更改") % {"n": len(self.errors)})

    def as_dict(self) -> dict[str, Any]:
        data = super().as_dict()
        data["errors"] = [
            {"sheet": e.sheet, "row": e.row, "column": e.column, "message": e.message}
            for e in self.errors
        ]
        return data
