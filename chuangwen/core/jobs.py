"""Background jobs the user can see: a ``Job`` row per long operation, run by Celery.

An app registers a handler per job kind in its ``AppConfig.ready``::

    register_job("tasks.generate_pledges", generate_pledges_job)

``handler(job, progress)`` does the work and returns the result (a JSON dict, e.g.
``{"message": "已生成 360 份责任书", "url": "/tasks/pledges/?year=2026"}``); it calls
``progress(done, total)`` as it goes and re-checks permissions with ``job.created_by`` (the
submitting user; a handler that must act as the submitter fails the job when there is none).
A ``ServiceError`` fails the job with its Chinese message, any other exception with a generic
one (and the traceback in the log).

``submit_job`` writes the row and queues ``core.run_job`` when the transaction commits: a
worker runs it in production, in-process (eager) in the embedded default.
"""

import datetime as dt
import json
import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from . import audit
from .choices import JobStatus
from .errors import InvalidInput, ServiceError
from .models import Job

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
JobHandler = Callable[[Job, Progress], dict[str, Any]]

GENERIC_ERROR = _("任务执行出错，请联系管理员")
# progress rows are written at most this often (seconds), the final one always
PROGRESS_INTERVAL = 1.0

_handlers: dict[str, JobHandler] = {}


def register_job(kind: str, handler: JobHandler) -> None:
    """Register the handler of a job kind (in ``AppConfig.ready``); a kind has one handler."""
    if not kind or len(kind) > 60:  # Job.kind is a CharField(60)
        raise ValueError(f"bad job kind: {kind!r}")
    current = _handlers.get(kind)
    if current is not None and current is not handler:
        raise ValueError(f"job kind {kind!r} is already registered to {current!r}")
    _handlers[kind] = handler


def registered_kinds() -> list[str]:
    return sorted(_handlers)


@transaction.atomic
def submit_job(
    city: Any,
    kind: str,
    *,
    title: str,
    params: dict[str, Any] | None = None,
    acting_user: Any,
) -> Job:
    """Queue a job of a registered ``kind``: the row (queued), its audit row, and the run once
    the transaction commits. The caller checks that ``acting_user`` may submit it."""
    if kind not in _handlers:
        raise InvalidInput(_("未知的后台任务类型：%(kind)s") % {"kind": kind}, code="unknown_job")
    title = (title or "").strip()[:200] or kind
    user = acting_user if getattr(acting_user, "is_authenticated", False) else None
    job = Job.objects.create(
        city=city, kind=kind, title=title, params=params or {}, created_by=user
    )
    audit.record(
        "core.job.submitted",
        job,
        actor=acting_user,
        after={"kind": kind, "params": job.params},
        summary=title,
    )
    transaction.on_commit(partial(_enqueue, job.pk))
    return job


def _enqueue(job_id: int) -> None:
    """Hand the job to Celery; when the broker cannot take it, the job fails visibly instead
    of staying queued forever (the user's request has already committed)."""
    try:
        run_job_task.delay(job_id)
    except Exception:
        logger.exception("job %s could not be queued", job_id)
        _fail_if(job_id, JobStatus.QUEUED, _("无法提交到后台队列，请稍后重试"))


def _fail_if(job_id: int, status: str, error: Any) -> int:
    """Fail the job if it is still in ``status`` (a conditional UPDATE, like starting one)."""
    now = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        message = str(error)
    return Job.objects.filter(pk=job_id, status=status).update(
        status=JobStatus.FAILED, error=message, finished_at=now, updated_at=now
    )


STALE_AFTER = dt.timedelta(hours=6)


def sweep_stale_jobs(now: dt.datetime | None = None) -> int:
    """Fail the jobs nobody will finish: queued or running for longer than ``STALE_AFTER``
    (the broker lost it, or its worker died). Returns how many were failed."""
    limit = (now or timezone.now()) - STALE_AFTER
    failed = 0
    stale = Job.objects.filter(
        status__in=[JobStatus.QUEUED, JobStatus.RUNNING], updated_at__lt=limit
    )
    for job_id, status in stale.values_list("pk", "status"):
        error = (
            _("任务未被执行（后台队列不可用），请重新提交")
            if status == JobStatus.QUEUED
            else _("任务中断（长时间没有进展），请重新提交")
        )
        failed += _fail_if(job_id, status, error)
    return failed


class _ProgressWriter:
    """``progress(done, total)`` of a running job: remembers the latest figures and writes
    them at most every ``PROGRESS_INTERVAL`` seconds, and always the final ones."""

    def __init__(self, job: Job) -> None:
        self.job_id = job.pk
        self.done, self.total = job.done, job.total
        self._written_at: float | None = None

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = max(0, int(done)), max(0, int(total))
        now = time.monotonic()
        final = self.done >= self.total
        recent = self._written_at is not None and now - self._written_at < PROGRESS_INTERVAL
        if recent and not final:
            return
        self._written_at = now
        Job.objects.filter(pk=self.job_id).update(
            done=self.done, total=self.total, updated_at=timezone.now()
        )


def run_job(job_id: int) -> str:
    """Run a queued job once and return its final status. A job that is no longer queued
    (already run, running elsewhere, missing) is left alone: its status (or "") is returned."""
    now = timezone.now()
    # the conditional UPDATE is the lock: of two workers handed the same job, one starts it
    started = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now, updated_at=now
    )
    if not started:
        status = Job.objects.filter(pk=job_id).values_list("status", flat=True).first() or ""
        logger.warning("job %s not started: it is %s", job_id, status or "missing")
        return status
    job = Job.objects.select_related("city", "created_by").get(pk=job_id)
    progress = _ProgressWriter(job)
    result: dict[str, Any] = {}
    error = ""
    # what is stored (result, error) is Chinese first, whatever the submitting page's language
    with translation.override(settings.LANGUAGE_CODE):
        try:
            handler = _handlers.get(job.kind)
            if handler is None:
                raise InvalidInput(
                    _("未知的后台任务类型：%(kind)s") % {"kind": job.kind}, code="unknown_job"
                )
            result = handler(job, progress) or {}
            json.dumps(result)  # a result the row cannot store fails the job, not the worker
        except ServiceError as exc:
            result = exc.as_dict()  # code, message and, for an import, every row error
            error = str(exc.message) or str(GENERIC_ERROR)
        except Exception:
            logger.exception("job %s (%s) failed", job.pk, job.kind)
            result = {}
            error = str(GENERIC_ERROR)
    job.status = JobStatus.FAILED if error else JobStatus.SUCCEEDED
    job.result = result
    job.error = error
    job.done, job.total = progress.done, progress.total
    job.finished_at = timezone.now()
    job.save(
        update_fields=["status", "result", "error", "done", "total", "finished_at", "updated_at"]
    )
    return job.status


@shared_task(name="core.run_job")
def run_job_task(job_id: int) -> str:
    return run_job(job_id)


@shared_task(name="core.sweep_stale_jobs")
def sweep_stale_jobs_task() -> int:
    return sweep_stale_jobs()
