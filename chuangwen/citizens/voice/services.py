"""Every write of citizens' voice: suggestions and likes, their imports, the category model
versions, hot topics and the office's edits of them."""

import hashlib
import re
import secrets
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from chuangwen.core import audit
from chuangwen.core.errors import InvalidInput, NotFound
from chuangwen.core.text import is_mobile
from chuangwen.core.xlsx import ErrorCollector, read_rows
from chuangwen.org.actors import actor_user, check_actor, require_office
from chuangwen.org.models import City

from . import classifier
from . import topics as mining
from .models import (
    MAX_TEXT,
    CategoryModel,
    Suggestion,
    SuggestionLike,
    SuggestionSource,
    SuggestionStatus,
    Topic,
    TopicItem,
    TopicStatus,
)

MIN_TRAINING_CASES = 20
MAX_TRAINING_CASES = 50_000
TOPIC_SINCE_DAYS = 365
MAX_TOPIC_MESSAGES = 20_000

# --- suggestions ------------------------------------------------------------------------------


def _key(city_id: int, value: str) -> str:
    return hashlib.sha256(f"{city_id}:{value}".encode()).hexdigest()[:40] if value else ""


def _clean_phone(phone: str, *, required: bool) -> str:
    phone = re.sub(r"[\s-]", "", phone or "")
    if not phone:
        if required:
            raise InvalidInput(_("请填写手机号"), code="required")
        return ""
    if not (is_mobile(phone) or re.fullmatch(r"\d{7,12}", phone)):
        raise InvalidInput(_("联系电话「%(p)s」格式不正确") % {"p": phone[:20]}, code="bad_phone")
    return phone


def clean_text(text: str) -> str:
    """The text as stored: trimmed, tags removed (it is escaped when shown anyway), bounded."""
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise InvalidInput(_("内容不能超过 %(n)d 字") % {"n": MAX_TEXT}, code="too_long")
    text = strip_tags(text).strip()
    if not text:
        raise InvalidInput(_("请填写意见建议的内容"), code="required")
    return text


def _number() -> str:
    return f"YJ{timezone.localdate():%y%m%d}{secrets.token_hex(3).upper()}"


@transaction.atomic
def submit_suggestion(
    city: City,
    *,
    text: str,
    source: str = SuggestionSource.PUBLIC,
    place: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    lon: float | None = None,
    lat: float | None = None,
    external_id: str = "",
    submitted_at: datetime | None = None,
    acting_user: Any,
) -> Suggestion:
    """One suggestion. The public page needs a phone number (the follow-up contact, and one
    like per phone); imports and the office may leave it out."""
    check_actor(acting_user)
    if source not in SuggestionSource.values:
        raise InvalidInput(_("来源无效"), code="bad_source")
    if source != SuggestionSource.PUBLIC:
        require_office(acting_user, city)
    text = clean_text(text)
    phone = _clean_phone(contact_phone, required=source == SuggestionSource.PUBLIC)
    now = timezone.now()
    when = submitted_at or now
    if when > now + timedelta(minutes=5):
        raise InvalidInput(_("提出时间不能晚于当前时间"), code="bad_time")
    if (lon is None) != (lat is None):
        raise InvalidInput(_("经度和纬度须同时填写"), code="bad_location")
    if lon is not None and not (-180 <= lon <= 180 and -90 <= lat <= 90):  # type: ignore[operator]
        raise InvalidInput(_("坐标超出范围"), code="bad_location")
    s = Suggestion.objects.create(
        city=city,
        number=_number(),
        source=source,
        text=text,
        place=strip_tags(place or "").strip()[:200],
        lon=lon,
        lat=lat,
        contact_name=strip_tags(contact_name or "").strip()[:50],
        contact_phone=phone,
        person_key=_key(city.pk, phone),
        external_id=(external_id or "")[:64],
        submitted_at=when,
        created_by=actor_user(acting_user),
    )
    audit.record(
        "citizens.suggestion.submitted",
        s,
        actor=acting_user,
        after={"number": s.number, "source": source},
        summary=s.text[:100],
    )
    return s


