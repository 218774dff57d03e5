from django.core.management.base import BaseCommand, CommandError

from chuangwen.org.models import City
from chuangwen.volunteers.jobs import moral_bank_daily_for


class Command(BaseCommand):
    help = "道德银行每日处理：公示期满的好人好事记分、有效随手拍记分、严重问题案件提出撤销称号建议"

    def add_arguments(self, parser):
        parser.add_argument("--city", help="城市代码（默认全部城市）")

    def handle(self, *args, **opts):
        cities = City.objects.all()
        if opts["city"]:
            cities = cities.filter(code=opts["city"])
            if not cities.exists():
                raise CommandError(f"城市「{opts['city']}」不存在")
        for city in cities:
            r = moral_bank_daily_for(city)
            self.stdout.write(
                f"{city.name}：好人好事记分 {r['deeds']} 件，随手拍记分 {r['reports']} 条，"
                f"撤销称号建议 {r['revocations_proposed']} 条。"
            )
