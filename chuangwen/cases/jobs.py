"""Background jobs of cases: a big Excel export of the case list runs as a visible job whose
result is the file (``core.jobs``)."""

from typing import Any

from django.core.files.base import ContentFile
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangwen.core.errors import PermissionDenied
from chuangwen.core.jobs import Progress, submit_job
from chuangwen.core.models import Job
from chuangwen.org.models import City
from chuangwen.org.scope import scope_for_user

EXPORT_JOB = "cases.export"
PROGRESS_EVERY = 500


def _query(params: dict[str, list[str]]) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, values in params.items():
        query.setlist(key, [str(v) for v in values])
    return query


def submit_export(city: City, query: QueryDict, *, acting_user: Any) -> Job:
    """Queue the export of the case list as filtered by ``query`` (the list page's GET)."""
    from .filters import checked_filter
    from .models import Case

    checked_filter(query, Case.objects.none())
    return submit_job(
        city,
        EXPORT_JOB,
        title="导出案件列表",
        params={"query": {k: query.getlist(k) for k in query if k != "page"}},
        acting_user=acting_user,
    )


def export_cases_job(job: Job, progress: Progress) -> dict[str, Any]:
    """Handler of ``cases.export``: the submitter's own scope and filters, at most
    ``exports.MAX_EXPORT_ROWS`` rows, written to the job's file."""
    from . import exports, selectors
    from .filters import CaseFilter

    if job.created_by is None:
        raise PermissionDenied(_("导出需要提交人"))
    scope = scope_for_user(job.created_by)
    if scope.city_id != job.city_id:
        raise PermissionDenied()
    f = CaseFilter(_query(job.params.get("query", {})), queryset=selectors.case_list_qs(scope))
    qs = f.qs[: exports.MAX_EXPORT_ROWS]
    total = qs.count()

    def rows():
        for i, case in enumerate(qs.iterator(chunk_size=2000), start=1):
            if i % PROGRESS_EVERY == 0:
                progress(i, total)
            yield case
        progress(total, total)

    data = exports.cases_workbook(rows())
    job.file.save(
        f"案件-{timezone.localdate():%Y%m%d}-{job.pk}.xlsx", ContentFile(data), save=False
    )
    Job.objects.filter(pk=job.pk).update(file=job.file.name)
    return {"message": f"已导出 {total} 件案件", "url": reverse("job_file", args=[job.pk])}
