import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "weak", ["short1A!", "alllowercaseletters", "ALLUPPER123456", "1234567890123"]
)
def test_password_policy_refuses_weak_passwords(weak):
    with pytest.raises(ValidationError):
        validate_password(weak)


def test_password_policy_accepts_a_strong_one():
    validate_password("Xq7!tramline-42")


def test_login_and_home(small_city):
    client = Client()
    page = client.get("/login/")
    assert page.status_code == 200 and "登录" in page.content.decode()
    response = client.post(
        "/login/", {"username": small_city.office.user.username, "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert "工作台" in response.content.decode()


def test_lockout_after_repeated_failures(small_city, settings):
    username = small_city.liaison_a.user.username
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        r = client.post("/login/", {"username": username, "password": "wrong-Password1"})
        assert r.status_code in (200, 429)
    # now even the right password is refused for this account
    r = client.post("/login/", {"username": username, "password": PASSWORD})
    assert r.status_code == 429
    assert "锁定" in r.content.decode()
    # other accounts are not affected
    r = Client().post(
        "/login/", {"username": small_city.office.user.username, "password": PASSWORD}
    )
    assert r.status_code == 302


def test_session_is_an_idle_timeout():
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE <= 30 * 60
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_a_bare_account_without_person_sees_nothing(db, django_user_model):
    user = django_user_model.objects.create_user("bare", password=PASSWORD)
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 403
    assert "尚未关联" in response.content.decode()
    assert client.get("/api/org/units").json()["count"] == 0


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "CHUANGWEN_PRODUCTION": "1",
        "DEBUG": "0",
        "SECRET_KEY": "x" * 30 + "production-secret-key-for-the-check-0123456789",
        "ALLOWED_HOSTS": "cw.example.gov.cn",
        "CHUANGWEN_VAR_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    # set by the browser tests in this process for Playwright; never part of a deployment
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_pages_load_nothing_from_the_internet(small_city, client_for):
    client = client_for(small_city.office)
    for url in ["/", "/org/units/", "/org/grids/map/", "/login/", "/api/docs"]:
        html = client.get(url).content.decode()
        for attr in ('src="http', 'href="http', 'src="//', 'href="//', "url(http"):
            assert attr not in html, (url, attr)


def test_english_through_i18n(db):
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get("/login/").content.decode()
    assert "Log in with the account your unit gave you" in page
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-CN").get("/login/").content.decode()
    assert "请使用单位分配的账号登录" in page
