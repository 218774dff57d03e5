from django.core.management.base import BaseCommand

from chuangwen.org.demo import DEMO_LOGINS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "列出演示账号"

    def handle(self, *args, **opts):
        self.stdout.write("演示账号（密码均为 %s）：" % DEMO_PASSWORD)
        for username, (role, desc) in DEMO_LOGINS.items():
            self.stdout.write(f"  {username:<10} {role.label}  — {desc}")
