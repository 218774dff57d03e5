import pytest

from tests.volunteers.helpers import VolunteerCity


@pytest.fixture
def vc(small_city):
    return VolunteerCity(small_city)
