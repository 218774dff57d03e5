from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from chuangwen.core.errors import ImportFailed, InvalidInput
from chuangwen.core.permissions import member_required, office_required
from chuangwen.core.views import download, list_template
from chuangwen.indicators.models import SiteType
from chuangwen.org.models import City
from chuangwen.org.places import area_at

from . import places, selectors, services
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
    # the site's own area (its nearest site would be itself)
    area = area_at(site.city_id, site.lon, site.lat)
    where = area.text if area else ""
    return render(
        request,
        "sites/site_detail.html",
        {"site": site, "assignments": assignments, "place": where},
    )


MAP_LIMIT = 5000  # sites drawn at most (the list's filters narrow it down)


@member_required
@require_GET
def site_geojson(request: HttpRequest) -> JsonResponse:
    qs = _filtered(request).qs
    rows = qs.values_list("pk", "code", "name", "site_type__name", "geometry")[:MAP_LIMIT]
    features = [
        {
            "type": "Feature",
            "id": pk,
            "geometry": geometry,
            "properties": {
                "code": code,
                "name": name,
                "type": type_name,
                "url": reverse("sites:detail", args=[pk]),
            },
        }
        for pk, code, name, type_name, geometry in rows
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features, "limit": MAP_LIMIT})


@member_required
def site_map(request: HttpRequest) -> HttpResponse:
    """The sites on a map, by type, with the list's filters and the city's base layers."""
    scope = request.scope  # type: ignore[attr-defined]
    f = _filtered(request)
    city = City.objects.get(pk=scope.city_id)
    return render(request, "sites/site_map.html", {"filter": f, "city": city})


@member_required
@require_GET
def place(request: HttpRequest) -> JsonResponse:
    """The readable place of a point: district / street / community / grid and the nearest
    site or road with the distance."""
    scope = request.scope  # type: ignore[attr-defined]
    try:
        found = places.describe(
            scope.city_id,
            request.GET.get("lon"),
            request.GET.get("lat"),
            request.GET.get("crs", "wgs84"),
        )
    except InvalidInput as exc:
        return JsonResponse(exc.as_dict(), status=400)
    return JsonResponse(found.as_dict())


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
            messages.success(request, _("导入成功：%(n)s 个点位") % {"n": n})
            return redirect("sites:import")
    status = 400 if failure or form.errors else 200
    return render(request, "sites/import.html", {"form": form, "failure": failure}, status=status)


@member_required
def export(request: HttpRequest) -> HttpResponse:
    return download(services.export_sites(_filtered(request).qs), "点位.xlsx")
