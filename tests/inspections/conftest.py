import pytest

from tests.inspections.helpers import InspectionCity


@pytest.fixture
def ic(small_city):
    return InspectionCity(small_city)
