"""The 随手拍 form's one-time token, through HTTP as a phone's browser sends it: a double tap
or a resend files one report and answers with the same tracking code."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from chuangwen.cases.models import Case, Report
from tests import factories
from tests.parallel import run_parallel

from .conftest import IN_A


def form_token(client, url) -> str:
    body = client.get(url).content.decode()
    return re.search(r'name="token" value="([^"]+)"', body).group(1)


def fields(token, **over):
    data = {
        "token": token,
        "description": "路边垃圾堆了好几天没人清理",
        "phone": "13912345678",
        "lon": IN_A[0],
        "lat": IN_A[1],
    }
    data.update(over)
    return data


@pytest.fixture
def url(small_city):
    cache.clear()
    return reverse("cases:public_report", args=[small_city.city.code])


def test_a_double_submit_files_once_and_shows_the_same_code(url):
    client = Client()
    token = form_token(client, url)
    first = client.post(url, fields(token))
    second = client.post(url, fields(token))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    report = Report.objects.get()
    assert first["Location"].endswith(f"/{report.tracking_code}/?new=1")
    assert Case.objects.count() == 1
    # another showing of the form is another report
    assert client.post(url, fields(form_token(client, url))).status_code == 302
    assert Report.objects.count() == 2


@pytest.mark.parametrize("token", ["", "forged", "abc:def:ghi"])
def test_a_missing_or_forged_token_files_nothing_and_the_form_gets_a_fresh_one(url, token):
    client = Client()
    r = client.post(url, fields(token))
    body = r.content.decode()
    assert r.status_code == 200 and "表单已过期或无效" in body and not Report.objects.exists()
    fresh = re.search(r'name="token" value="([^"]+)"', body).group(1)
    assert fresh != token
    assert client.post(url, fields(fresh)).status_code == 302 and Report.objects.count() == 1


def test_an_expired_token_is_refused(url, monkeypatch):
    from datetime import timedelta

    from chuangwen.core import submissions

    client = Client()
    token = form_token(client, url)
    monkeypatch.setattr(submissions, "MAX_AGE", timedelta(seconds=-1))
    r = client.post(url, fields(token))
    assert r.status_code == 200 and "表单已过期或无效" in r.content.decode()
    assert not Report.objects.exists()


def test_a_token_of_another_form_is_refused(url):
    from chuangwen.core import submissions

    r = Client().post(url, fields(submissions.issue("volunteers.signup")))
    assert r.status_code == 200 and not Report.objects.exists()


def test_a_refused_submit_leaves_the_token_usable(url):
    client = Client()
    token = form_token(client, url)
    r = client.post(url, fields(token, lon="", lat="", address="", description="没有位置的描述"))
    assert r.status_code == 200 and not Report.objects.exists()  # no place at all: refused
    assert f'value="{token}"' in r.content.decode()
    ok = client.post(url, fields(token))
    again = client.post(url, fields(token))
    assert ok.status_code == 302 and again["Location"] == ok["Location"]
    assert Report.objects.count() == 1


def test_a_double_submit_does_not_count_twice_against_the_rate_limit(url):
    from chuangwen.cases import views

    client = Client()
    token = form_token(client, url)
    limit = views.PUBLIC_LIMIT[0]
    for _ in range(limit + 3):
        assert client.post(url, fields(token)).status_code == 302
    for i in range(limit - 1):  # the rest of the hour's allowance is still there
        r = client.post(url, fields(form_token(client, url), description=f"第{i}个不同的问题描述"))
        assert r.status_code == 302
    r = client.post(url, fields(form_token(client, url), description="再一个不同的问题描述"))
    assert r.status_code == 200 and "提交过于频繁" in r.content.decode()
    assert Report.objects.count() == limit


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel writers: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_parallel_submits_of_one_form_file_once():
    sc = factories.SmallCity()
    cache.clear()
    url = reverse("cases:public_report", args=[sc.city.code])
    token = form_token(Client(), url)

    def submit(_i):
        r = Client().post(url, fields(token))
        return r.status_code, r.get("Location")

    answers = run_parallel(6, submit)
    report = Report.objects.get(city=sc.city)
    assert answers == [(302, f"/cases/track/{report.tracking_code}/?new=1")] * 6
