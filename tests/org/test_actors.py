"""The actor seam: no service call skips its checks by leaving the actor out."""

import pytest
from django.contrib.auth.models import AnonymousUser

from chuangwen.core.errors import PermissionDenied
from chuangwen.org.actors import (
    PUBLIC,
    SYSTEM,
    actor_scope,
    actor_user,
    check_actor,
    require_office,
    require_unit,
)


def test_none_is_refused():
    with pytest.raises(TypeError):
        check_actor(None)
    with pytest.raises(TypeError):
        require_office(None, 1)


def test_system_passes_public_does_not(small_city):
    c = small_city
    assert require_office(SYSTEM, c.city) is None
    assert actor_user(SYSTEM) is None
    for public in (PUBLIC, AnonymousUser()):
        assert actor_scope(public).is_anonymous
        with pytest.raises(PermissionDenied):
            require_office(public, c.city)


def test_office_check_and_unit_check(small_city):
    c = small_city
    assert require_office(c.office.user, c.city).is_office
    with pytest.raises(PermissionDenied, match="只有创建办管理员"):
        require_office(c.liaison_a.user, c.city)
    with pytest.raises(PermissionDenied):
        require_office(c.leader.user, c.city)
    assert require_unit(c.liaison_a.user, c.street_a) is not None
    with pytest.raises(PermissionDenied, match="管辖范围"):
        require_unit(c.liaison_a.user, c.street_b)
    assert actor_user(c.office.user) == c.office.user
