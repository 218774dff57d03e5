"""The platform's NinjaAPI: one error JSON for everything that goes wrong (service errors, bad
parameters and bodies, numbers the database cannot hold, missing authentication), and an OpenAPI
document that says so on every operation."""

from typing import Any

from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import REF_TEMPLATE, NinjaGenerateJsonSchema
from ninja.parser import Parser

from chuangwen.core.errors import InvalidInput, InvalidParameters, NotFound, ServiceError
from chuangwen.core.schemas import ErrorOut

BAD_DATE = gettext_lazy("日期无效（应为真实存在的日期，如 2026-02-28）")
BAD_DATETIME = gettext_lazy("日期时间无效（应为真实存在的时间，如 2026-02-28T10:00:00+08:00）")
# pydantic error type → Chinese message (ctx values such as ge/le are filled in)
MESSAGES = {
    "missing": gettext_lazy("必填"),
    "int_parsing": gettext_lazy("应为整数"),
    "int_from_float": gettext_lazy("应为整数"),
    "int_type": gettext_lazy("应为整数"),
    "float_parsing": gettext_lazy("应为数字"),
    "float_type": gettext_lazy("应为数字"),
    "finite_number": gettext_lazy("应为有限的数字"),
    "decimal_parsing": gettext_lazy("应为数字"),
    "bool_parsing": gettext_lazy("应为 true 或 false"),
    "bool_type": gettext_lazy("应为 true 或 false"),
    "string_type": gettext_lazy("应为文本"),
    "date_parsing": gettext_lazy("日期无效（应为真实存在的日期，如 2026-02-28）"),
    "date_from_datetime_parsing": gettext_lazy("日期无效（应为真实存在的日期，如 2026-02-28）"),
    "date_from_datetime_inexact": gettext_lazy("日期无效（应为真实存在的日期，如 2026-02-28）"),
    "date_type": gettext_lazy("日期无效（应为真实存在的日期，如 2026-02-28）"),
    "datetime_parsing": gettext_lazy(
        "日期时间无效（应为真实存在的时间，如 2026-02-28T10:00:00+08:00）"
    ),
    "datetime_from_date_parsing": gettext_lazy(
        "日期时间无效（应为真实存在的时间，如 2026-02-28T10:00:00+08:00）"
    ),
    "datetime_type": gettext_lazy(
        "日期时间无效（应为真实存在的时间，如 2026-02-28T10:00:00+08:00）"
    ),
    "timezone_offset": gettext_lazy("时区偏移无效（应在 ±23:59 以内）"),
    "uuid_parsing": gettext_lazy("UUID 格式无效"),
    "uuid_type": gettext_lazy("UUID 格式无效"),
    "greater_than_equal": gettext_lazy("不能小于 {ge}"),
    "greater_than": gettext_lazy("应大于 {gt}"),
    "less_than_equal": gettext_lazy("不能大于 {le}"),
    "less_than": gettext_lazy("应小于 {lt}"),
    "string_too_long": gettext_lazy("太长（最多 {max_length} 个字符）"),
    "string_too_short": gettext_lazy("太短（至少 {min_length} 个字符）"),
    "too_long": gettext_lazy("项数太多（最多 {max_length} 项）"),
    "list_type": gettext_lazy("应为列表"),
    "dict_type": gettext_lazy("应为对象"),
    "model_type": gettext_lazy("应为对象"),
    "model_attributes_type": gettext_lazy("应为对象"),
    "json_invalid": gettext_lazy("JSON 格式无效"),
    "literal_error": gettext_lazy("不在可选值中（{expected}）"),
    "enum": gettext_lazy("不在可选值中（{expected}）"),
    "extra_forbidden": gettext_lazy("不接受此字段"),
}


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind in ("date_range", "nul_character", "value_error"):
        return str(error.get("msg", "")).removeprefix("Value error, ")
    template = MESSAGES.get(kind)
    if template is None:
        return _("格式无效")
    try:
        return str(template).format(**error.get("ctx", {}))
    except (KeyError, IndexError):
        return str(template)