def like_suggestion(
    suggestion: Suggestion, *, device: str, phone: str = "", acting_user: Any
) -> bool:
    """One like per device and per phone number, held by the database's UNIQUE constraints;
    False (nothing counted) when this device or phone has already liked it."""
    check_actor(acting_user)
    device = (device or "").strip()
    if not (8 <= len(device) <= 100):
        raise InvalidInput(_("无法识别设备，请刷新页面后重试"), code="bad_device")
    phone = _clean_phone(phone, required=False)
    try:
        with transaction.atomic():
            SuggestionLike.objects.create(
                suggestion=suggestion,
                device_key=_key(suggestion.city_id, "device:" + device),
                phone_key=_key(suggestion.city_id, "phone:" + phone) if phone else "",
            )
            Suggestion.objects.filter(pk=suggestion.pk).update(like_count=F("like_count") + 1)
    except IntegrityError:
        return False
    return True


@transaction.atomic
def set_suggestion_status(
    suggestion: Suggestion, *, status: str, reply: str = "", acting_user: Any
) -> Suggestion:
    require_office(acting_user, suggestion.city_id)
    if status not in SuggestionStatus.values:
        raise InvalidInput(_("状态无效"), code="bad_status")
    s = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    before = audit.snapshot(s, ["status", "reply"])
    s.status = status
    s.reply = strip_tags(reply or "").strip()[:MAX_TEXT]
    s.save(update_fields=["status", "reply", "updated_at"])
    audit.record(
        "citizens.suggestion.status",
        s,
        actor=acting_user,
        before=before,
        after=audit.snapshot(s, ["status", "reply"]),
        summary=s.number,
    )
    return s


def import_hotline_suggestions(city: City, orders: Sequence[Any], *, acting_user: Any) -> int:
    """The handler of 12345 orders of kind 建议 (``cases.registry``): each a Suggestion."""
    require_office(acting_user, city)
    ids = [o.external_id for o in orders]
    known = set(
        Suggestion.objects.filter(
            city=city, source=SuggestionSource.HOTLINE, external_id__in=ids
        ).values_list("external_id", flat=True)
    )
    errors = ErrorCollector()
    for n, o in enumerate(orders, start=1):
        if o.external_id in known:
            errors.add(None, "工单编号", _("建议类工单「%(id)s」已导入过") % {"id": o.external_id})
        if len(o.text) > MAX_TEXT:
            errors.add(
                None, "诉求内容", _("第 %(n)d 条建议超过 %(m)d 字") % {"n": n, "m": MAX_TEXT}
            )
    errors.raise_if_any()
    for o in orders:
        submit_suggestion(
            city,
            text=o.text,
            source=SuggestionSource.HOTLINE,
            place=o.address,
            contact_name=o.name,
            contact_phone=o.phone,
            lon=o.lon,
            lat=o.lat,
            external_id=o.external_id,
            submitted_at=o.reported_at,
            acting_user=acting_user,
        )
    return len(orders)


SURVEY_REQUIRED = ["内容"]
SURVEY_OPTIONAL = ["编号", "地点", "联系人", "联系电话", "提交时间"]


@transaction.atomic
def import_survey(city: City, file: IO[bytes] | bytes, *, acting_user: Any) -> int:
    """Survey answers (问卷) from Excel, all or nothing: 内容*, 编号, 地点, 联系人, 联系电话,
    提交时间 (yyyy-mm-dd [hh:mm])."""
    require_office(acting_user, city)
    errors = ErrorCollector()
    rows = list(read_rows(file, SURVEY_REQUIRED, SURVEY_OPTIONAL))
    good: list[dict[str, Any]] = []
    now = timezone.now()
    for number, row in rows:
        text = str(row.get("内容") or "").strip()
        item: dict[str, Any] = {"text": text}
        try:
            item["text"] = clean_text(text)
        except InvalidInput as exc:
            errors.add(number, "内容", str(exc.message))
        try:
            item["contact_phone"] = _clean_phone(str(row.get("联系电话") or ""), required=False)
        except InvalidInput as exc:
            errors.add(number, "联系电话", str(exc.message))
        when = row.get("提交时间")
        if isinstance(when, str):
            raw = when.strip()[:16]
            for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
                try:
                    when = datetime.strptime(raw, fmt)
                    break
                except ValueError:
                    continue
        if isinstance(when, datetime):
            when = timezone.make_aware(when) if timezone.is_naive(when) else when
            if when > now:
                errors.add(number, "提交时间", _("不能晚于当前时间"))
            item["submitted_at"] = when
        elif when is not None:
            errors.add(number, "提交时间", _("格式应为 yyyy-mm-dd hh:mm"))
        item["place"] = str(row.get("地点") or "")[:200]
        item["contact_name"] = str(row.get("联系人") or "")[:50]
        item["external_id"] = str(row.get("编号") or "")[:64]
        good.append(item)
    if not rows:
        errors.add(None, "", _("文件中没有数据"))
    ids = [g["external_id"] for g in good if g["external_id"]]
    if len(ids) != len(set(ids)):
        errors.add(None, "编号", _("文件中有重复的编号"))
    if Suggestion.objects.filter(
        city=city, source=SuggestionSource.SURVEY, external_id__in=ids
    ).exists():
        errors.add(None, "编号", _("有编号已导入过"))
    errors.raise_if_any()
    for g in good:
        submit_suggestion(city, source=SuggestionSource.SURVEY, acting_user=acting_user, **g)
    return len(good)


