import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.management import call_command
from django.urls import reverse

from chuangwen.core.models import Notification
from chuangwen.org.actors import SYSTEM
from chuangwen.org.choices import Role
from chuangwen.tasks import reminders, services
from chuangwen.tasks.models import Webhook
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 1)


class Robot:
    """A local group-robot endpoint on 127.0.0.1 recording what it receives."""

    def __init__(self, answer=None):
        received = self.received = []
        answer = answer or {"errcode": 0, "errmsg": "ok"}

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((self.path, self.headers["Content-Type"], json.loads(body)))
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize(
    ("days", "due"),
    [
        (7, True),
        (6, False),
        (3, True),
        (1, True),
        (0, True),
        (-1, True),
        (-2, False),
        (-8, True),
        (-15, True),
    ],
)
def test_reminder_days(days, due):
    assert reminders.is_due_for_reminder(TODAY + dt.timedelta(days=days), TODAY) is due


def test_notifications_and_webhooks_in_both_formats(tc):
    t_over = tc.task(
        "6.1.1", lead=tc.dept, supporting=[tc.district_a], deadline=TODAY - dt.timedelta(days=1)
    )
    t_soon = tc.task("6.1.2", lead=tc.dept, deadline=TODAY + dt.timedelta(days=3))
    tc.task("6.1.3", lead=tc.dept, deadline=TODAY + dt.timedelta(days=5))  # not a reminder day
    second = factories.person(tc.city, tc.dept, Role.UNIT_LIAISON, name="城管二号")
    with Robot() as wecom, Robot() as ding:
        services.create_webhook(
            tc.city,
            name="城管群",
            kind="wecom",
            url=wecom.url + "/cgi-bin/webhook/send?key=k",
            unit=tc.dept,
            acting_user=SYSTEM,
        )
        services.create_webhook(
            tc.city,
            name="全市群",
            kind="dingtalk",
            url=ding.url + "/robot/send?access_token=t",
            acting_user=SYSTEM,
        )
        hook = Webhook.objects.get(name="全市群")
        hook.secret = "SEC123"
        hook.save()
        result = reminders.send_task_reminders(tc.city.pk, today=TODAY)
        assert (result.tasks, result.digests, result.webhooks_sent, result.webhooks_failed) == (
            2,
            2,
            2,
            0,
        )
        ((path, ctype, body),) = wecom.received
        assert path == "/cgi-bin/webhook/send?key=k" and ctype.startswith("application/json")
        assert body["msgtype"] == "markdown" and set(body["markdown"]) == {"content"}
        content = body["markdown"]["content"]
        assert content.startswith("### 城管局 创文任务提醒")
        assert (
            "逾期 **1** 项，即将到期 **1** 项" in content
            and "已逾期 1 天" in content
            and "还有 3 天" in content
        )
        ((path, _, body),) = ding.received
        assert body["msgtype"] == "markdown" and body["markdown"]["title"] == "全市 创文任务提醒"
        assert "6.1.1" in body["markdown"]["text"] and "6.1.3" not in body["markdown"]["text"]
        assert "timestamp=" in path and "sign=" in path
        # the same day again: nothing twice
        again = reminders.send_task_reminders(tc.city.pk, today=TODAY)
        assert again.tasks == 0 and len(wecom.received) == 1
    texts = sorted(
        Notification.objects.filter(user=tc.dept_liaison.user).values_list("text", flat=True)
    )
    assert len(texts) == 2 and texts[0].startswith("【牵头】6.1.1")
    assert Notification.objects.filter(user=second.user).count() == 2
    (support_note,) = Notification.objects.filter(user=tc.liaison_a.user)
    assert support_note.text.startswith("【配合】6.1.1") and support_note.topic == "tasks"
    assert support_note.url == reverse("tasks:detail", args=[t_over.pk])
    assert Webhook.objects.get(name="城管群").last_status == "成功"
    assert reverse("tasks:detail", args=[t_soon.pk]) in {n.url for n in Notification.objects.all()}


def test_robot_errors_are_recorded_not_raised(tc):
    tc.task("6.1.1", lead=tc.dept, deadline=TODAY)
    with Robot(answer={"errcode": 93000, "errmsg": "invalid webhook url"}) as bad:
        services.create_webhook(
            tc.city, name="坏群", kind="wecom", url=bad.url, unit=tc.dept, acting_user=SYSTEM
        )
        services.create_webhook(
            tc.city, name="断网", kind="dingtalk", url="http://127.0.0.1:9/x", acting_user=SYSTEM
        )
        result = reminders.send_task_reminders(tc.city.pk, today=TODAY)
    assert result.webhooks_failed == 2 and sorted(result.errors) == ["坏群", "断网"]
    assert (
        Webhook.objects.get(name="坏群").last_status == "机器人返回错误 93000：invalid webhook url"
    )
    assert Webhook.objects.get(name="断网").last_status.startswith("发送失败")
    assert result.notifications == 1  # in-app notifications do not depend on the robots


def test_webhook_validation(tc):
    from chuangwen.core.errors import InvalidInput, PermissionDenied

    with pytest.raises(InvalidInput):
        services.create_webhook(
            tc.city, name="x", kind="slack", url="http://127.0.0.1/", acting_user=SYSTEM
        )
    with pytest.raises(InvalidInput):
        services.create_webhook(
            tc.city, name="x", kind="wecom", url="file:///etc/passwd", acting_user=SYSTEM
        )
    with pytest.raises(PermissionDenied):
        services.create_webhook(
            tc.city, name="x", kind="wecom", url="http://a/", acting_user=tc.liaison_a.user
        )


def test_commands_run(tc, capsys):
    tc.task("6.1.1", lead=tc.dept, deadline=dt.date.today())
    call_command("send_task_reminders", city=tc.city.code)
    assert "提醒任务 1 项" in capsys.readouterr().out
    call_command("recompute_metrics")
    assert "计算 0 项" in capsys.readouterr().out
    from chuangwen.tasks.jobs import send_reminders

    assert send_reminders.delay(tc.city.pk).get()["tasks"] == 0  # already reminded today
