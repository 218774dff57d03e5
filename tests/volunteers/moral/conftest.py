import pytest

from tests.volunteers.moral.helpers import MoralCity


@pytest.fixture
def mc(small_city):
    return MoralCity(small_city)
