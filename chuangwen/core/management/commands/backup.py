from django.core.management.base import BaseCommand, CommandError

from chuangwen.core.backup import BackupError, _size, create_backup


class Command(BaseCommand):
    help = "备份数据库和文件（MEDIA_ROOT）到一个带清单和校验值的归档 chuangwen-backup-时间.tar.gz"

    def add_arguments(self, parser):
        parser.add_argument("--output", help="备份目录（默认 var/backups）")

    def handle(self, *args, **opts):
        try:
            result = create_backup(opts["output"])
        except BackupError as exc:
            raise CommandError(str(exc.message)) from exc
        m = result.manifest
        tables = m["database"]["tables"]
        media = [f for f in m["files"] if f["path"].startswith("media/")]
        self.stdout.write(
            f"备份完成：数据库 {len(tables)} 张表、{sum(tables.values())} 行，"
            f"文件 {len(media)} 个（{_size(sum(f['size'] for f in media))}）。"
        )
        self.stdout.write(str(result.path))
