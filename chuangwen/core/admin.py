"""The Django admin shows domain models read-only: every write goes through a service.

``ReadOnlyAdmin`` (and ``ReadOnlyInline``) is the base of every domain model's admin: listable,
searchable and viewable, but no add, change or delete — a unit added here would get no path
and its members would see the whole city; a row changed here would skip the audit trail.
Django's own ``auth.User`` / ``auth.Group`` stay editable: they are login accounts of the
platform (passwords, superusers), not city data, and grant no scope on their own — what a
person sees comes from ``org.Person`` and its memberships, which only the services write.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import ApiToken, AuditEvent


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(_ReadOnly, admin.ModelAdmin):
    """A domain model in the admin: list, search and view; writes go through the services."""


class ReadOnlyInline(_ReadOnly, admin.TabularInline):
    """Related rows shown on a read-only page."""

    extra = 0


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "code", "object_type", "object_id", "summary"]
    list_filter = ["code"]
    search_fields = ["code", "object_id", "summary"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Tokens are issued and revoked on the token page or with manage.py api_token, so every
    change is audited."""

    list_display = ["name", "prefix", "user", "created_at", "last_used_at", "expires_at"]
    list_display += ["revoked_at"]
    search_fields = ["name", "prefix", "user__username"]
