from django.core.management.base import BaseCommand, CommandError

from chuangwen.cases.services import CATEGORIES_FILE, load_categories
from chuangwen.org.actors import SystemActor
from chuangwen.org.models import City


class Command(BaseCommand):
    help = "载入数字城管案件类别（部件/事件大类、小类，默认时限与责任部门）；已存在的类别保持不变"

    def add_arguments(self, parser):
        parser.add_argument("city", help="城市代码")
        parser.add_argument("--file", default=str(CATEGORIES_FILE), help="类别 JSON 文件")

    def handle(self, *args, **opts):
        city = City.objects.filter(code=opts["city"]).first()
        if city is None:
            raise CommandError(f"城市「{opts['city']}」不存在")
        created, kept = load_categories(
            city, opts["file"], acting_user=SystemActor("load_case_categories")
        )
        self.stdout.write(f"新增类别 {created} 个，已有 {kept} 个保持不变。")
