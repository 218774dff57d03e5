from django.core.management.base import BaseCommand

from chuangwen.cases.models import Case
from chuangwen.inspections.models import CheckResult
from chuangwen.org.models import City
from chuangwen.sites.places import fill_places


class Command(BaseCommand):
    help = "为已有案件和检查结果补写位置描述（区/街道/社区/网格 + 最近点位或道路），只补空的"

    def add_arguments(self, parser):
        parser.add_argument("--city", help="城市代码（默认全部城市）")

    def handle(self, *args, **opts):
        cities = City.objects.all()
        if opts.get("city"):
            cities = cities.filter(code=opts["city"])
        for city in cities:
            n_cases = fill_places(Case, city_id=city.pk)
            n_results = fill_places(CheckResult, city_id=city.pk)
            self.stdout.write(
                f"{city.name}：案件 {n_cases} 条，检查结果 {n_results} 条已补写位置描述"
            )
