from django.apps import AppConfig


class CitizensConfig(AppConfig):
    name = "chuangwen.citizens"
    verbose_name = "群众参与"

    def ready(self) -> None:
        from chuangwen.cases.registry import register_category_suggester, register_hotline_handler
        from chuangwen.core.jobs import register_job

        from .voice import jobs, services

        register_job(jobs.TRAIN_JOB, jobs.train_job)
        register_job(jobs.TOPICS_JOB, jobs.topics_job)
        register_category_suggester(services.suggest)
        register_hotline_handler("建议", services.import_hotline_suggestions)
