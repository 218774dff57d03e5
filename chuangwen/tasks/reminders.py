"""Deadline reminders: in-app notifications to the liaisons of the units concerned, and a
digest per unit posted to the group robots (WeCom / DingTalk webhooks) configured for it.

A task is reminded when it is due in exactly 7, 3 or 1 days or today, and when it is overdue
by 1, 8, 15 … days (once a week); never twice on the same day (``Task.last_reminded_on``).
Run daily by ``manage.py send_task_reminders`` or the Celery beat job ``tasks.send_reminders``.
"""

import base64
import datetime as dt
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from chuangwen.core.models import Notification
from chuangwen.org.choices import Role
from chuangwen.org.models import Membership, Unit

from .choices import OPEN_STATUSES, WebhookKind
from .models import Task, TaskSupport, Webhook

DUE_DAYS = (7, 3, 1, 0)
TIMEOUT_S = 5.0
MAX_LINES = 20


@dataclass
class ReminderResult:
    tasks: int = 0
    notifications: int = 0
    digests: int = 0
    webhooks_sent: int = 0
    webhooks_failed: int = 0
    errors: list[str] = field(default_factory=list)


def is_due_for_reminder(deadline: dt.date | None, today: dt.date) -> bool:
    if deadline is None:
        return False
    left = (deadline - today).days
    return left in DUE_DAYS or (left < 0 and (-left - 1) % 7 == 0)


def _line(task: Task, today: dt.date) -> str:
    left = (task.deadline - today).days if task.deadline else 0
    when = f"已逾期 {-left} 天" if left < 0 else ("今天到期" if left == 0 else f"还有 {left} 天")
    return f"{task.indicator.code} {task.indicator.title}（时限 {task.deadline:%Y-%m-%d}，{when}）"


def digest_markdown(unit_name: str, tasks: list[Task], today: dt.date) -> tuple[str, str]:
    """(title, markdown) of a unit's digest."""
    overdue = [t for t in tasks if t.deadline and t.deadline < today]
    soon = [t for t in tasks if t not in overdue]
    title = f"{unit_name} 创文任务提醒"
    lines = [f"### {title}", f"> 逾期 **{len(overdue)}** 项，即将到期 **{len(soon)}** 项"]
    for t in (overdue + soon)[:MAX_LINES]:
        lines.append(f"- {'🔴 ' if t in overdue else ''}{_line(t, today)}")
    if len(tasks) > MAX_LINES:
        lines.append(f"- ……共 {len(tasks)} 项，请登录创文平台查看作战图")
    return title, "\n".join(lines)


# the message format of each robot kind: (title, markdown) → JSON body. Another robot (飞书,
# a city's own gateway) plugs in with a WebhookKind value and an entry here.
PAYLOADS: dict[str, Callable[[str, str], dict[str, Any]]] = {
    WebhookKind.WECOM: lambda title, text: {"msgtype": "markdown", "markdown": {"content": text}},
    WebhookKind.DINGTALK: lambda title, text: {
        "msgtype": "markdown",
        "markdown": {"title": title, "text": text},
    },
}


def webhook_payload(kind: str, title: str, markdown: str) -> dict[str, Any]:
    return PAYLOADS[kind](title, markdown)


def signed_url(hook: Webhook, now_ms: int | None = None) -> str:
    """DingTalk "加签": timestamp and HMAC-SHA256 signature appended to the URL."""
    if hook.kind != WebhookKind.DINGTALK or not hook.secret:
        return hook.url
    ts = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(hook.secret.encode(), f"{ts}\n{hook.secret}".encode(), hashlib.sha256)
    sign = urllib.parse.quote_plus(base64.b64encode(digest.digest()))
    sep = "&" if "?" in hook.url else "?"
    return f"{hook.url}{sep}timestamp={ts}&sign={sign}"


