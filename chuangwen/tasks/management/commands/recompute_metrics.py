from django.core.management.base import BaseCommand, CommandError

from chuangwen.org.models import City
from chuangwen.tasks.metrics import recompute_metrics


class Command(BaseCommand):
    help = "重新计算量化指标（记录当前值，形成趋势；建议每晚运行）"

    def add_arguments(self, parser):
        parser.add_argument("--city", help="城市代码（默认全部城市）")

    def handle(self, *args, **opts):
        cities = City.objects.all()
        if opts["city"]:
            cities = cities.filter(code=opts["city"])
            if not cities.exists():
                raise CommandError(f"城市「{opts['city']}」不存在")
        for city in cities:
            r = recompute_metrics(city)
            self.stdout.write(f"{city.name}：计算 {r.computed} 项，出错 {r.failed} 项。")
