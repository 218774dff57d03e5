from django.core.management.base import BaseCommand, CommandError

from chuangwen.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "从 manage.py backup 生成的归档恢复数据库和文件：先核对校验值，目标数据库须为空"
        "（否则加 --force），恢复后逐表核对行数、逐个核对文件"
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="备份文件 chuangwen-backup-….tar.gz")
        parser.add_argument(
            "--force", action="store_true", help="目标数据库已有数据时仍然用备份覆盖"
        )

    def handle(self, *args, **opts):
        try:
            result = restore_backup(opts["archive"], force=opts["force"])
        except BackupError as exc:
            raise CommandError(str(exc.message)) from exc
        for line in result.summary():
            self.stdout.write(line)
