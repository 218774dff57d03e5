from django.core.management.base import BaseCommand

from chuangwen.cases.services import rebuild_state_counts
from chuangwen.org.models import City


class Command(BaseCommand):
    help = "按案件表重算各单位分状态案件数（StateCount），用于批量导入后或校正"

    def handle(self, *args, **opts):
        for city in City.objects.all():
            rebuild_state_counts(city)
            self.stdout.write(f"{city.name}：已重算")
