from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from chuangwen.core.errors import ImportFailed
from chuangwen.core.permissions import member_required, office_required
from chuangwen.core.views import download, list_template
from chuangwen.indicators.models import SiteType
from chuangwen.org.models import City

from . import selectors, services
from .filters import SiteFilter
from .forms import ImportForm
from .tables import SiteTable


def _filtered(request: HttpRequest) -> SiteFilter:
    scope = request.scope  # type: ignore[attr-defined]
    qs = selectors.sites_for_user(scope).select_related("site_type", "district", "owner", "grid")
    return SiteFilter(request.GET, queryset=qs)


@member_required
def site_list(request: HttpRequest) -> HttpResponse:
    f = _filtered(request)
    table = SiteTable(request, f.qs.prefetch_related("assignments__unit"))
    types = SiteType.objects.filter(city_id=request.scope.city_id)  # type: ignore[attr-defined]
    template = list_template(request, "sites/site_list.html", "sites/_site_rows.html")
    return render(
        request, template, {"filter": f, "table": table, "page": table.page, "types": types}
    )


@member_required
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    site = selectors.get_site_for_user(request.scope, pk)  # type: ignore[attr-defined]
    assignments = site.assignments.select_related("unit")
    return render(request, "sites/site_detail.html", {"site": site, "assignments": assignments})


@member_required
@require_GET
def site_geojson(request: HttpRequest) -> JsonResponse:
    rows = _filtered(request).qs.values_list("pk", "code", "name", "site_type__name", "geometry")[
        :5000
    ]
    features = [
        {
            "type": "Feature",
            "id": pk,
            "geometry": geometry,
            "properties": {"code": code, "name": name, "type": type_name},
        }
        for pk, code, name, type_name, geometry in rows
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


@office_required
def import_page(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    failure = None
    if request.method == "POST" and form.is_valid():
        city = City.objects.get(pk=request.scope.city_id)  # type: ignore[attr-defined]
        try:
            n = services.import_sites(
                city,
                form.cleaned_data["file"].read(),
                fmt=form.cleaned_data["fmt"],
                acting_user=request.user,
            )
        except ImportFailed as exc:
            failure = exc
        else:
            messages.success(request, f"导入成功：{n} 个点位")
            return redirect("sites:import")
    status = 400 if failure or form.errors else 200
    return render(request, "sites/import.html", {"form": form, "failure": failure}, status=status)


@member_required
def export(request: HttpRequest) -> HttpResponse:
    return download(services.export_sites(_filtered(request).qs), "点位.xlsx")
