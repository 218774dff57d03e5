"""Scoped reads: suggestions, topics and model versions are the office's (and leaders') to
read; anyone else gets 404 alike for missing and forbidden."""

from collections.abc import Sequence
from dataclasses import dataclass

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


@dataclass(frozen=True)
class ClassScore:
    code: str
    name: str
    cases: int
    f1: float | None


def class_scores(
    models: Sequence[CategoryModel],
) -> list[tuple[CategoryModel, list[ClassScore]]]:
    """Each version with its quality per category, weakest first (where its suggestions help
    least): the category's name, its training cases and its F1 on the held-out cases (none:
    too few cases to hold any out). One query for the names."""
    from chuangwen.cases.models import Category

    codes = {code for m in models for code in m.class_counts}
    cities = {m.city_id for m in models}
    names = dict(
        Category.objects.filter(city_id__in=cities, code__in=codes).values_list("code", "name")
    )
    out = []
    for m in models:
        rows = [
            ClassScore(code, names.get(code, ""), n, m.per_class_f1.get(code))
            for code, n in m.class_counts.items()
        ]
        rows.sort(key=lambda r: (r.f1 is None, r.f1 or 0.0, -r.cases, r.code))
        out.append((m, rows))
    return out


def get_model(scope: Scope, pk: int) -> CategoryModel:
    m = models_qs(scope).filter(pk=pk).first()
    if m is None:
        raise NotFound()
    return m
