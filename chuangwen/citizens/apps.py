from django.apps import AppConfig


class CitizensConfig(AppConfig):
    name = "chuangwen.citizens"
    verbose_name = "群众参与"

    def ready(self) -> None:
        from chuangwen.org.registry import register_unit_path_copy

        from .models import Campaign, CampaignSupport, Commitment

        # part B: campaigns (lead and supporting units) and 问政 commitments follow unit moves
        register_unit_path_copy(Campaign, "lead_path")
        register_unit_path_copy(CampaignSupport, "unit_path")
        register_unit_path_copy(Commitment, "unit_path")

        from chuangwen.cases.registry import register_category_suggester, register_hotline_handler
        from chuangwen.core.audit_words import register_event_labels
        from chuangwen.core.jobs import register_job

        from .voice import jobs, services

        register_job(jobs.TRAIN_JOB, jobs.train_job)
        register_job(jobs.TOPICS_JOB, jobs.topics_job)
        register_category_suggester(services.suggest)
        register_hotline_handler("建议", services.import_hotline_suggestions, becomes="意见建议")
        register_event_labels(
            {
                "citizens.suggestion.submitted": "提交意见建议",
                "citizens.suggestion.status": "处理意见建议",
                "citizens.model.trained": "训练类别推荐模型",
                "citizens.model.activated": "启用类别推荐模型",
                "citizens.topics.recomputed": "重新计算热点话题",
                "citizens.topic.renamed": "重命名热点话题",
                "citizens.topic.discarded": "忽略热点话题",
                "citizens.topic.restored": "恢复热点话题",
                "citizens.topic.merged": "合并热点话题",
                "citizens.topic.split": "拆分热点话题",
            }
        )
