from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "chuangwen.core"
    verbose_name = "平台基础"

    def ready(self) -> None:
        post_migrate.connect(create_cache_table, sender=self)


def create_cache_table(using: str = "default", **kwargs: Any) -> None:
    """The database cache's table (rate limits shared by all workers without Redis) comes
    with ``migrate``, so a fresh checkout, ``make demo`` and the test databases have it."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)
