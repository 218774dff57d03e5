from django.contrib import admin

from chuangwen.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import City, Grid, Membership, Pair, Person, Unit


@admin.register(City)
class CityAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "level"]


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "kind", "axis", "parent", "active"]
    list_filter = ["kind", "axis", "active"]
    search_fields = ["name", "code"]
    readonly_fields = ["path", "depth"]


class MembershipInline(ReadOnlyInline):
    model = Membership
    extra = 0
    raw_id_fields = ["unit"]


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["name", "user", "title", "active"]
    search_fields = ["name", "user__username"]
    inlines = [MembershipInline]
    raw_id_fields = ["user"]


@admin.register(Grid)
class GridAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "unit", "area_m2"]
    search_fields = ["code", "name"]
    raw_id_fields = ["unit", "workers"]


@admin.register(Pair)
class PairAdmin(ReadOnlyAdmin):
    list_display = ["unit", "community", "started_on"]
    raw_id_fields = ["unit", "community"]
