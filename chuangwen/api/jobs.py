"""Platform API: follow a background job (status, progress, result) from a script.

The jobs are core's; the router lives here because reading them needs the caller's scope (org)."""

from django.http import HttpRequest
from ninja import Router

from chuangwen.core import selectors
from chuangwen.core.schemas import JobOut
from chuangwen.org.scope import scope_of

router = Router(tags=["后台任务"])


@router.get("/{job_id}", response=JobOut, summary="后台任务的状态、进度和结果")
def get_job(request: HttpRequest, job_id: int):
    return selectors.get_job_for_user(scope_of(request), job_id)
