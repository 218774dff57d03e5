from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from chuangwen.api.models import Open311Client
from chuangwen.core.models import AuditEvent

from .test_open311 import BASE, FORM, payload


def run(*args):
    out = StringIO()
    call_command("open311_key", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_create_prints_a_working_key_last(oc):
    lines = run("--create", "网格 APP", "--city", oc.city.code)
    key = lines[-1]
    client = Open311Client.objects.get(name="网格 APP")
    assert client.city == oc.city and client.active
    assert client.digest == Open311Client.hash(key) and key not in client.digest
    assert AuditEvent.objects.filter(code="api.open311_client.created", object_id=str(client.pk))
    body = payload(oc, api_key=key)
    response = Client().post(f"{BASE}/requests.json", body, content_type=FORM)
    assert response.status_code == 201, response.content
    # the only city is the default
    assert run("--create", "另一个系统")[-1].startswith("o311_")


def test_list_and_revoke(oc):
    key = run("--create", "媒体平台")[-1]
    listed = "\n".join(run("--list"))
    assert "媒体平台" in listed and key not in listed
    run("--revoke", "媒体平台")
    assert not Open311Client.objects.get(name="媒体平台").active
    assert AuditEvent.objects.filter(code="api.open311_client.revoked").exists()
    response = Client().post(f"{BASE}/requests.json", payload(oc, api_key=key), content_type=FORM)
    assert response.status_code == 403


def test_command_errors(oc):
    with pytest.raises(CommandError):
        run("--create", "x", "--city", "nowhere")
    with pytest.raises(CommandError):
        run("--create", "12345 热线平台")  # the fixture's name is taken
    with pytest.raises(CommandError):
        run("--revoke", "nobody")
