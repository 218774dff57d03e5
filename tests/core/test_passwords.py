"""Password policy beyond length and classes: guessable and reused passwords, wrong old
passwords on the change-password page, and the per-address lock-out next to the per-account one."""

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from chuangwen.core.models import PasswordHistory
from tests import factories
from tests.factories import PASSWORD


@pytest.mark.parametrize(
    "guessable",
    [
        "Qwerty@123",
        "password12!",
        "P@ssw0rd2026",
        "1qaz@WSX1qaz",
        "Admin@123456",
        "Woaini1314!",
        "Abcd1234!xyz",
        "Asdf!2345zxcv",
        "Aaaaaaaaaa1!",
        "Summer2024!!",
    ],
)
def test_guessable_passwords_are_refused_in_chinese(guessable):
    with pytest.raises(ValidationError) as exc:
        validate_password(guessable)
    assert any("猜" in m or "常见" in m for m in exc.value.messages), exc.value.messages


def test_the_login_name_inside_the_password_is_refused():
    user = User(username="zhangsan")
    with pytest.raises(ValidationError) as exc:
        validate_password("Xk9#Zhangsan-river", user)
    assert "登录名" in " ".join(exc.value.messages)
    with pytest.raises(ValidationError):
        validate_password("Xk9#Zh@ngs@n-river", user)  # leet spelling too
    validate_password("Xk9#Zhangsan-river", User(username="lisi.wang"))


def test_the_persons_name_in_pinyin_inside_the_password_is_refused(small_city):
    from chuangwen.core.errors import InvalidInput
    from chuangwen.org import services as org

    with pytest.raises(InvalidInput, match="拼音"):
        org.create_person(
            small_city.city,
            name="王小明",
            username="u-wxm",
            password="Kx9#Wangxiaoming",
            acting_user=small_city.office.user,
        )
    person = small_city.liaison_a
    org.update_person(person, name="李四海", acting_user=small_city.office.user)
    person.user.refresh_from_db()
    with pytest.raises(ValidationError):
        validate_password("Kx9#lisihai-Tree", person.user)
    validate_password("Kx9#harbour-Tree", person.user)


@pytest.mark.parametrize("strong", ["Xq7!tramline-42", "Vq3!lantern-Ox9", "Tr0ub4dor&3x"])
def test_strong_passwords_pass(strong):
    validate_password(strong, User(username="zhangsan"))


def change(client, old, new):
    return client.post(
        "/password/", {"old_password": old, "new_password1": new, "new_password2": new}
    )


def test_the_last_five_passwords_may_not_be_reused(small_city):
    person = small_city.liaison_a
    client = Client()
    client.force_login(person.user)
    used = [PASSWORD]
    for n in range(5):
        new = f"Mz{n}%harbour-Kite"
        assert change(client, used[-1], new).status_code == 302
        client.force_login(User.objects.get(pk=person.user.pk))
        used.append(new)
    assert PasswordHistory.objects.filter(user=person.user).count() == PasswordHistory.KEEP
    for old in used[-5:]:
        response = change(client, used[-1], old)
        assert response.status_code == 200
        assert "最近 5 次" in response.content.decode()
    # the sixth-last (the factory's) has left the history
    assert change(client, used[-1], used[0]).status_code == 302


def test_wrong_old_passwords_lock_the_account_like_failed_logins(small_city, settings):
    person = small_city.liaison_a
    client = Client()
    client.force_login(person.user)
    new = "Mz8%harbour-Kite"
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = change(client, "wrong-Guess7!", new)
        assert response.status_code == 200 and "不正确" in response.content.decode()
    response = change(client, "wrong-Guess7!", new)
    assert response.status_code == 429 and "锁定" in response.content.decode()
    # the session is gone and the right password no longer logs in
    assert client.get("/").status_code == 302
    login = Client().post("/login/", {"username": person.user.username, "password": PASSWORD})
    assert login.status_code == 429
    assert User.objects.get(pk=person.user.pk).check_password(PASSWORD)


def test_many_failures_from_one_address_refuse_that_address(db, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 8
    city = factories.SmallCity()
    victims = [city.leader, city.liaison_a, city.liaison_b, city.dept_liaison]
    spray = Client(REMOTE_ADDR="203.0.113.9")
    for victim in victims:  # two guesses per account: no account reaches its own limit
        for guess in ("Qwerty@123", "Passw0rd!"):
            spray.post("/login/", {"username": victim.user.username, "password": guess})
    # that address is refused even with a right password ...
    office = {"username": city.office.user.username, "password": PASSWORD}
    assert spray.post("/login/", office).status_code == 429
    # ... while the accounts themselves are not locked from elsewhere
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    assert elsewhere.post("/login/", office).status_code == 302
    victim = {"username": city.liaison_a.user.username, "password": PASSWORD}
    assert Client(REMOTE_ADDR="198.51.100.8").post("/login/", victim).status_code == 302
    # a colleague already logged in behind that address keeps their session
    colleague = Client(REMOTE_ADDR="203.0.113.9")
    colleague.force_login(city.office.user)
    assert colleague.get("/password/").status_code == 200


def test_a_few_failures_from_a_shared_address_lock_nobody_else(small_city, settings):
    office_nat = Client(REMOTE_ADDR="10.1.2.3")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        office_nat.post(
            "/login/", {"username": small_city.liaison_a.user.username, "password": "x"}
        )
    colleague = {"username": small_city.liaison_b.user.username, "password": PASSWORD}
    assert Client(REMOTE_ADDR="10.1.2.3").post("/login/", colleague).status_code == 302
