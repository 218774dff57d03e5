"""API tokens: they expire, can be listed and revoked (page, command, services), and stop
working when the account may no longer log in or its password changed."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from chuangwen.api.services import issue_api_token, revoke_api_token
from chuangwen.core.errors import InvalidInput, PermissionDenied
from chuangwen.core.models import ApiToken, AuditEvent
from chuangwen.org import services as org
from chuangwen.org.actors import SYSTEM
from chuangwen.org.models import Person
from tests import factories
from tests.factories import PASSWORD

UNITS = "/api/org/units"


def bearer(raw):
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def works(raw) -> bool:
    status = bearer(raw).get(UNITS).status_code
    assert status in (200, 401), status
    return status == 200


def issue(person, **kwargs):
    return issue_api_token(person.user, name="网格员APP", acting_user=person.user, **kwargs)


def test_a_token_expires_after_its_lifetime(small_city, settings):
    token, raw = issue(small_city.liaison_a)
    lifetime = token.expires_at - timezone.now()
    assert (
        timedelta(days=settings.API_TOKEN_DAYS - 1)
        < lifetime
        <= timedelta(days=settings.API_TOKEN_DAYS)
    )
    assert raw.startswith(token.prefix) and len(token.prefix) == ApiToken.SHOWN_PREFIX
    assert works(raw)
    short, raw_short = issue(small_city.liaison_a, days=3)
    assert timedelta(days=2) < short.expires_at - timezone.now() <= timedelta(days=3)
    # the clock passes the expiry
    ApiToken.objects.filter(pk=short.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert not works(raw_short)
    assert works(raw)


@pytest.mark.parametrize("days", ["0", "-1", "abc", "100000"])
def test_a_lifetime_out_of_range_is_refused(small_city, days):
    with pytest.raises(InvalidInput):
        issue(small_city.liaison_a, days=days)
    assert not ApiToken.objects.exists()


def test_a_revoked_token_stops_and_the_revocation_is_audited(small_city):
    token, raw = issue(small_city.liaison_a)
    assert AuditEvent.objects.filter(code="core.api_token.issued", object_id=str(token.pk))
    revoke_api_token(token, acting_user=small_city.liaison_a.user)
    assert not works(raw)
    event = AuditEvent.objects.get(code="core.api_token.revoked", object_id=str(token.pk))
    assert event.actor == small_city.liaison_a.user and event.city == small_city.city


def test_only_the_owner_the_citys_office_or_the_system_revoke(small_city):
    token, raw = issue(small_city.liaison_a)
    with pytest.raises(PermissionDenied):
        revoke_api_token(token, acting_user=small_city.liaison_b.user)
    other = factories.SmallCity()
    with pytest.raises(PermissionDenied):
        revoke_api_token(token, acting_user=other.office.user)
    with pytest.raises(TypeError):
        revoke_api_token(token, acting_user=None)
    assert works(raw)
    revoke_api_token(token, acting_user=small_city.office.user)
    assert not works(raw)
    _, raw2 = issue(small_city.liaison_b)
    revoke_api_token(ApiToken.objects.get(user=small_city.liaison_b.user), acting_user=SYSTEM)
    assert not works(raw2)


def test_a_password_change_stops_the_tokens_issued_before_it(small_city):
    person = small_city.liaison_a
    _, before = issue(person)
    client = Client()
    client.force_login(person.user)
    new = "Mz8%harbour-Kite"
    response = client.post(
        "/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302, response.content.decode()
    assert not works(before)
    _, after = issue(person)
    assert works(after)


def test_a_locked_out_account_cannot_use_its_token(small_city, settings):
    person = small_city.liaison_a
    _, raw = issue(person)
    _, other = issue(small_city.liaison_b)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post("/login/", {"username": person.user.username, "password": "wrong-Pass9!"})
    assert not works(raw)
    assert works(other)


def test_a_disabled_account_or_person_cannot_use_its_token(small_city):
    _, raw_a = issue(small_city.liaison_a)
    _, raw_b = issue(small_city.liaison_b)
    org.update_person(small_city.liaison_a, active=False, acting_user=small_city.office.user)
    assert not works(raw_a)
    # a person made inactive while the account itself stayed active (e.g. by an older release)
    Person.objects.filter(pk=small_city.liaison_b.pk).update(active=False)
    assert not works(raw_b)


def test_the_token_page_lists_ones_own_and_the_office_sees_the_city(small_city, client_for):
    mine, raw = issue(small_city.liaison_a)
    theirs, _ = issue(small_city.liaison_b)
    other = factories.SmallCity()
    foreign, _ = issue(other.liaison_a)

    page = client_for(small_city.liaison_a).get("/tokens/")
    html = page.content.decode()
    assert page.status_code == 200 and "接口令牌" in html
    assert f'data-token="{mine.pk}"' in html and mine.prefix in html
    assert f'data-token="{theirs.pk}"' not in html
    assert raw not in html and mine.digest not in html  # only the prefix, ever

    office = client_for(small_city.office).get("/tokens/").content.decode()
    assert f'data-token="{mine.pk}"' in office and f'data-token="{theirs.pk}"' in office
    assert f'data-token="{foreign.pk}"' not in office


def test_the_page_issues_a_token_shown_once_and_revokes(small_city, client_for):
    client = client_for(small_city.liaison_a)
    response = client.post("/tokens/", {"name": "巡查APP", "days": "30"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=small_city.liaison_a.user)
    raw = response.content.decode().split('user-select-all fs-6">')[1].split("<")[0]
    assert ApiToken.hash(raw) == token.digest and works(raw)
    assert response["Cache-Control"] == "no-store"
    assert raw not in client.get("/tokens/").content.decode()

    assert client.post("/tokens/", {"name": "", "days": "30"}).status_code == 400
    assert client.post("/tokens/", {"name": "x", "days": "9999"}).status_code == 400
    assert ApiToken.objects.count() == 1

    # another unit's liaison cannot even see it; the owner revokes it
    assert client_for(small_city.liaison_b).post(f"/tokens/{token.pk}/revoke/").status_code == 404
    assert works(raw)
    assert client.post(f"/tokens/{token.pk}/revoke/").status_code == 302
    assert not works(raw)


def test_the_office_revokes_a_token_of_its_city_on_the_page(small_city, client_for):
    token, raw = issue(small_city.liaison_b)
    assert client_for(small_city.office).post(f"/tokens/{token.pk}/revoke/").status_code == 302
    assert not works(raw)
    assert AuditEvent.objects.get(code="core.api_token.revoked").actor == small_city.office.user


def run(*args):
    out = StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_the_command_issues_lists_and_revokes(small_city):
    username = small_city.liaison_a.user.username
    raw = run("--user", username, "--name", "设备一", "--days", "7")[-1]
    token = ApiToken.objects.get(name="设备一")
    assert works(raw) and timedelta(days=6) < token.expires_at - timezone.now() <= timedelta(7)
    raw2 = run("--user", username, "--name", "设备二")[-1]
    token2 = ApiToken.objects.get(name="设备二")

    listed = "\n".join(run("--list"))
    assert "设备一" in listed and token.prefix in listed and "有效" in listed
    assert raw not in listed and raw2 not in listed

    run("--revoke", str(token.pk))
    assert not works(raw) and works(raw2)
    run("--revoke", token2.prefix)
    assert not works(raw2)
    assert AuditEvent.objects.filter(code="core.api_token.revoked").count() == 2
    assert "已吊销" in "\n".join(run("--list"))

    with pytest.raises(CommandError, match="天数"):
        run("--user", username, "--name", "设备三", "--days", "0")
    with pytest.raises(CommandError, match="不存在"):
        run("--revoke", "999999")
    with pytest.raises(CommandError, match="不存在"):
        run("--user", "nobody", "--name", "x")
