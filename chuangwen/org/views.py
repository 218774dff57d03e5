from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from chuangwen.core.errors import ImportFailed, InvalidInput, NotFound
from chuangwen.core.permissions import member_required, office_required
from chuangwen.core.tables import fold_tree
from chuangwen.core.views import download, list_template
from chuangwen.core.widgets import pick_response

from . import exports, places, selectors, services
from .choices import Axis, Role, UnitKind
from .filters import GridFilter, PersonFilter, UnitFilter
from .forms import ImportForm
from .models import City, Membership, Person, Unit
from .tables import GridTable, PersonTable


@member_required
def unit_tree(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    f = UnitFilter(request.GET, queryset=selectors.units_for_user(scope))
    filtering = any(request.GET.get(k) for k in ("q", "kind", "axis"))
    rows = selectors.unit_tree_rows(scope) if not filtering else list(f.qs.order_by("path"))
    if not filtering:  # hundreds of communities: two levels open, the rest unfold (tables.js)
        fold_tree(rows)
    return render(
        request, "org/unit_tree.html", {"filter": f, "rows": rows, "filtering": filtering}
    )


@member_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    unit = selectors.get_unit_for_user(scope, pk)
    members = (
        Membership.objects.filter(unit=unit)
        .select_related("person__user")
        .order_by("role", "person__name")
    )
    children = selectors.units_for_user(scope).filter(parent=unit)
    ancestors = selectors.units_for_user(scope).filter(
        pk__in=[int(p) for p in unit.path.strip(".").split(".")[:-1]]
    )
    grids = unit.grids.order_by("code")[:200]
    return render(
        request,
        "org/unit_detail.html",
        {
            "unit": unit,
            "members": members,
            "children": children,
            "ancestors": ancestors,
            "grids": grids,
            "pairs": selectors.pairs_for_user(scope).filter(unit=unit)
            | selectors.pairs_for_user(scope).filter(community=unit),
        },
    )


@member_required
def person_list(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    qs = (
        selectors.people_for_user(scope)
        .select_related("user")
        .prefetch_related("memberships__unit")
    )
    f = PersonFilter(request.GET, queryset=qs)
    table = PersonTable(request, f.qs)
    template = list_template(request, "org/person_list.html", "org/_person_rows.html")
    return render(request, template, {"filter": f, "table": table, "page": table.page})


@member_required
def grid_list(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    qs = selectors.grids_for_user(scope).select_related("unit").prefetch_related("workers")
    f = GridFilter(request.GET, queryset=qs)
    table = GridTable(request, f.qs)
    template = list_template(request, "org/grid_list.html", "org/_grid_rows.html")
    return render(request, template, {"filter": f, "table": table, "page": table.page})


@member_required
def grid_map(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    city = City.objects.get(pk=scope.city_id)
    return render(request, "org/grid_map.html", {"city": city, "unit": request.GET.get("unit", "")})


@member_required
@require_GET
def grid_geojson(request: HttpRequest) -> JsonResponse:
    scope = request.scope  # type: ignore[attr-defined]
    f = GridFilter(request.GET, queryset=selectors.grids_for_user(scope))
    rows = f.qs.values_list("pk", "code", "name", "unit__name", "unit__path", "geometry")
    features = [
        {
            "type": "Feature",
            "id": pk,
            "geometry": geometry,
            # the top-level area (e.g. the district) the grid lies in, to colour the map by it
            "properties": {
                "code": code,
                "name": name,
                "unit": unit_name,
                "area": path.split(".")[1] if path.count(".") > 1 else path,
            },
        }
        for pk, code, name, unit_name, path, geometry in rows
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


@member_required
@require_GET
def layer(request: HttpRequest, name: str) -> JsonResponse:
    """A base layer of the city's own geography (district / street / community boundaries,
    grid outlines), limited to the user's units and the areas above them; simplified and
    cached per grid version (org.places)."""
    if name not in places.LAYERS:
        raise Http404
    scope = request.scope  # type: ignore[attr-defined]
    data = places.boundary_collection(scope.city_id, layer=name, scope=scope)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, max-age=300"
    return response


@member_required
@require_GET
def locate(request: HttpRequest) -> JsonResponse:
    scope = request.scope  # type: ignore[attr-defined]
    try:
        hit = services.locate_point(
            scope.city_id,
            request.GET.get("lon"),
            request.GET.get("lat"),
            request.GET.get("crs", "wgs84"),
        )
    except InvalidInput as exc:
        return JsonResponse(exc.as_dict(), status=400)
    if hit is None:
        return JsonResponse({"grid": None, "message": _("该位置不在任何网格内")})
    return JsonResponse({"grid": {"id": hit.grid_id, "code": hit.code, "unit_id": hit.unit_id}})


@office_required
def import_page(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    form = ImportForm(request.POST or None, request.FILES or None)
    failure = None
    if request.method == "POST" and form.is_valid():
        city = City.objects.get(pk=scope.city_id)
        kind, data = form.cleaned_data["kind"], form.cleaned_data["file"].read()
        try:
            if kind == "units":
                n = services.import_units(city, data, acting_user=request.user)
            elif kind == "people":
                n = services.import_people(city, data, acting_user=request.user)
            else:
                fmt = "geojson" if kind == "grids_geojson" else "xlsx"
                n = services.import_grids(city, data, fmt=fmt, acting_user=request.user)
        except ImportFailed as exc:
            failure = exc
        else:
            messages.success(request, _("导入成功：%(n)s 条") % {"n": n})
            return redirect("org:import")
    status = 400 if failure or form.errors else 200
    return render(request, "org/import.html", {"form": form, "failure": failure}, status=status)


@member_required
def export(request: HttpRequest, kind: str) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    if kind not in {"units", "people", "grids"}:
        raise NotFound()
    if kind == "units":
        qs = UnitFilter(request.GET, queryset=selectors.units_for_user(scope)).qs
        return download(exports.export_units(qs), "单位.xlsx")
    if kind == "people":
        qs = PersonFilter(request.GET, queryset=selectors.people_for_user(scope)).qs
        return download(exports.export_people(qs), "人员.xlsx")
    qs = GridFilter(request.GET, queryset=selectors.grids_for_user(scope)).qs
    return download(exports.export_grids(qs), "网格.xlsx")


# --- pickers (searchable selects, see core/widgets.py) ---------------------------------------


def _ancestor_names(units: list[Unit]) -> dict[int, str]:
    ids = {int(p) for u in units for p in u.path.strip(".").split(".")[:-1] if p}
    return dict(Unit.objects.filter(pk__in=ids).values_list("pk", "name"))


def _unit_rows(units: list[Unit]) -> list[dict[str, Any]]:
    names = _ancestor_names(units)
    return [
        {
            "value": str(u.pk),
            "text": u.name,
            "hint": " › ".join(
                names.get(int(p), "") for p in u.path.strip(".").split(".")[:-1] if p
            ),
        }
        for u in units
    ]


@member_required
@require_GET
def pick_units(request: HttpRequest) -> JsonResponse:
    """Units in the user's scope by name or code; ``axis`` and ``kind`` narrow them."""
    qs = selectors.units_for_user(request.scope).filter(active=True)  # type: ignore[attr-defined]
    axis, kind = request.GET.get("axis", ""), request.GET.get("kind", "")
    if axis in Axis.values:
        qs = qs.filter(axis=axis)
    if kind in UnitKind.values:
        qs = qs.filter(kind=kind)
    exclude = request.GET.get("exclude", "")
    if exclude.isdigit() and len(exclude) < 10:
        qs = qs.exclude(pk=int(exclude))
    under = _under(request)
    if under is not None:
        qs = qs.filter(path__startswith=under.path).exclude(pk=under.pk)
    return pick_response(
        request,
        qs.order_by("path"),
        search=lambda qs, q: qs.filter(Q(name__icontains=q) | Q(code__istartswith=q)),
        rows=_unit_rows,
    )


@login_not_required
@require_GET
def public_areas(request: HttpRequest) -> JsonResponse:
    """Streets and communities of ``?city=<code>`` by name, for public pages (no account): a
    citizen registering as a volunteer picks where they live. Names only; counted per client
    address."""
    city = City.objects.filter(code=request.GET.get("city", "")[:20]).first()
    qs = (
        Unit.objects.filter(
            city=city, active=True, kind__in=[UnitKind.STREET, UnitKind.COMMUNITY]
        ).order_by("path")
        if city is not None
        else Unit.objects.none()
    )
    return pick_response(
        request, qs, search=lambda qs, q: qs.filter(name__icontains=q), rows=_unit_rows
    )


def _under(request: HttpRequest) -> Unit | None:
    """``?under=<unit id>``: a unit the user may see whose subtree narrows the answer (a unit
    out of scope, or garbage, narrows it to nothing)."""
    raw = request.GET.get("under", "")
    if not raw:
        return None
    scoped = selectors.units_for_user(request.scope)  # type: ignore[attr-defined]
    unit = scoped.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 10 else None
    return unit or Unit(pk=0, path="!")  # no unit's path starts with "!": nothing


def _person_rows(people: list[Person]) -> list[dict[str, Any]]:
    rows = []
    for p in people:
        units = "、".join(m.unit.name for m in p.memberships.all()[:2])
        rows.append(
            {"value": str(p.pk), "text": p.name, "hint": " · ".join(filter(None, [p.title, units]))}
        )
    return rows


@member_required
@require_GET
def pick_people(request: HttpRequest) -> JsonResponse:
    """People in the user's scope by name or login name; ``role`` narrows them."""
    scope = request.scope  # type: ignore[attr-defined]
    qs = selectors.people_for_user(scope).filter(active=True)
    role = request.GET.get("role", "")
    under = _under(request)
    if role in Role.values or under is not None:
        member = Membership.objects.filter(person=OuterRef("pk"))
        if role in Role.values:
            member = member.filter(role=role)
        if under is not None:
            member = member.filter(unit__path__startswith=under.path)
        qs = qs.filter(Exists(member))
    return pick_response(
        request,
        qs.order_by("name", "pk").prefetch_related("memberships__unit"),
        search=lambda qs, q: qs.filter(Q(name__icontains=q) | Q(user__username__istartswith=q)),
        rows=_person_rows,
    )


@member_required
@require_GET
def pick_grids(request: HttpRequest) -> JsonResponse:
    """Grids in the user's scope by code or name (the value is the code)."""
    qs = selectors.grids_for_user(request.scope).select_related("unit")  # type: ignore[attr-defined]
    return pick_response(
        request,
        qs.order_by("code"),
        search=lambda qs, q: qs.filter(Q(code__icontains=q) | Q(name__icontains=q)),
        rows=lambda grids: [{"value": g.code, "text": str(g), "hint": g.unit.name} for g in grids],
        value_field="code",
    )
