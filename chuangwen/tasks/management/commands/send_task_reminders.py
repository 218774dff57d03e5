from django.core.management.base import BaseCommand, CommandError

from chuangwen.org.models import City
from chuangwen.tasks.reminders import send_task_reminders


class Command(BaseCommand):
    help = (
        "发送任务到期提醒：站内通知各单位联络员，并按单位向企业微信/钉钉群机器人推送摘要"
        "（每日运行）"
    )

    def add_arguments(self, parser):
        parser.add_argument("--city", help="城市代码（默认全部城市）")

    def handle(self, *args, **opts):
        city_id = None
        if opts["city"]:
            city_id = City.objects.filter(code=opts["city"]).values_list("pk", flat=True).first()
            if city_id is None:
                raise CommandError(f"城市「{opts['city']}」不存在")
        r = send_task_reminders(city_id)
        self.stdout.write(
            f"提醒任务 {r.tasks} 项，站内通知 {r.notifications} 条，摘要 {r.digests} 份，"
            f"机器人成功 {r.webhooks_sent} 个、失败 {r.webhooks_failed} 个。"
        )
