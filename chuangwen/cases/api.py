"""Cases API: list/detail with the page's FilterSet, intake, and one endpoint per transition.
Multipart endpoints (handle, verify, photos) take photos as files; the rest take JSON."""

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from chuangwen.core import selectors as core_selectors
from chuangwen.core.endpoints import act
from chuangwen.core.errors import InvalidInput, NotFound
from chuangwen.core.filtering import filter_doc, filtered
from chuangwen.core.schemas import Lat, Lon, Paged
from chuangwen.org.models import City, Unit
from chuangwen.org.scope import scope_of

from . import selectors, services
from .choices import State
from .filters import CaseFilter
from .models import Category, Extension, Report
from .schemas import (
    CaseDetailOut,
    CaseIn,
    CaseOut,
    CategoryOut,
    CloseIn,
    DecideIn,
    DispatchIn,
    ExtensionIn,
    ExtensionOut,
    InboxOut,
    IntakeOut,
    NoteIn,
    RateIn,
    ReasonIn,
    RegisterIn,
    RejectIn,
    UnitStateOut,
)

router = Router(tags=["问题案件"])


def _case(request: HttpRequest, case_id: int) -> Any:
    return selectors.get_case_for_user(scope_of(request), case_id)


def _category(case_or_city_id: int, code: str | None) -> Category | None:
    if not code:
        return None
    cat = Category.objects.filter(city_id=case_or_city_id, code=code).first()
    if cat is None:
        raise InvalidInput(_("类别「%(code)s」不存在") % {"code": code}, code="bad_category")
    return cat


@router.get(
    "/",
    response=list[CaseOut],
    summary="案件列表（与页面、导出同一筛选）",
    openapi_extra=filter_doc(CaseFilter),
)
@paginate(Paged)
def list_cases(request: HttpRequest):
    return filtered(CaseFilter, request, selectors.case_list_qs(scope_of(request)))


@router.post("/", response={201: IntakeOut}, summary="上报问题（案件受理）")
def create_case(request: HttpRequest, payload: CaseIn):
    scope = scope_of(request)
    if scope.city_id is None:
        raise NotFound()
    city = City.objects.get(pk=scope.city_id)
    res = act(request, services.intake_case, city, services.IntakeData(**payload.dict()))
    return Status(
        201,
        IntakeOut(
            case_id=res.case.pk,
            number=res.case.number,
            tracking_code=res.report.tracking_code,
            merged=res.merged,
        ),
    )


@router.get("/inbox", response=InboxOut, summary="我的待办数量")
def inbox(request: HttpRequest):
    counts = selectors.inbox_for_user(scope_of(request)).counts()
    return InboxOut(**counts, unread=core_selectors.unread_count(request.auth))  # type: ignore[attr-defined]


@router.get("/summary/units", response=list[UnitStateOut], summary="各责任单位分状态案件数")
def summary_units(request: HttpRequest):
    rows = selectors.state_counts_by_unit(scope_of(request))
    return [
        UnitStateOut(
            unit_id=r["unit_id"],
            unit=r["unit"],
            total=r["total"],
            states={s: r[s] for s in State.values if s in r},
        )
        for r in rows
    ]


@router.get("/categories", response=list[CategoryOut], summary="案件类别")
def categories(request: HttpRequest):
    return selectors.categories_for_city(scope_of(request).city_id)


@router.get("/{case_id}", response=CaseDetailOut, summary="案件详情（含处理过程）")
def get_case(request: HttpRequest, case_id: int):
    return _case(request, case_id)


@router.post("/{case_id}/register", response=CaseOut, summary="立案")
def register(request: HttpRequest, case_id: int, payload: RegisterIn):
    case = _case(request, case_id)
    return act(
        request,
        services.register_case,
        case,
        **payload.dict(exclude={"category"}),
        category=_category(case.city_id, payload.category),
    )