# --- the category model -----------------------------------------------------------------------

_cache_lock = threading.Lock()
_cache: dict[int, tuple[int, classifier.TrainedModel]] = {}


def _training_cases(city_id: int) -> Any:
    """The city's verified or closed cases with an active category and a text."""
    from chuangwen.cases.choices import State
    from chuangwen.cases.models import Case

    return Case.objects.filter(
        city_id=city_id,
        state__in=[State.VERIFIED, State.CLOSED, State.RATED],
        category__isnull=False,
        category__active=True,
    ).exclude(description="")


def training_cases_count(city_id: int) -> int:
    """How many cases the next version would learn from (at most ``MAX_TRAINING_CASES``)."""
    return min(_training_cases(city_id).count(), MAX_TRAINING_CASES)


def training_data(city_id: int) -> tuple[list[str], list[str]]:
    """The cases a version learns from: (texts, category codes), newest first."""
    rows = (
        _training_cases(city_id)
        .order_by("-id")
        .values_list("description", "category__code")[:MAX_TRAINING_CASES]
    )
    texts, labels = [], []
    for text, code in rows:
        texts.append(text)
        labels.append(code)
    return texts, labels


def category_descriptions(city_id: int) -> dict[str, list[str]]:
    """What each active category is, in words (大类 + 小类 name): one more example of it."""
    from chuangwen.cases.models import Category

    out: dict[str, list[str]] = {}
    for code, major, name in Category.objects.filter(city_id=city_id, active=True).values_list(
        "code", "major_name", "name"
    ):
        out.setdefault(code, []).append(f"{major}，{name}")
    return out


def train_category_model(
    city: City, *, acting_user: Any, progress: Any = None, activate_first: bool = True
) -> CategoryModel:
    """Train a new version on the city's closed cases: its quality measured on a held-out
    30 % (never trained on), then the model fitted on all of them. The first version of a
    city is activated at once; later ones wait for the office."""
    require_office(acting_user, city)
    texts, labels = training_data(city.pk)
    if len(texts) < MIN_TRAINING_CASES or len(set(labels)) < 2:
        raise InvalidInput(
            _("已结案且有类别的案件不足 %(n)d 件（或类别少于 2 个），暂不能训练")
            % {"n": MIN_TRAINING_CASES},
            code="too_few",
        )
    if progress:
        progress(1, 3)
    descriptions = category_descriptions(city.pk)
    ev = classifier.evaluate(texts, labels, test_size=0.3, seed=42, descriptions=descriptions)
    if progress:
        progress(2, 3)
    model = classifier.train_model(texts, labels, descriptions=descriptions)
    data = model.dumps()
    with transaction.atomic():
        City.objects.select_for_update().get(pk=city.pk)  # versions numbered one at a time
        last = CategoryModel.objects.filter(city=city).order_by("-version").first()
        row = CategoryModel.objects.create(
            city=city,
            version=(last.version + 1) if last else 1,
            data=data,
            size=len(data),
            macro_f1=round(ev.macro_f1, 4),
            accuracy=round(ev.accuracy, 4),
            n_train=ev.n_train,
            n_test=ev.n_test,
            train_seconds=round(ev.train_s, 2),
            class_counts=ev.class_counts,
            per_class_f1=ev.per_class_f1,
            trained_by=actor_user(acting_user),
        )
        audit.record(
            "citizens.model.trained",
            row,
            actor=acting_user,
            after={"version": row.version, "macro_f1": row.macro_f1, "accuracy": row.accuracy},
            summary=f"v{row.version}",
        )
        if activate_first and last is None:
            _activate(row, acting_user)
    if progress:
        progress(3, 3)
    return row


