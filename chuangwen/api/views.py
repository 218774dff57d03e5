"""The API token page (user menu → 接口令牌): one's own tokens, the office: every token of its
city; issue one (the secret is shown on this response only) and revoke."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chuangwen.core.errors import InvalidInput
from chuangwen.core.views import paginate

from . import selectors, services


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
    page = paginate(request, selectors.tokens_for_user(request.user, scope))
    return render(
        request,
        "api/token_list.html",
        {"page": page, "created": created, "raw": raw, "error": error, "post": request.POST},
        status=400 if error else 200,
    )


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.get_token_for_user(request.user, request.scope, pk)  # type: ignore[attr-defined]
    services.revoke_api_token(token, acting_user=request.user)
    messages.success(request, _("令牌「%(name)s」已吊销") % {"name": token.name})
    return redirect("tokens:list")
