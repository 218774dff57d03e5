"""The one in-app Notification of every app: core.services.notify, the reads, 我的消息, the
navbar badge, and the migration that moved the cases' and tasks' own notifications here."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chuangwen.core import selectors, services
from chuangwen.core.models import Notification


@pytest.fixture
def told(django_capture_on_commit_callbacks):
    """Notify through the service, the transaction committed."""

    def send(users, text, **kw):
        with django_capture_on_commit_callbacks(execute=True):
            services.notify([u.pk for u in users], text, **kw)

    return send


def test_notify_writes_on_commit_only_once_per_user(small_city, django_capture_on_commit_callbacks):
    a, b = small_city.liaison_a.user, small_city.liaison_b.user
    with django_capture_on_commit_callbacks() as callbacks:
        services.notify([a.pk, None, b.pk, a.pk, 0], "长" * 400, url="/cases/1/", topic="cases")
        assert not Notification.objects.exists()  # nothing before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    rows = list(Notification.objects.order_by("user_id").values_list("user_id", "topic", "url"))
    assert rows == sorted([(a.pk, "cases", "/cases/1/"), (b.pk, "cases", "/cases/1/")])
    assert {len(t) for t in Notification.objects.values_list("text", flat=True)} == {300}
    assert not Notification.objects.filter(read_at__isnull=False).exists()


def test_notify_nobody_queues_nothing(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.notify([None, 0], "无人")
    assert callbacks == []


def test_reads_and_mark_read_are_per_user(small_city, told):
    a, b = small_city.liaison_a.user, small_city.liaison_b.user
    told([a], "一")
    told([a, b], "二")
    told([a], "三")
    assert selectors.unread_count(a) == 3 and selectors.unread_count(b) == 1
    assert [n.text for n in selectors.recent_unread(a, limit=2)] == ["三", "二"]
    first = Notification.objects.get(user=a, text="一")
    assert services.mark_notifications_read(a, ids=[first.pk]) == 1
    assert selectors.unread_count(a) == 2
    assert services.mark_notifications_read(a) == 2
    assert selectors.unread_count(a) == 0 and selectors.recent_unread(a) == []
    assert selectors.unread_count(b) == 1  # another user's are untouched


def test_anonymous_has_nothing(db):
    from django.contrib.auth.models import AnonymousUser

    assert selectors.unread_count(AnonymousUser()) == 0
    assert selectors.recent_unread(AnonymousUser()) == []


def test_page_lists_own_notifications_only(
    small_city, told, client_for, django_assert_max_num_queries
):
    a, b = small_city.liaison_a, small_city.liaison_b
    told([a.user], "甲区的消息", url="/cases/7/", topic="cases")
    told([a.user], "已读的消息", topic="tasks")
    services.mark_notifications_read(a.user, ids=[Notification.objects.get(text="已读的消息").pk])
    told([b.user], "乙区的秘密")
    c = client_for(a)
    c.get(reverse("notifications"))  # warm the per-session lookups
    with django_assert_max_num_queries(10):
        r = c.get(reverse("notifications"))
    body = r.content.decode()
    assert r.status_code == 200 and "我的消息" in body
    assert '<a href="/cases/7/">甲区的消息</a>' in body
    assert "已读的消息" in body and "乙区的秘密" not in body
    assert body.count('<tr class="fw-bold">') == 1  # only the unread one
    assert "乙区的秘密" in client_for(b).get(reverse("notifications")).content.decode()


def test_page_paginates(small_city, told, client_for):
    a = small_city.liaison_a
    for i in range(55):
        told([a.user], f"第{i}条消息")
    c = client_for(a)
    assert "第54条消息" in c.get(reverse("notifications")).content.decode()
    second = c.get(reverse("notifications"), {"page": 2}).content.decode()
    assert "第0条消息" in second and "第54条消息" not in second


def test_mark_all_read_changes_only_own_rows(small_city, told, client_for):
    a, b = small_city.liaison_a, small_city.liaison_b
    told([a.user, b.user], "两人都收到")
    told([a.user], "甲区的第二条")
    r = client_for(a).post(reverse("notifications"))
    assert r.status_code == 302 and r.url == reverse("notifications")
    assert not Notification.objects.filter(user=a.user, read_at__isnull=True).exists()
    assert Notification.objects.get(user=b.user).read_at is None
    # back to the page it came from, never to another site
    told([a.user], "再来一条")
    r = client_for(a).post(reverse("notifications"), {"next": reverse("cases:inbox")})
    assert r.url == reverse("cases:inbox")
    r = client_for(a).post(reverse("notifications"), {"next": "https://evil.example/"})
    assert r.url == reverse("notifications")


def test_badge_shows_the_count_or_nothing(small_city, told, client_for):
    a = small_city.liaison_a
    c = client_for(a)
    assert c.get(reverse("notifications_badge")).content == b""
    told([a.user], "一")
    told([a.user], "二")
    told([small_city.liaison_b.user], "别人的")
    badge = c.get(reverse("notifications_badge"))
    assert badge.content == b'<span class="badge bg-warning text-dark">2</span>'
    assert c.post(reverse("notifications_badge")).status_code == 405


def test_every_page_links_to_my_messages(small_city, client_for):
    body = client_for(small_city.office).get(reverse("home")).content.decode()
    assert reverse("notifications") in body and reverse("notifications_badge") in body


@pytest.mark.parametrize("name", ["notifications", "notifications_badge"])
def test_anonymous_is_sent_to_login(db, name):
    r = Client().get(reverse(name))
    assert r.status_code == 302 and r.url.startswith(reverse("login"))


@pytest.mark.django_db(transaction=True)
def test_migration_moves_case_and_task_notifications_to_core():
    """Back to before the move, the old rows written, forward again: they are core rows now."""
    from tests.cases.conftest import CaseCity
    from tests.factories import SmallCity
    from tests.tasks.conftest import TaskCity

    sc = SmallCity()
    case = CaseCity(sc).intake().case
    task = TaskCity(sc).task()
    Notification.objects.all().delete()
    before = [
        ("cases", "0004_drop_notification_unread_index"),
        ("tasks", "0001_initial"),
        ("core", "0002_notification"),
    ]
    user = sc.liaison_a.user
    read_at = timezone.now() - timedelta(days=1)
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        old_case_note = old.get_model("cases", "Notification").objects
        old_case_note.create(user_id=user.pk, case_id=case.pk, text="新派遣案件")
        old_case_note.create(user_id=user.pk, text="无案件", read_at=read_at)
        old.get_model("tasks", "Notification").objects.create(
            user_id=user.pk, task_id=task.pk, text="任务提醒"
        )
    finally:
        executor = MigrationExecutor(connection)  # the graph as it is now, applied again
        executor.migrate(executor.loader.graph.leaf_nodes())
    rows = set(Notification.objects.values_list("user_id", "topic", "text", "url", "read_at"))
    assert rows == {
        (user.pk, "cases", "新派遣案件", reverse("cases:detail", args=[case.pk]), None),
        (user.pk, "cases", "无案件", "", read_at),
        (user.pk, "tasks", "任务提醒", reverse("tasks:detail", args=[task.pk]), None),
    }
