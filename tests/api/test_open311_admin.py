from django.contrib.auth import get_user_model
from django.test import Client

from chuangwen.api.models import ServiceAttribute
from chuangwen.core.models import AuditEvent


def test_admin_manages_attributes(oc):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "Root@pass2026")
    c = Client()
    c.force_login(admin)
    for url in [
        "/admin/cw_api/serviceattribute/",
        "/admin/cw_api/serviceattribute/add/",
        "/admin/cw_api/open311client/",
        "/admin/cw_api/open311submission/",
    ]:
        assert c.get(url).status_code == 200, url
    form = {
        "category": oc.ads.pk,
        "code": "height",
        "variable": "on",
        "datatype": "singlevaluelist",
        "required": "on",
        "datatype_description": "",
        "order": 1,
        "description": "贴在多高？",
        "values": '[{"key": "low", "name": "伸手可及"}]',
        "active": "on",
    }
    response = c.post("/admin/cw_api/serviceattribute/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    row = ServiceAttribute.objects.get(category=oc.ads, code="height")
    assert row.values == [{"key": "low", "name": "伸手可及"}]
    assert AuditEvent.objects.filter(code="api.open311_attribute.saved", actor=admin).exists()
    # a list without options is refused
    form.update(code="width", values="[]")
    response = c.post("/admin/cw_api/serviceattribute/add/", form)
    assert response.status_code == 200
    assert not ServiceAttribute.objects.filter(code="width").exists()


def test_admin_edits_the_public_sources(oc):
    from chuangwen.api.models import Open311Settings
    from chuangwen.api.open311.selectors import public_sources

    admin = get_user_model().objects.create_superuser("root", "root@example.com", "Root@pass2026")
    c = Client()
    c.force_login(admin)
    assert public_sources(oc.city) == ["citizen", "open311"]  # the default: citizens' channels
    assert c.get("/admin/cw_api/open311settings/add/").status_code == 200
    response = c.post(
        "/admin/cw_api/open311settings/add/",
        {"city": oc.city.pk, "public_sources": ["citizen", "open311", "media"]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert public_sources(oc.city) == ["citizen", "media", "open311"]
    row = Open311Settings.objects.get(city=oc.city)
    response = c.post(
        f"/admin/cw_api/open311settings/{row.pk}/change/", {"public_sources": ["citizen"]}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert public_sources(oc.city) == ["citizen"]
    events = AuditEvent.objects.filter(code="api.open311_settings.saved", actor=admin)
    assert [e.after["public_sources"] for e in events.order_by("id")] == [
        ["citizen", "media", "open311"],
        ["citizen"],
    ]
    assert events.order_by("id").last().before == {
        "public_sources": ["citizen", "media", "open311"]
    }
    for url in ["/admin/cw_api/open311settings/", "/admin/cw_api/open311update/"]:
        assert c.get(url).status_code == 200, url