@router.post("/{case_id}/reject", response=CaseOut, summary="不予立案（含重复）")
def reject(request: HttpRequest, case_id: int, payload: RejectIn):
    case = _case(request, case_id)
    dup = _case(request, payload.duplicate_of) if payload.duplicate_of else None
    return act(
        request,
        services.reject_case,
        case,
        **payload.dict(exclude={"duplicate_of"}),
        duplicate_of=dup,
    )


@router.post("/{case_id}/dispatch", response=CaseOut, summary="派遣 / 改派")
def dispatch(request: HttpRequest, case_id: int, payload: DispatchIn):
    case = _case(request, case_id)
    unit = None
    if payload.unit_id:
        unit = Unit.objects.filter(city_id=case.city_id, pk=payload.unit_id).first()
        if unit is None:
            raise InvalidInput(_("责任单位不存在"), code="bad_unit")
    return act(
        request,
        services.dispatch_case,
        case,
        **payload.dict(exclude={"unit_id", "category"}),
        unit=unit,
        category=_category(case.city_id, payload.category),
    )


@router.post("/{case_id}/return", response=CaseOut, summary="退回")
def return_(request: HttpRequest, case_id: int, payload: ReasonIn):
    return act(request, services.return_case, _case(request, case_id), **payload.dict())


@router.post("/{case_id}/accept", response=CaseOut, summary="签收")
def accept(request: HttpRequest, case_id: int, payload: NoteIn):
    return act(request, services.accept_case, _case(request, case_id), **payload.dict())


@router.post("/{case_id}/handle", response=CaseOut, summary="处置反馈（multipart，可带处置后照片）")
def handle(
    request: HttpRequest,
    case_id: int,
    note: Form[str],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
):
    return act(
        request, services.handle_case, _case(request, case_id), note=note, photos=photos or []
    )


@router.post("/{case_id}/verify", response=CaseOut, summary="核查（multipart，须带现场照片）")
def verify(
    request: HttpRequest,
    case_id: int,
    passed: Form[bool],
    photos: File[list[UploadedFile]],
    note: Form[str] = "",
    lon: Form[Lon | None] = None,
    lat: Form[Lat | None] = None,
    no_location_reason: Form[str] = "",
):
    return act(
        request,
        services.verify_case,
        _case(request, case_id),
        passed=passed,
        note=note,
        photos=photos,
        lon=lon,
        lat=lat,
        no_location_reason=no_location_reason,
    )


@router.post("/{case_id}/close", response=CaseOut, summary="结案")
def close(request: HttpRequest, case_id: int, payload: CloseIn):
    return act(request, services.close_case, _case(request, case_id), **payload.dict())


@router.post("/{case_id}/photos", response=list[int], summary="补充照片（multipart）")
def photos(request: HttpRequest, case_id: int, files: File[list[UploadedFile]]):
    rows = act(request, services.add_photos, _case(request, case_id), files)
    return [r.pk for r in rows]


@router.post("/{case_id}/extensions", response=ExtensionOut, summary="申请延期")
def request_extension(request: HttpRequest, case_id: int, payload: ExtensionIn):
    return act(request, services.request_extension, _case(request, case_id), **payload.dict())


@router.post("/extensions/{extension_id}/decide", response=ExtensionOut, summary="审批延期")
def decide_extension(request: HttpRequest, extension_id: int, payload: DecideIn):
    ext = get_object_or_404(Extension, pk=extension_id)
    _case(request, ext.case_id)  # 404 alike when out of scope
    return act(request, services.decide_extension, ext, **payload.dict())


@router.post("/reports/{report_id}/rate", response=dict, summary="满意度评价（上报人本人）")
def rate(request: HttpRequest, report_id: int, payload: RateIn):
    report = Report.objects.filter(pk=report_id).first()
    if report is None:
        raise NotFound()
    act(request, services.rate_report, report, **payload.dict())
    return {"ok": True}
