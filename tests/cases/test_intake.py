from datetime import timedelta

import pytest
from django.utils import timezone

from chuangwen.cases import dedupe, services
from chuangwen.cases.choices import Action, Source, State
from chuangwen.cases.models import AddressEntry, Case, CaseEvent, Report, StateCount
from chuangwen.core.errors import InvalidInput, PermissionDenied
from chuangwen.core.models import AuditEvent
from chuangwen.org.actors import SYSTEM

from .conftest import IN_A, IN_B, jpeg


def test_categories_loaded_with_codes_and_defaults(cc):
    assert cc.event.family == "event" and cc.event.major_name == "市容环境"
    assert cc.component.code.startswith("BJ01") and len(cc.component.code) == 6
    created, unchanged = services.load_categories(cc.city, acting_user=SYSTEM)
    assert created == 0 and unchanged > 100


def test_intake_locates_grid_and_assigns_block_unit(cc):
    res = cc.intake()
    case = res.case
    assert not res.merged
    assert case.state == State.REPORTED
    assert case.grid_id == cc.grid_a.pk
    assert case.area_unit_id == cc.community_a.pk
    assert case.unit_id == cc.community_a.pk  # 事件 先属地
    assert case.unit_path == cc.community_a.path
    assert len(res.report.tracking_code) == 10
    assert CaseEvent.objects.filter(case=case, action=Action.INTAKE).count() == 1
    assert AuditEvent.objects.filter(code="cases.case.reported", object_id=str(case.pk)).exists()
    assert StateCount.objects.get(city=cc.city, unit_id=cc.community_a.pk, state="reported").n == 1


def test_component_goes_to_owner_department_event_to_territory(cc):
    assert cc.intake("路灯不亮", category=cc.component).case.unit_id == cc.dept.pk
    assert cc.intake("渣土遗撒", category=cc.event_with_dept).case.unit_id == cc.community_a.pk
    # an event without a location falls back to the department
    case = cc.intake("渣土遗撒", category=cc.event_with_dept, point=None, address="某处").case
    assert case.unit_id == cc.dept.pk and case.grid_id is None


def test_address_matched_by_unit_name_and_address_book(cc):
    case = cc.intake("垃圾", point=None, address="甲社区3栋门口").case
    assert case.area_unit_id == cc.community_a.pk and case.unit_id == cc.community_a.pk
    AddressEntry.objects.create(city=cc.city, keyword="幸福路", grid=cc.grid_b, unit=cc.community_b)
    case = cc.intake("垃圾", point=None, address="幸福路18号").case
    assert case.grid_id == cc.grid_b.pk and case.unit_id == cc.community_b.pk
    case = cc.intake("垃圾", point=None, address="不知道哪里").case
    assert case.unit_id is None and case.grid_id is None


def test_duplicate_is_merged_and_reporter_kept(cc):
    first = cc.intake("小区门口暴露垃圾很多", reporter_phone="13800001111").case
    near = (IN_A[0] + 0.0002, IN_A[1])  # about 20 m
    res = cc.intake("小区门口暴露垃圾很多没人管", point=near, reporter_phone="13900002222")
    assert res.merged and res.case.pk == first.pk
    first.refresh_from_db()
    assert first.report_count == 2
    assert Report.objects.filter(case=first).count() == 2
    assert CaseEvent.objects.filter(case=first, action=Action.MERGED).count() == 1
    assert Case.objects.count() == 1


def test_not_duplicate_other_category_far_old_or_dissimilar(cc, past):
    cc.intake("小区门口暴露垃圾很多")
    assert not cc.intake("小区门口暴露垃圾很多", category=cc.other_event).merged
    assert not cc.intake("小区门口暴露垃圾很多", point=(IN_A[0] + 0.002, IN_A[1])).merged  # 200 m
    assert not cc.intake("井盖缺失车辆危险请尽快处理").merged
    old = cc.intake("河边有垃圾堆", point=IN_B, reported_at=past(days=10)).case
    res = cc.intake("河边有垃圾堆", point=IN_B)
    assert not res.merged and res.case.pk != old.pk


def test_closed_case_is_not_merged_into(cc):
    first = cc.intake("小区门口暴露垃圾很多").case
    services.register_case(first, acting_user=cc.office.user)
    services.close_case(first, resolution="not_ours", note="非本市", acting_user=cc.office.user)
    assert not cc.intake("小区门口暴露垃圾很多").merged


