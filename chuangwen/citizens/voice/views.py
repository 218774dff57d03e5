"""Thin views over the services and selectors: suggestions, hot topics, model versions; and
the public suggestions page (no account)."""

import hashlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chuangwen.citizens.tables import SuggestionTable, TopicTable
from chuangwen.core import ratelimit
from chuangwen.core.errors import ImportFailed, ServiceError
from chuangwen.core.filtering import checked_filter
from chuangwen.core.permissions import office_required
from chuangwen.core.views import download, list_template
from chuangwen.core.widgets import pick_response
from chuangwen.core.xlsx import Sheet, write_workbook
from chuangwen.org.actors import PUBLIC
from chuangwen.org.models import City

from .. import selectors as citizen_selectors
from . import jobs, selectors, services, topics
from .filters import SuggestionFilter
from .forms import (
    LikeForm,
    MergeForm,
    PublicSuggestionForm,
    RenameForm,
    SplitForm,
    StatusForm,
    UploadForm,
)
from .models import Suggestion, SuggestionSource, TopicStatus

PUBLIC_LIMIT = (5, 3600)  # suggestions per client address and per phone per hour
LIKE_LIMIT = (30, 3600)  # likes per client address per hour
EXPORT_CAP = 20_000


def _scope(request: HttpRequest) -> Any:
    return request.scope  # type: ignore[attr-defined]


def _city(request: HttpRequest) -> City:
    return City.objects.get(pk=_scope(request).city_id)


# --- office: suggestions ----------------------------------------------------------------------


@office_required
def suggestion_list(request: HttpRequest) -> HttpResponse:
    f = SuggestionFilter(request.GET, queryset=selectors.suggestions_qs(_scope(request)))
    qs = f.qs if f.is_valid() else selectors.suggestions_qs(_scope(request)).none()
    return render(
        request,
        list_template(
            request, "citizens/voice/suggestion_list.html", "citizens/voice/_suggestion_rows.html"
        ),
        {"filter": f, "page": SuggestionTable(request, qs).page, "query": request.GET.urlencode()},
    )


@office_required
def suggestion_export(request: HttpRequest) -> HttpResponse:
    f = checked_filter(SuggestionFilter, request.GET, selectors.suggestions_qs(_scope(request)))
    rows = (
        [
            s.number,
            s.get_source_display(),
            timezone.localtime(s.submitted_at).strftime("%Y-%m-%d %H:%M"),
            s.text,
            s.place,
            s.contact_name,
            s.masked_phone,
            s.like_count,
            s.get_status_display(),
            s.reply,
        ]
        for s in f.qs[:EXPORT_CAP]
    )
    data = write_workbook(
        [
            Sheet(
                "意见建议",
                [
                    "编号",
                    "来源",
                    "提出时间",
                    "内容",
                    "地点",
                    "联系人",
                    "联系电话",
                    "赞同数",
                    "状态",
                    "答复",
                ],
                rows,
            )
        ]
    )
    return download(data, f"意见建议-{timezone.localdate():%Y%m%d}.xlsx")


@office_required
def suggestion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    s = selectors.get_suggestion(_scope(request), pk)
    form = StatusForm(request.POST or None, initial={"status": s.status, "reply": s.reply})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_suggestion_status(
                s,
                status=form.cleaned_data["status"],
                reply=form.cleaned_data["reply"],
                acting_user=request.user,
            )
        except ServiceError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("已保存"))
            return redirect("citizens:suggestion", pk=s.pk)
    topic_item = s.topic_items.select_related("topic").first()
    return render(
        request,
        "citizens/voice/suggestion_detail.html",
        {"s": s, "form": form, "topic": topic_item.topic if topic_item else None},
    )


@office_required
def survey_import(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    failure = None
    if request.method == "POST" and form.is_valid():
        try:
            n = services.import_survey(
                _city(request), form.cleaned_data["file"].read(), acting_user=request.user
            )
        except ImportFailed as exc:
            failure = exc
        except ServiceError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("已导入 %(n)d 条问卷意见") % {"n": n})
            return redirect("citizens:suggestions")
    return render(
        request,
        "citizens/voice/survey_import.html",
        {
            "form": form,
            "failure": failure,
            "columns": services.SURVEY_REQUIRED + services.SURVEY_OPTIONAL,
        },
    )


# --- office: hot topics -----------------------------------------------------------------------


@office_required
def topic_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", TopicStatus.ACTIVE)
    if status not in TopicStatus.values:
        status = TopicStatus.ACTIVE
    qs = selectors.topics_qs(_scope(request), status)
    return render(
        request,
        "citizens/voice/topic_list.html",
        {
            "page": TopicTable(request, qs).page,
            "status": status,
            "statuses": TopicStatus.choices,
            "formula": topics.HEAT_FORMULA,
            "window": topics.WINDOW_DAYS,
        },
    )


