"""Visible background jobs (``core.jobs``): training the category model, mining hot topics."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from chuangwen.core.errors import PermissionDenied
from chuangwen.core.jobs import Progress, submit_job
from chuangwen.core.models import Job
from chuangwen.org.actors import require_office
from chuangwen.org.models import City

TRAIN_JOB = "citizens.train_model"
TOPICS_JOB = "citizens.topics"


def submit_training(city: City, *, acting_user: Any) -> Job:
    require_office(acting_user, city)
    return submit_job(city, TRAIN_JOB, title="训练案件类别推荐模型", acting_user=acting_user)


def submit_topics(city: City, *, acting_user: Any) -> Job:
    require_office(acting_user, city)
    return submit_job(city, TOPICS_JOB, title="重新计算热点话题", acting_user=acting_user)


def _submitter(job: Job) -> Any:
    if job.created_by is None:
        raise PermissionDenied(_("需要提交人"))
    return job.created_by


def train_job(job: Job, progress: Progress) -> dict[str, Any]:
    from .services import train_category_model

    row = train_category_model(job.city, acting_user=_submitter(job), progress=progress)
    return {
        "message": (
            f"已训练模型 v{row.version}：宏平均F1 {row.macro_f1:.3f}，准确率 {row.accuracy:.3f}"
        ),
        "url": reverse("citizens:models"),
    }


def topics_job(job: Job, progress: Progress) -> dict[str, Any]:
    from .services import recompute_topics

    progress(0, 1)
    res = recompute_topics(job.city, acting_user=_submitter(job))
    progress(1, 1)
    return {
        "message": (
            f"已生成 {res['topics']} 个热点话题（分析 {res['messages']} 条留言，"
            f"保留人工调整 {res['kept']} 个）"
        ),
        "url": reverse("citizens:topics"),
    }
