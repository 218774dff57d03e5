import pytest
from django.test import Client

from tests import factories


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness costs seconds per test city; the policy is tested apart
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_grid_index():
    from chuangwen.org.services import grid_index
    from chuangwen.sites.places import site_index

    grid_index.clear()
    site_index.clear()
    yield
    grid_index.clear()
    site_index.clear()


@pytest.fixture
def small_city(db):
    return factories.SmallCity()


def login(person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


@pytest.fixture
def client_for():
    return login
