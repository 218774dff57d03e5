"""The JSON API: django-ninja, OpenAPI at /api/docs. Each app contributes a Router."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from chuangwen.assessment.api import router as assessment_router
from chuangwen.cases.api import router as cases_router
from chuangwen.citizens.api import router as citizens_router
from chuangwen.citizens.voice.api import router as citizens_voice_router
from chuangwen.indicators.api import router as indicators_router
from chuangwen.inspections.api import router as inspections_router
from chuangwen.org.api import router as org_router
from chuangwen.sites.api import router as sites_router
from chuangwen.tasks.api import router as tasks_router
from chuangwen.volunteers.api import router as volunteers_router
from chuangwen.volunteers.moral.api import router as moral_router
from chuangwen.volunteers.pairs.api import router as pairs_router

from .auth import SessionWithCsrf, TokenAuth
from .base import ChuangwenAPI
from .jobs import router as jobs_router


def docs_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """/api/docs and /api/openapi.json need a login unless the office opened them to the
    public (``API_DOCS_PUBLIC=1``): the schema maps every endpoint and field of the system."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if settings.API_DOCS_PUBLIC or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        return redirect_to_login(request.get_full_path())

    return wrapper


api = ChuangwenAPI(
    title="创文平台 API",
    version="1",
    description="文明城市创建工作平台接口。设备和外部系统使用 Bearer 令牌（manage.py api_token）。",
    auth=[TokenAuth(), SessionWithCsrf()],
    urls_namespace="api",
    docs_decorator=docs_access,
)


api.add_router("/jobs", jobs_router)
api.add_router("/org", org_router)
api.add_router("/indicators", indicators_router)
api.add_router("/cases", cases_router)
api.add_router("/sites", sites_router)
api.add_router("/tasks", tasks_router)
api.add_router("/inspections", inspections_router)
api.add_router("/assessment", assessment_router)
api.add_router("/volunteers", volunteers_router)
api.add_router("/moral", moral_router)
api.add_router("/pairs", pairs_router)
api.add_router("/citizens", citizens_router)
api.add_router("/citizens/voice", citizens_voice_router)
