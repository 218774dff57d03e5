from datetime import date

from django.core.management.base import BaseCommand, CommandError

from chuangwen.assessment.jobs import submit_scheduled_drafts
from chuangwen.core.models import Job
from chuangwen.org.models import City


class Command(BaseCommand):
    help = (
        "起草到期的周通报（上一整周）和月通报（上一整月），每期一次；以后台任务运行，"
        "创建办在“后台任务”中可见（每日运行）"
    )

    def add_arguments(self, parser):
        parser.add_argument("--city", help="城市代码（默认全部城市）")
        parser.add_argument("--date", help="按哪一天起草（YYYY-MM-DD，默认今天）")

    def handle(self, *args, **opts):
        cities = City.objects.all()
        if opts["city"]:
            cities = cities.filter(code=opts["city"])
            if not cities.exists():
                raise CommandError(f"城市「{opts['city']}」不存在")
        today = None
        if opts["date"]:
            try:
                today = date.fromisoformat(opts["date"])
            except ValueError as exc:
                raise CommandError(f"日期「{opts['date']}」无效，应为 YYYY-MM-DD") from exc
        n = 0
        for city in cities:
            for job in submit_scheduled_drafts(city, today):
                job = Job.objects.get(pk=job.pk)
                n += 1
                outcome = job.result.get("message") or job.error or job.get_status_display()
                self.stdout.write(f"{city.name}：{job.title} — {outcome}")
        self.stdout.write(f"共提交起草任务 {n} 个。")