def _activate(row: CategoryModel, acting_user: Any) -> None:
    CategoryModel.objects.filter(city_id=row.city_id, active=True).exclude(pk=row.pk).update(
        active=False
    )
    row.active = True
    row.activated_at = timezone.now()
    row.save(update_fields=["active", "activated_at", "updated_at"])
    audit.record(
        "citizens.model.activated",
        row,
        actor=acting_user,
        after={"version": row.version},
        summary=f"v{row.version}",
    )


@transaction.atomic
def activate_category_model(row: CategoryModel, *, acting_user: Any) -> CategoryModel:
    require_office(acting_user, row.city_id)
    City.objects.select_for_update().get(pk=row.city_id)
    row = CategoryModel.objects.select_for_update().get(pk=row.pk)
    if not row.active:
        _activate(row, acting_user)
    return row


def active_model(city_id: int) -> classifier.TrainedModel | None:
    """The city's active model, loaded once per version and process."""
    current = (
        CategoryModel.objects.filter(city_id=city_id, active=True)
        .values_list("pk", flat=True)
        .first()
    )
    if current is None:
        return None
    cached = _cache.get(city_id)
    if cached and cached[0] == current:
        return cached[1]
    data = CategoryModel.objects.filter(pk=current).values_list("data", flat=True).first()
    if data is None:
        return None
    try:
        model = classifier.loads(bytes(data))
    except Exception:
        return None
    with _cache_lock:
        _cache[city_id] = (current, model)
    return model


def suggest(city_id: int, texts: Sequence[str], k: int = 3) -> list[list[tuple[str, float]]]:
    """The registered category suggester of ``cases.registry``: top ``k`` (code, confidence)."""
    model = active_model(city_id)
    if model is None:
        return [[] for _ in texts]
    out = []
    for preds in model.top([t or "" for t in texts], k):
        out.append([(p.label, p.confidence) for p in preds])
    return out


# --- hot topics -------------------------------------------------------------------------------


def _address_book(city_id: int) -> list[str]:
    """Place names of the city for the segmenter: units, grids, sites, the address book."""
    from chuangwen.cases.models import AddressEntry
    from chuangwen.org.models import Grid, Unit
    from chuangwen.sites.models import Site

    names: list[str] = []
    names += Unit.objects.filter(city_id=city_id).values_list("name", flat=True)[:20000]
    names += Grid.objects.filter(city_id=city_id).values_list("name", flat=True)[:20000]
    names += Site.objects.filter(city_id=city_id).values_list("name", flat=True)[:20000]
    names += AddressEntry.objects.filter(city_id=city_id).values_list("keyword", flat=True)[:20000]
    return [n for n in names if n]


def _messages(city_id: int, since: datetime, exclude: set[str]) -> list[mining.Message]:
    from chuangwen.cases.choices import State
    from chuangwen.cases.models import Case

    out: list[mining.Message] = []
    for pk, text, place, at, person, likes in (
        Suggestion.objects.filter(city_id=city_id, submitted_at__gte=since)
        .order_by("-submitted_at")
        .values_list("pk", "text", "place", "submitted_at", "person_key", "like_count")[
            :MAX_TOPIC_MESSAGES
        ]
    ):
        key = f"suggestion:{pk}"
        if key not in exclude:
            out.append(mining.Message(key, text, at, person, likes, places=(place,)))
    cases = (
        Case.objects.filter(city_id=city_id, reported_at__gte=since, duplicate_of__isnull=True)
        .exclude(state=State.REJECTED)
        .exclude(description="")
        .order_by("-reported_at")
        .values_list("pk", "description", "address", "reported_at", "report_count", "grid__name")[
            :MAX_TOPIC_MESSAGES
        ]
    )
    for pk, text, address, at, count, grid in cases:
        key = f"case:{pk}"
        if key not in exclude:
            # a case stands for its reports (并单): each further report one more like; its
            # place: the address as written, and the grid it lies in
            out.append(
                mining.Message(
                    key, text, at, key, max(count - 1, 0), places=(address[:60], grid or "")
                )
            )
    return out


