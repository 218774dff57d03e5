"""The JSON API: django-ninja, OpenAPI at /api/docs. Each app contributes a Router."""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from chuangwen.assessment.api import router as assessment_router
from chuangwen.cases.api import router as cases_router
from chuangwen.core.errors import ServiceError
from chuangwen.indicators.api import router as indicators_router
from chuangwen.inspections.api import router as inspections_router
from chuangwen.org.api import router as org_router
from chuangwen.sites.api import router as sites_router
from chuangwen.tasks.api import router as tasks_router

from .auth import SessionWithCsrf, TokenAuth
from .jobs import router as jobs_router

api = NinjaAPI(
    title="创文平台 API",
    version="1",
    description="文明城市创建工作平台接口。设备和外部系统使用 Bearer 令牌（manage.py api_token）。",
    auth=[TokenAuth(), SessionWithCsrf()],
    urls_namespace="api",
)


@api.exception_handler(ServiceError)
def service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


api.add_router("/jobs", jobs_router)
api.add_router("/org", org_router)
api.add_router("/indicators", indicators_router)
api.add_router("/cases", cases_router)
api.add_router("/sites", sites_router)
api.add_router("/tasks", tasks_router)
api.add_router("/inspections", inspections_router)
api.add_router("/assessment", assessment_router)
