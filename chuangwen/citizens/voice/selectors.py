"""Scoped reads: suggestions, topics and model versions are the office's (and leaders') to
read; anyone else gets 404 alike for missing and forbidden."""

from django.db.models import QuerySet

from chuangwen.core.errors import NotFound
from chuangwen.org.scope import Scope

from .models import CategoryModel, Suggestion, Topic, TopicItem, TopicStatus


def _city(scope: Scope) -> int:
    if scope.city_id is None or not scope.see_all:
        raise NotFound()
    return scope.city_id


def suggestions_qs(scope: Scope) -> QuerySet[Suggestion]:
    return Suggestion.objects.filter(city_id=_city(scope)).order_by("-submitted_at", "-id")


def get_suggestion(scope: Scope, pk: int) -> Suggestion:
    s = suggestions_qs(scope).filter(pk=pk).first()
    if s is None:
        raise NotFound()
    return s


def topics_qs(scope: Scope, status: str = TopicStatus.ACTIVE) -> QuerySet[Topic]:
    qs = Topic.objects.filter(city_id=_city(scope))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-heat", "id")


def get_topic(scope: Scope, pk: int) -> Topic:
    t = Topic.objects.filter(city_id=_city(scope), pk=pk).first()
    if t is None:
        raise NotFound()
    return t


def topic_items(topic: Topic) -> list[TopicItem]:
    return list(
        topic.items.select_related("suggestion", "case", "case__category").order_by("id")[:500]
    )


def models_qs(scope: Scope) -> QuerySet[CategoryModel]:
    return CategoryModel.objects.filter(city_id=_city(scope)).defer("data").order_by("-version")


def get_model(scope: Scope, pk: int) -> CategoryModel:
    m = models_qs(scope).filter(pk=pk).first()
    if m is None:
        raise NotFound()
    return m
