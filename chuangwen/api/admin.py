from typing import Any

from django.contrib import admin

from chuangwen.core import audit
from chuangwen.core.admin import ReadOnlyAdmin

from .models import Open311Client, Open311Submission, ServiceAttribute
from .open311.services import ATTRIBUTE_FIELDS, record_attribute_change


@admin.register(Open311Client)
class Open311ClientAdmin(ReadOnlyAdmin):
    """Keys are issued and revoked with ``manage.py open311_key``; here they are seen."""

    list_display = ["name", "city", "active", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["active", "city"]
    search_fields = ["name"]


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(admin.ModelAdmin):
    list_display = ["category", "order", "code", "datatype", "required", "variable", "active"]
    list_filter = ["datatype", "active"]
    search_fields = ["code", "description", "category__code", "category__name"]
    raw_id_fields = ["category"]

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        before = None
        if change and obj.pk:
            old = ServiceAttribute.objects.get(pk=obj.pk)
            before = audit.snapshot(old, ATTRIBUTE_FIELDS)
        super().save_model(request, obj, form, change)
        record_attribute_change(obj, before, acting_user=request.user)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # deactivate instead: submitted answers keep their meaning


@admin.register(Open311Submission)
class Open311SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["report", "client", "media_url", "created_at"]
    list_filter = ["client"]
