"""Scoped reads of API tokens: one's own; the office: every token of its city."""

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from chuangwen.core.errors import NotFound
from chuangwen.core.models import ApiToken


def tokens_for_user(user: Any, scope: Any) -> QuerySet[ApiToken]:
    mine = Q(user_id=user.pk)
    if scope.is_office:
        mine |= Q(user__person__city_id=scope.city_id)
    return ApiToken.objects.filter(mine).select_related("user", "user__person")


def get_token_for_user(user: Any, scope: Any, pk: int) -> ApiToken:
    token = tokens_for_user(user, scope).filter(pk=pk).first()
    if token is None:
        raise NotFound(_("令牌不存在"))
    return token
