"""Citizens' voice API: suggestions (the page's FilterSet), hot topics and the office's edits,
category suggestions, model versions. Office only (leaders read)."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from chuangwen.cases.selectors import category_hints, hint_dicts
from chuangwen.core.errors import NotFound
from chuangwen.core.filtering import filter_doc, filtered
from chuangwen.core.schemas import Paged
from chuangwen.org.models import City
from chuangwen.org.scope import scope_of

from . import selectors, services
from .filters import SuggestionFilter
from .models import SuggestionSource, TopicStatus
from .schemas import (
    CategoryHintOut,
    MergeIn,
    ModelOut,
    RenameIn,
    SplitIn,
    StatusIn,
    SuggestIn,
    SuggestionIn,
    SuggestionOut,
    TopicDetailOut,
    TopicOut,
)

router = Router(tags=["群众参与：意见建议与热点"])


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


@router.get(
    "/suggestions",
    response=list[SuggestionOut],
    summary="意见建议列表（与页面、导出同一筛选）",
    openapi_extra=filter_doc(SuggestionFilter),
)
@paginate(Paged)
def list_suggestions(request: HttpRequest):
    return filtered(SuggestionFilter, request, selectors.suggestions_qs(scope_of(request)))


@router.post("/suggestions", response={201: SuggestionOut}, summary="录入意见建议（创建办）")
def create_suggestion(request: HttpRequest, payload: SuggestionIn):
    scope = scope_of(request)
    if scope.city_id is None:
        raise NotFound()
    s = services.submit_suggestion(
        City.objects.get(pk=scope.city_id),
        source=SuggestionSource.OFFICE,
        acting_user=_user(request),
        **payload.dict(),
    )
    return Status(201, s)


@router.get("/suggestions/{suggestion_id}", response=SuggestionOut, summary="意见建议详情")
def get_suggestion(request: HttpRequest, suggestion_id: int):
    return selectors.get_suggestion(scope_of(request), suggestion_id)


@router.post("/suggestions/{suggestion_id}/status", response=SuggestionOut, summary="处理意见建议")
def set_status(request: HttpRequest, suggestion_id: int, payload: StatusIn):
    s = selectors.get_suggestion(scope_of(request), suggestion_id)
    return services.set_suggestion_status(
        s, status=payload.status, reply=payload.reply, acting_user=_user(request)
    )


@router.get("/topics", response=list[TopicOut], summary="热点话题（按热度）")
@paginate(Paged)
def list_topics(request: HttpRequest, status: TopicStatus = TopicStatus.ACTIVE):
    return selectors.topics_qs(scope_of(request), status)


@router.get("/topics/{topic_id}", response=TopicDetailOut, summary="热点话题及其留言、案件")
def get_topic(request: HttpRequest, topic_id: int):
    topic = selectors.get_topic(scope_of(request), topic_id)
    topic.items_list = selectors.topic_items(topic)  # type: ignore[attr-defined]
    return {
        **TopicOut.from_orm(topic).dict(),
        "items": [
            {"id": i.pk, "suggestion_id": i.suggestion_id, "case_id": i.case_id}
            for i in topic.items_list  # type: ignore[attr-defined]
        ],
    }


@router.post("/topics/{topic_id}/rename", response=TopicOut, summary="重命名话题")
def rename_topic(request: HttpRequest, topic_id: int, payload: RenameIn):
    topic = selectors.get_topic(scope_of(request), topic_id)
    return services.rename_topic(topic, name=payload.name, acting_user=_user(request))


@router.post("/topics/{topic_id}/discard", response=TopicOut, summary="忽略话题")
def discard_topic(request: HttpRequest, topic_id: int):
    topic = selectors.get_topic(scope_of(request), topic_id)
    return services.discard_topic(topic, acting_user=_user(request))


@router.post("/topics/{topic_id}/merge", response=TopicOut, summary="把其他话题并入本话题")
def merge_topics(request: HttpRequest, topic_id: int, payload: MergeIn):
    scope = scope_of(request)
    topic = selectors.get_topic(scope, topic_id)
    others = [selectors.get_topic(scope, i) for i in payload.others]
    return services.merge_topics(topic, others, acting_user=_user(request))


@router.post("/topics/{topic_id}/split", response={201: TopicOut}, summary="拆出新话题")
def split_topic(request: HttpRequest, topic_id: int, payload: SplitIn):
    topic = selectors.get_topic(scope_of(request), topic_id)
    new = services.split_topic(
        topic, item_ids=payload.items, name=payload.name, acting_user=_user(request)
    )
    return Status(201, new)


@router.post("/categories/suggest", response=list[CategoryHintOut], summary="推荐案件类别（前三）")
def suggest(request: HttpRequest, payload: SuggestIn):
    scope = scope_of(request)
    if scope.city_id is None:
        raise NotFound()
    return hint_dicts(category_hints(scope.city_id, payload.text))


@router.get("/models", response=list[ModelOut], summary="类别推荐模型的版本与质量")
def list_models(request: HttpRequest):
    return list(selectors.models_qs(scope_of(request))[:50])
