from django.core.management.base import BaseCommand, CommandError

from chuangwen.assessment.jobs import RULES
from chuangwen.assessment.services import run_accountability_rules
from chuangwen.org.models import City


class Command(BaseCommand):
    help = (
        "按已登记的规则（逾期通知书、超期案件、逾期任务等）提出奖惩问责建议，"
        "待有权人员决定（每日运行）"
    )

    def add_arguments(self, parser):
        parser.add_argument("--city", help="城市代码（默认全部城市）")

    def handle(self, *args, **opts):
        cities = City.objects.all()
        if opts["city"]:
            cities = cities.filter(code=opts["city"])
            if not cities.exists():
                raise CommandError(f"城市「{opts['city']}」不存在")
        for city in cities:
            made = run_accountability_rules(city, acting_user=RULES)
            self.stdout.write(f"{city.name}：提出奖惩问责建议 {len(made)} 条。")
