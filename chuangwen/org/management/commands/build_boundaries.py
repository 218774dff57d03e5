from django.core.management.base import BaseCommand

from chuangwen.org.models import City
from chuangwen.org.places import warm_boundaries


class Command(BaseCommand):
    help = "由网格合成区县、街道、社区边界并写入缓存（导入网格后运行，地图底图即时可用）"

    def handle(self, *args, **opts):
        for city in City.objects.all():
            n = warm_boundaries(city.pk)
            self.stdout.write(f"{city.name}：{n} 个边界/网格要素")
