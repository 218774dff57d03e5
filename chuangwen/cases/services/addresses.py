"""The office's address book: place names → grid / unit, used when a report has no point."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from chuangwen.core import audit
from chuangwen.core.errors import InvalidInput
from chuangwen.org.actors import require_office
from chuangwen.org.models import City, Grid, Unit

from ..models import AddressEntry


@transaction.atomic
def add_address(
    city: City,
    keyword: str,
    *,
    grid: Grid | None = None,
    unit: Unit | None = None,
    acting_user: Any,
) -> AddressEntry:
    require_office(acting_user, city)
    keyword = (keyword or "").strip()
    if len(keyword) < 2 or (grid is None and unit is None):
        raise InvalidInput(_("地名至少两个字，并指定网格或单位"))
    if any(x is not None and x.city_id != city.pk for x in (grid, unit)):
        raise InvalidInput(_("网格或单位不属于本城市"))
    entry, _created = AddressEntry.objects.update_or_create(
        city=city,
        keyword=keyword,
        defaults={
            "grid": grid,
            "unit": unit or (grid.unit if grid else None),
            "lon": grid.centroid_lon if grid else None,
            "lat": grid.centroid_lat if grid else None,
        },
    )
    audit.record("cases.address.saved", entry, actor=acting_user, after={"keyword": keyword})
    return entry


class AddressBook:
    """Address → (grid, unit): the office's address book first, then street and community
    names. The longest name contained in the address wins."""

    def __init__(self, city_id: int):
        entries = AddressEntry.objects.filter(city_id=city_id).values_list(
            "keyword", "grid_id", "unit_id"
        )
        self.entries: list[tuple[str, int | None, int | None]] = sorted(
            entries, key=lambda e: -len(e[0])
        )
        units = Unit.objects.filter(
            city_id=city_id, active=True, kind__in=["community", "street", "district"]
        ).values_list("name", "pk")
        self.units = sorted(((n, pk) for n, pk in units if len(n) >= 2), key=lambda e: -len(e[0]))

    def match(self, address: str) -> tuple[int | None, int | None]:
        if not address:
            return None, None
        for keyword, grid_id, unit_id in self.entries:
            if keyword in address:
                return grid_id, unit_id
        for name, pk in self.units:
            if name in address:
                return None, pk
        return None, None