def post_webhook(hook: Webhook, title: str, markdown: str, timeout: float = TIMEOUT_S) -> bool:
    """POST the message; record the outcome on the webhook row. Never raises."""
    body = json.dumps(webhook_payload(hook.kind, title, markdown), ensure_ascii=False).encode()
    request = urllib.request.Request(
        signed_url(hook),
        data=body,
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    ok, status = False, ""
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read(64 * 1024)
        try:
            answer = json.loads(raw or b"{}")
        except ValueError:
            answer = {}
        code = answer.get("errcode", 0) if isinstance(answer, dict) else 0
        ok = code == 0
        status = "成功" if ok else f"机器人返回错误 {code}：{answer.get('errmsg', '')}"
    except urllib.error.HTTPError as exc:
        status = f"HTTP {exc.code}"
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        status = f"发送失败：{getattr(exc, 'reason', exc)}"
    Webhook.objects.filter(pk=hook.pk).update(last_sent_at=timezone.now(), last_status=status[:300])
    return ok


def _liaisons(unit_ids: set[int]) -> dict[int, list[int]]:
    users: dict[int, list[int]] = defaultdict(list)
    rows = Membership.objects.filter(
        unit_id__in=unit_ids, role=Role.UNIT_LIAISON, person__active=True
    ).values_list("unit_id", "person__user_id")
    for unit_id, user_id in rows:
        users[unit_id].append(user_id)
    return users


def send_task_reminders(city_id: int | None = None, today: dt.date | None = None) -> ReminderResult:
    today = today or timezone.localdate()
    result = ReminderResult()
    qs = Task.objects.filter(status__in=list(OPEN_STATUSES), deadline__isnull=False).exclude(
        last_reminded_on=today
    )
    if city_id is not None:
        qs = qs.filter(city_id=city_id)
    horizon = today + dt.timedelta(days=max(DUE_DAYS))
    candidates = list(qs.filter(deadline__lte=horizon).select_related("indicator"))
    tasks = [t for t in candidates if is_due_for_reminder(t.deadline, today)]
    if not tasks:
        return result
    by_unit: dict[int, list[Task]] = defaultdict(list)
    by_id = {t.pk: t for t in tasks}
    for t in tasks:
        by_unit[t.lead_unit_id].append(t)
    for task_id, unit_id in TaskSupport.objects.filter(task__in=tasks).values_list(
        "task_id", "unit_id"
    ):
        by_unit[unit_id].append(by_id[task_id])
    liaisons = _liaisons(set(by_unit))
    urls = {t.pk: reverse("tasks:detail", args=[t.pk]) for t in tasks}
    notes = []
    for unit_id, unit_tasks in by_unit.items():
        for user_id in liaisons.get(unit_id, []):
            for t in unit_tasks:
                role = "牵头" if t.lead_unit_id == unit_id else "配合"
                notes.append(
                    Notification(
                        user_id=user_id,
                        topic="tasks",
                        url=urls[t.pk],
                        text=f"【{role}】{_line(t, today)}"[:300],
                    )
                )
    with transaction.atomic():
        Notification.objects.bulk_create(notes, batch_size=1000)
        Task.objects.filter(pk__in=[t.pk for t in tasks]).update(last_reminded_on=today)
    result.tasks, result.notifications = len(tasks), len(notes)
    # digests, after the rows are committed
    names = dict(Unit.objects.filter(pk__in=list(by_unit)).values_list("pk", "name"))
    hooks = list(Webhook.objects.filter(active=True, city_id__in={t.city_id for t in tasks}))
    for hook in hooks:
        if hook.unit_id is not None:
            mine = sorted(by_unit.get(hook.unit_id, []), key=lambda t: (t.deadline, t.pk))
            if not mine:
                continue
            title, text = digest_markdown(names.get(hook.unit_id, ""), mine, today)
        else:
            mine = sorted(
                (t for t in tasks if t.city_id == hook.city_id), key=lambda t: (t.deadline, t.pk)
            )
            if not mine:
                continue
            title, text = digest_markdown("全市", mine, today)
        result.digests += 1
        if post_webhook(hook, title, text):
            result.webhooks_sent += 1
        else:
            result.webhooks_failed += 1
            result.errors.append(hook.name)
    return result