@office_required
@require_POST
def topic_recompute(request: HttpRequest) -> HttpResponse:
    try:
        job = jobs.submit_topics(_city(request), acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
        return redirect("citizens:topics")
    return redirect("job", pk=job.pk)


@office_required
def topic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    topic = selectors.get_topic(scope, pk)
    items = selectors.topic_items(topic)
    origins = citizen_selectors.topic_candidates(topic)  # rounds/campaigns that came from it
    on_ballot = {c.round_id for c in origins}
    return render(
        request,
        "citizens/voice/topic_detail.html",
        {
            "topic": topic,
            "items": items,
            "merge_form": MergeForm(target=topic, topics=selectors.topics_qs(scope)),
            "formula": topics.HEAT_FORMULA,
            "origins": origins,
            "rounds": [
                r for r in citizen_selectors.draft_rounds(topic.city_id) if r.pk not in on_ballot
            ],
        },
    )


@office_required
@require_POST
def topic_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    scope = _scope(request)
    topic = selectors.get_topic(scope, pk)
    try:
        if action == "rename":
            form: Any = RenameForm(request.POST)
            if not form.is_valid():
                raise services.InvalidInput(_("名称须为 1–100 字"))
            services.rename_topic(topic, name=form.cleaned_data["name"], acting_user=request.user)
        elif action == "discard":
            services.discard_topic(topic, acting_user=request.user)
        elif action == "restore":
            services.restore_topic(topic, acting_user=request.user)
        elif action == "merge":
            form = MergeForm(request.POST, target=topic, topics=selectors.topics_qs(scope))
            if not form.is_valid():
                raise services.InvalidInput(_("请选择要合并的其他话题"))
            services.merge_topics(
                topic, list(form.cleaned_data["others"]), acting_user=request.user
            )
        elif action == "split":
            form = SplitForm(request.POST, items=topic.items.all())
            if not form.is_valid():
                raise services.InvalidInput(_("请选择要拆出的留言并填写新话题名称"))
            new = services.split_topic(
                topic,
                item_ids=form.cleaned_data["items"],
                name=form.cleaned_data["name"],
                acting_user=request.user,
            )
            messages.success(request, _("已拆分为新话题「%(n)s」") % {"n": new.name})
            return redirect("citizens:topic", pk=new.pk)
        else:
            return HttpResponse(status=404)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已保存"))
    return redirect("citizens:topic", pk=topic.pk)


@office_required
@require_GET
def pick_topics(request: HttpRequest) -> JsonResponse:
    """The city's active hot topics by name or place, hottest first (``?exclude=`` one)."""
    qs = selectors.topics_qs(_scope(request))
    raw = request.GET.get("exclude", "")
    if raw.isdigit() and len(raw) < 19:
        qs = qs.exclude(pk=int(raw))
    return pick_response(
        request,
        qs,
        search=lambda qs, q: qs.filter(Q(name__icontains=q) | Q(place__icontains=q)),
        rows=lambda found: [
            {
                "value": str(t.pk),
                "text": t.name,
                "hint": _("留言 %(n)s · 热度 %(h).1f") % {"n": t.messages, "h": t.heat},
            }
            for t in found
        ],
    )


# --- office: the category model ---------------------------------------------------------------


@office_required
def model_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.class_scores(list(selectors.models_qs(_scope(request))[:50]))
    n_cases = services.training_cases_count(_scope(request).city_id)
    return render(
        request,
        "citizens/voice/model_list.html",
        {"rows": rows, "n_cases": n_cases, "min_cases": services.MIN_TRAINING_CASES},
    )


@office_required
@require_POST
def model_train(request: HttpRequest) -> HttpResponse:
    try:
        job = jobs.submit_training(_city(request), acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
        return redirect("citizens:models")
    return redirect("job", pk=job.pk)


@office_required
@require_POST
def model_activate(request: HttpRequest, pk: int) -> HttpResponse:
    row = selectors.get_model(_scope(request), pk)
    try:
        services.activate_category_model(row, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已启用模型 v%(v)d") % {"v": row.version})
    return redirect("citizens:models")


# --- public (no account) ----------------------------------------------------------------------


def _client_key(request: HttpRequest) -> str:
    addr = request.META.get("REMOTE_ADDR", "")
    return "citizens:public:" + hashlib.sha256(addr.encode()).hexdigest()[:24]


@login_not_required
def public_suggestions(request: HttpRequest, city_code: str) -> HttpResponse:
    """Phone first: write a suggestion; read and like others' (no one's contact shown)."""
    city = get_object_or_404(City, code=city_code)
    form = PublicSuggestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        limit, window = PUBLIC_LIMIT
        keys = [
            _client_key(request),
            "citizens:public:phone:" + hashlib.sha256(d["phone"].encode()).hexdigest()[:24],
        ]
        try:
            if not ratelimit.hit(keys, limit, window):
                raise services.InvalidInput(_("提交过于频繁，请稍后再试"), code="rate_limited")
            s = services.submit_suggestion(
                city,
                text=d["text"],
                place=d.get("place") or "",
                contact_name=d.get("name") or "",
                contact_phone=d["phone"],
                source=SuggestionSource.PUBLIC,
                acting_user=PUBLIC,
            )
        except ServiceError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("感谢您的建议！编号 %(n)s") % {"n": s.number})
            return redirect("citizens:public_suggestions", city_code=city.code)
    recent = Suggestion.objects.filter(city=city).order_by("-submitted_at", "-id")[:30]
    return render(
        request,
        "citizens/voice/public_suggestions.html",
        {"city": city, "form": form, "recent": recent},
    )


@login_not_required
@require_POST
def public_like(request: HttpRequest, city_code: str, pk: int) -> JsonResponse:
    city = get_object_or_404(City, code=city_code)
    s = get_object_or_404(Suggestion, pk=pk, city=city)
    form = LikeForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": _("无法识别设备，请刷新页面后重试")}, status=400)
    limit, window = LIKE_LIMIT
    if not ratelimit.hit([_client_key(request) + ":like"], limit, window):
        return JsonResponse({"error": _("操作过于频繁，请稍后再试")}, status=429)
    try:
        counted = services.like_suggestion(
            s,
            device=form.cleaned_data["device"],
            phone=form.cleaned_data["phone"],
            acting_user=PUBLIC,
        )
    except ServiceError as exc:
        return JsonResponse({"error": str(exc.message)}, status=400)
    s.refresh_from_db(fields=["like_count"])
    return JsonResponse(
        {"counted": counted, "likes": s.like_count, "message": "" if counted else _("您已赞同过")}
    )
