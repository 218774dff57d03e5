from django.core.management.base import BaseCommand

from chuangwen.core.jobs import STALE_AFTER, sweep_stale_jobs


class Command(BaseCommand):
    help = f"把排队或运行超过 {STALE_AFTER} 仍未完成的后台任务标为失败（每小时运行）"

    def handle(self, *args, **opts):
        n = sweep_stale_jobs()
        self.stdout.write(f"已将 {n} 个中断的后台任务标为失败。")
