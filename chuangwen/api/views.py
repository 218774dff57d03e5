"""The API token page (user menu → 接口令牌): one's own tokens, the office: every token of its
city; issue one (the secret is shown on this response only) and revoke."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from chuangwen.core.errors import InvalidInput
from chuangwen.core.tables import Column, Table

from . import selectors, services


class TokenTable(Table):
    name = "api-tokens"
    columns = (
        Column("id", "#", "id"),
        Column("name", gettext_lazy("名称"), "name", hideable=False),
        Column("prefix", gettext_lazy("前缀")),
        Column("user", gettext_lazy("所属账号"), "user__username"),
        Column("created", gettext_lazy("创建时间"), "created_at"),
        Column("used", gettext_lazy("最近使用"), "last_used_at"),
        Column("expires", gettext_lazy("到期时间"), "expires_at"),
        Column("status", gettext_lazy("状态")),
        Column("revoke", "", hideable=False),
    )


@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    created, raw, error = None, "", ""
    if request.method == "POST":
        try:
            created, raw = services.issue_api_token(
                request.user,
                name=request.POST.get("name", ""),
                days=request.POST.get("days", ""),
                acting_user=request.user,
            )
        except InvalidInput as exc:
            error = str(exc.message)
    table = TokenTable(request, selectors.tokens_for_user(request.user, scope))
    return render(
        request,
        "api/token_list.html",
        {
            "table": table,
            "page": table.page,
            "created": created,
            "raw": raw,
            "error": error,
            "post": request.POST,
        },
        status=400 if error else 200,
    )


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.get_token_for_user(request.user, request.scope, pk)  # type: ignore[attr-defined]
    services.revoke_api_token(token, acting_user=request.user)
    messages.success(request, _("令牌「%(name)s」已吊销") % {"name": token.name})
    return redirect("tokens:list")