def test_batch_intake_dedupes_within_batch_and_against_db(cc):
    cc.intake("路口垃圾桶满溢", point=IN_B)
    items = [
        services.IntakeData(Source.HOTLINE, "路口垃圾桶满溢", cc.event.code, *IN_B),
        services.IntakeData(Source.HOTLINE, "新的问题暴露垃圾", cc.event.code, *IN_A),
        services.IntakeData(Source.HOTLINE, "新的问题暴露垃圾", cc.event.code, *IN_A),
        services.IntakeData(Source.HOTLINE, "没有类别", None, *IN_A),
    ]
    results = services.intake_cases(cc.city, items, acting_user=SYSTEM)
    assert [r.merged for r in results] == [True, False, True, False]
    assert results[1].case.pk == results[2].case.pk
    assert Case.objects.count() == 3
    assert Case.objects.get(pk=results[1].case.pk).report_count == 2


def test_candidate_lookups_are_split_under_the_parameter_limit():
    wanted = {7: set(range(1500)), 3: {1, 2}, 9: {5}}
    chunks = list(dedupe.pair_chunks(wanted, max_params=100))
    assert all(sum(len(cells) + 1 for _c, cells in chunk) <= 100 for chunk in chunks)
    got: dict[int, set[int]] = {}
    for chunk in chunks:
        for category_id, cells in chunk:
            got.setdefault(category_id, set()).update(cells)
    assert got == wanted


def test_batch_finds_stored_duplicates_across_split_lookups(cc, monkeypatch):
    first = cc.intake("路口垃圾桶满溢", point=IN_B).case
    other = cc.intake("井盖缺失", category=cc.component, point=IN_A).case
    split = dedupe.pair_chunks
    monkeypatch.setattr(dedupe, "pair_chunks", lambda wanted: split(wanted, max_params=3))
    results = services.intake_cases(
        cc.city,
        [
            services.IntakeData(Source.HOTLINE, "井盖缺失", cc.component.code, *IN_A),
            services.IntakeData(Source.HOTLINE, "路口垃圾桶满溢", cc.event.code, *IN_B),
        ],
        acting_user=SYSTEM,
    )
    assert [(r.merged, r.case.pk) for r in results] == [(True, other.pk), (True, first.pk)]


def test_duplicate_settings_are_configurable(cc):
    services.update_duplicate_settings(
        cc.city, radius_m=500, days=7, similarity=0.3, acting_user=SYSTEM
    )
    cc.intake("小区门口暴露垃圾很多")
    assert cc.intake("小区门口暴露垃圾很多", point=(IN_A[0] + 0.002, IN_A[1])).merged
    with pytest.raises(PermissionDenied):
        services.update_duplicate_settings(
            cc.city, radius_m=50, days=7, similarity=0.3, acting_user=cc.liaison_a.user
        )


def test_intake_validation(cc):
    with pytest.raises(InvalidInput):
        cc.intake(source="nope")
    with pytest.raises(InvalidInput):
        cc.intake(category="XX9999")
    with pytest.raises(InvalidInput):
        cc.intake(point=(500, 28))
    with pytest.raises(InvalidInput):
        cc.intake(reporter_phone="12345")
    with pytest.raises(InvalidInput):
        cc.intake(text="", point=None)
    with pytest.raises(InvalidInput):
        cc.intake(reported_at=timezone.now() + timedelta(days=1))
    with pytest.raises(InvalidInput):
        cc.intake(photos=[b"not an image"])
    assert Case.objects.count() == 0


def test_intake_roles(cc):
    with pytest.raises(PermissionDenied):
        cc.intake(acting_user=cc.leader.user)
    res = cc.intake(acting_user=cc.citizen.user, source=Source.CITIZEN)
    assert res.report.reporter_id == cc.citizen.pk
    assert cc.intake(acting_user=cc.grid_worker_a.user, source=Source.PATROL, point=IN_B).case


def test_gcj02_input_is_converted(cc):
    from chuangwen.core.geo import wgs84_to_gcj02

    gx, gy = wgs84_to_gcj02(*IN_B)
    case = cc.intake(point=(gx, gy), crs="gcj02").case
    assert case.grid_id == cc.grid_b.pk
    assert abs(case.lon - IN_B[0]) < 1e-6


def test_intake_photo_reads_exif_and_strips_it(cc):
    from PIL import Image

    res = cc.intake(photos=[jpeg(113.0051, 28.0052)])
    photo = res.case.photos.get()
    assert photo.kind == "before" and photo.report_id == res.report.pk
    assert abs(photo.exif_lon - 113.0051) < 1e-4 and abs(photo.exif_lat - 28.0052) < 1e-4
    with photo.original.open("rb") as f:
        assert Image.open(f).getexif().get_ifd(0x8825)
    with photo.public.open("rb") as f:
        shown = Image.open(f)
        assert not shown.getexif()
        assert not shown.getexif().get_ifd(0x8825)


def test_photo_size_limit(cc, monkeypatch):
    from chuangwen.cases import photos

    monkeypatch.setattr(photos, "MAX_PHOTO_BYTES", 100)
    with pytest.raises(InvalidInput) as exc:
        cc.intake(photos=[jpeg()])
    assert exc.value.code == "photo_too_large"