def _apply_summary(topic: Topic, t: mining.Topic) -> None:
    topic.heat, topic.people, topic.messages, topic.likes = t.heat, t.people, t.messages, t.likes
    topic.first_at, topic.last_at = t.first_at, t.last_at


def _item_kwargs(key: str) -> dict[str, int]:
    kind, pk = key.split(":", 1)
    return {"suggestion_id": int(pk)} if kind == "suggestion" else {"case_id": int(pk)}


@transaction.atomic
def recompute_topics(
    city: City, *, acting_user: Any, since_days: int = TOPIC_SINCE_DAYS
) -> dict[str, int]:
    """Mine the topics again. Topics the office has edited (``locked``: renamed, merged,
    split, discarded) keep their name and messages; their messages are not mined again. The
    other topics are replaced; a new topic takes the name of the old one it mostly covers
    when the office had not touched it either — so nothing the office did is lost."""
    require_office(acting_user, city)
    City.objects.select_for_update().get(pk=city.pk)  # one recompute at a time per city
    since = timezone.now() - timedelta(days=since_days)
    locked = Topic.objects.filter(city=city, locked=True)
    taken = {
        i.key for i in TopicItem.objects.filter(topic__in=locked).only("suggestion_id", "case_id")
    }
    msgs = _messages(city.pk, since, taken)
    found = mining.mine(msgs, segmenter=mining.Segmenter(_address_book(city.pk)))
    TopicItem.objects.filter(topic__city=city, topic__locked=False).delete()
    Topic.objects.filter(city=city, locked=False).delete()
    created = 0
    for t in found:
        topic = Topic(
            city=city,
            name=t.name[:100],
            place=t.place[:100],
            keywords=t.keywords,
            signature=t.signature,
        )
        _apply_summary(topic, t)
        topic.save()
        TopicItem.objects.bulk_create([TopicItem(topic=topic, **_item_kwargs(k)) for k in t.keys])
        created += 1
    for topic in locked.filter(status=TopicStatus.ACTIVE):
        refresh_topic_figures(topic)
    audit.record(
        "citizens.topics.recomputed",
        city,
        actor=acting_user,
        after={"topics": created, "messages": len(msgs), "kept": locked.count()},
        summary=_("热点话题重新计算：%(n)d 个") % {"n": created},
    )
    return {"topics": created, "messages": len(msgs), "kept": locked.count()}


def _topic_messages(topic: Topic) -> list[mining.Message]:
    out = []
    for item in topic.items.select_related("suggestion", "case"):
        if item.suggestion is not None:
            s = item.suggestion
            out.append(mining.Message(item.key, s.text, s.submitted_at, s.person_key, s.like_count))
        elif item.case is not None:
            c = item.case
            out.append(
                mining.Message(
                    item.key, c.description, c.reported_at, item.key, max(c.report_count - 1, 0)
                )
            )
    return out


def refresh_topic_figures(topic: Topic) -> Topic:
    msgs = _topic_messages(topic)
    if msgs:
        t = mining.summarize([m.key for m in msgs], msgs, name="", place="", keywords=[])
        _apply_summary(topic, t)
    else:
        topic.heat = topic.people = topic.messages = topic.likes = 0
    topic.save(
        update_fields=["heat", "people", "messages", "likes", "first_at", "last_at", "updated_at"]
    )
    return topic


def _lock(topic_id: int, city_id: int | None = None) -> Topic:
    qs = Topic.objects.select_for_update().filter(pk=topic_id)
    if city_id is not None:
        qs = qs.filter(city_id=city_id)
    topic = qs.first()
    if topic is None:
        raise NotFound()
    return topic