def _param(loc: tuple) -> str:
    parts = [str(p) for p in loc[1:]]
    if loc and loc[0] == "body" and len(parts) > 1:
        parts = parts[1:]  # the view's body argument name (payload) is no parameter
    return ".".join(parts) or str(loc[0] if loc else "")


def validation_errors(exc: ValidationError) -> InvalidParameters:
    errors: dict[str, str] = {}
    for e in exc.errors:
        errors.setdefault(_param(tuple(e.get("loc", ()))), _message(e))
    return InvalidParameters(errors)


ERROR_CODES = {
    400: gettext_lazy("请求参数有误"),
    401: gettext_lazy("未登录或令牌无效"),
    403: gettext_lazy("无权执行此操作"),
    404: gettext_lazy("对象不存在或无权访问"),
}
WRITE_ERROR_CODES = {
    409: gettext_lazy("当前状态不允许此操作"),
    503: gettext_lazy("系统繁忙，请稍后重试"),
}


class Unauthorized(ServiceError):
    code = "unauthorized"
    status = 401
    default_message = gettext_lazy("未登录或令牌无效")


class StrictParser(Parser):
    """Query strings and form fields without NUL characters (PostgreSQL refuses them in text);
    JSON bodies are checked by their schemas (``chuangwen.core.schemas.In``)."""

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        bad = {
            k: _("不能包含空字符（\\x00）")
            for k, values in data.lists()
            if any(isinstance(v, str) and "\x00" in v for v in values)  # files are not text
        }
        if bad:
            raise InvalidParameters(bad)
        return super().parse_querydict(data, list_fields, request)


class ChuangwenAPI(NinjaAPI):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("parser", StrictParser())
        super().__init__(**kwargs)

    def set_default_exception_handlers(self) -> None:
        super().set_default_exception_handlers()
        self.add_exception_handler(ServiceError, self._service_error)
        self.add_exception_handler(ValidationError, self._validation_error)
        self.add_exception_handler(AuthenticationError, self._unauthorized)
        self.add_exception_handler(Http404, self._not_found)
        self.add_exception_handler(HttpError, self._http_error)
        # the last line of defence: a number or date the database cannot hold is bad input
        self.add_exception_handler(OverflowError, self._out_of_range)
        self.add_exception_handler(DataError, self._out_of_range)

    def _error(self, request: HttpRequest, exc: ServiceError) -> HttpResponse:
        return self.create_response(request, exc.as_dict(), status=exc.status)

    def _service_error(self, request: HttpRequest, exc: Any) -> HttpResponse:
        return self._error(request, exc)

    def _validation_error(self, request: HttpRequest, exc: Any) -> HttpResponse:
        return self._error(request, validation_errors(exc))

    def _unauthorized(self, request: HttpRequest, exc: Any) -> HttpResponse:
        return self._error(request, Unauthorized())

    def _not_found(self, request: HttpRequest, exc: Any) -> HttpResponse:
        return self._error(request, NotFound())

    def _http_error(self, request: HttpRequest, exc: Any) -> HttpResponse:
        if exc.status_code == 400:  # an unparsable body
            return self._error(request, InvalidInput(_("请求内容无法解析（应为 JSON 或表单）")))
        return self.create_response(
            request,
            {"code": "http_%d" % exc.status_code, "message": str(exc)},
            status=exc.status_code,
        )

    def _out_of_range(self, request: HttpRequest, exc: Any) -> HttpResponse:
        return self._error(request, InvalidInput(_("数值或日期超出允许范围")))

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """Every operation documents the error JSON for the statuses it can answer with."""
        schema = super().get_openapi_schema(**kwargs)
        schema["components"].setdefault("schemas", {})["ErrorOut"] = ErrorOut.model_json_schema(
            ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema
        )
        ref = {"$ref": "#/components/schemas/ErrorOut"}
        for methods in schema["paths"].values():
            for method, op in methods.items():
                codes = dict(ERROR_CODES)
                if method != "get":
                    codes.update(WRITE_ERROR_CODES)
                for status, description in codes.items():
                    op["responses"].setdefault(
                        status,
                        {
                            "description": description,
                            "content": {"application/json": {"schema": ref}},
                        },
                    )
        return schema
