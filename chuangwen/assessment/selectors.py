"""Scoped reads of the mock evaluation: the city's prediction is the office's and the leaders'
(``see_all``); others see nothing of it (404 alike)."""

from django.db.models import QuerySet

from chuangwen.core.errors import NotFound
from chuangwen.org.scope import Scope

from .models import MockEvaluation


def rounds_for_user(scope: Scope) -> QuerySet[MockEvaluation]:
    if scope.city_id is None or not scope.see_all:
        return MockEvaluation.objects.none()
    return MockEvaluation.objects.filter(city_id=scope.city_id)


def get_round_for_user(scope: Scope, pk: int) -> MockEvaluation:
    rnd = rounds_for_user(scope).select_related("system", "minors_system").filter(pk=pk).first()
    if rnd is None:
        raise NotFound()
    return rnd