@transaction.atomic
def rename_topic(topic: Topic, *, name: str, acting_user: Any) -> Topic:
    require_office(acting_user, topic.city_id)
    name = strip_tags(name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput(_("名称须为 1–100 字"), code="bad_name")
    topic = _lock(topic.pk)
    before = {"name": topic.name}
    topic.name = name
    topic.locked = True
    topic.save(update_fields=["name", "locked", "updated_at"])
    audit.record(
        "citizens.topic.renamed", topic, actor=acting_user, before=before, after={"name": name}
    )
    return topic


@transaction.atomic
def discard_topic(topic: Topic, *, acting_user: Any) -> Topic:
    """Not a topic (an advert, a mix-up): kept with its messages, so they do not come back."""
    require_office(acting_user, topic.city_id)
    topic = _lock(topic.pk)
    topic.status = TopicStatus.DISCARDED
    topic.locked = True
    topic.save(update_fields=["status", "locked", "updated_at"])
    audit.record("citizens.topic.discarded", topic, actor=acting_user, summary=topic.name)
    return topic


@transaction.atomic
def restore_topic(topic: Topic, *, acting_user: Any) -> Topic:
    require_office(acting_user, topic.city_id)
    topic = _lock(topic.pk)
    if topic.status != TopicStatus.DISCARDED:
        raise InvalidInput(_("只有已忽略的话题可以恢复"), code="bad_state")
    topic.status = TopicStatus.ACTIVE
    topic.save(update_fields=["status", "updated_at"])
    refresh_topic_figures(topic)
    audit.record("citizens.topic.restored", topic, actor=acting_user, summary=topic.name)
    return topic


@transaction.atomic
def merge_topics(target: Topic, others: Sequence[Topic], *, acting_user: Any) -> Topic:
    """Move the messages of ``others`` into ``target``; the others stay as 已合并 pointers."""
    require_office(acting_user, target.city_id)
    ids = sorted({o.pk for o in others} - {target.pk})
    if not ids:
        raise InvalidInput(_("请选择要合并的其他话题"), code="nothing")
    target = _lock(target.pk)
    rows = list(
        Topic.objects.select_for_update().filter(pk__in=ids, city_id=target.city_id).order_by("pk")
    )
    if len(rows) != len(ids):
        raise NotFound()
    if target.status != TopicStatus.ACTIVE or any(r.status == TopicStatus.MERGED for r in rows):
        raise InvalidInput(_("已忽略或已合并的话题不能合并"), code="bad_state")
    TopicItem.objects.filter(topic_id__in=ids).update(topic=target)
    Topic.objects.filter(pk__in=ids).update(
        status=TopicStatus.MERGED, merged_into=target, locked=True, heat=0, messages=0
    )
    target.locked = True
    target.save(update_fields=["locked", "updated_at"])
    refresh_topic_figures(target)
    audit.record(
        "citizens.topic.merged",
        target,
        actor=acting_user,
        after={"merged": ids},
        summary=target.name,
    )
    return target


@transaction.atomic
def split_topic(topic: Topic, *, item_ids: Sequence[int], name: str, acting_user: Any) -> Topic:
    """Move the chosen messages of ``topic`` to a new topic named ``name``; both are kept
    through later recomputes."""
    require_office(acting_user, topic.city_id)
    name = strip_tags(name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput(_("新话题名称须为 1–100 字"), code="bad_name")
    topic = _lock(topic.pk)
    if topic.status != TopicStatus.ACTIVE:
        raise InvalidInput(_("只有有效的话题可以拆分"), code="bad_state")
    items = list(TopicItem.objects.filter(topic=topic, pk__in=list(item_ids)))
    total = TopicItem.objects.filter(topic=topic).count()
    if not items or len(items) != len(set(item_ids)):
        raise InvalidInput(_("请选择本话题中的留言"), code="bad_items")
    if len(items) >= total:
        raise InvalidInput(_("不能把全部留言拆出，请改用重命名"), code="bad_items")
    new = Topic.objects.create(
        city_id=topic.city_id, name=name, place=topic.place, keywords=[], locked=True
    )
    TopicItem.objects.filter(pk__in=[i.pk for i in items]).update(topic=new)
    topic.locked = True
    topic.save(update_fields=["locked", "updated_at"])
    refresh_topic_figures(topic)
    refresh_topic_figures(new)
    audit.record(
        "citizens.topic.split",
        topic,
        actor=acting_user,
        after={"new_topic": new.pk, "items": [i.pk for i in items]},
        summary=name,
    )
    return new
