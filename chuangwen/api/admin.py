from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from chuangwen.cases.choices import Source
from chuangwen.core import audit
from chuangwen.core.admin import ReadOnlyAdmin

from .models import (
    DEFAULT_PUBLIC_SOURCES,
    Open311Client,
    Open311Settings,
    Open311Submission,
    Open311Update,
    ServiceAttribute,
)
from .open311.services import ATTRIBUTE_FIELDS, record_attribute_change, set_public_sources


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
    readonly_fields = [
        "report",
        "client",
        "attributes",
        "media_url",
        "media_urls",
        "merged",
        "address_id",
        "device_id",
        "account_id",
    ]


class Open311SettingsForm(forms.ModelForm):
    public_sources = forms.MultipleChoiceField(
        label=_("公开的案件来源"),
        choices=Source.choices,
        required=False,
        initial=DEFAULT_PUBLIC_SOURCES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "这些来源的案件出现在公开的 Open311 列表和动态中（默认只有随手拍和 Open311）；"
            "督查、模拟测评、媒体曝光、12345 热线的案件含内部或个人信息，慎重公开"
        ),
    )

    class Meta:
        model = Open311Settings
        fields = ["city", "public_sources"]


@admin.register(Open311Settings)
class Open311SettingsAdmin(admin.ModelAdmin):
    """Per city: which case sources the public feed lists. Saved through the service (audited)."""

    form = Open311SettingsForm
    list_display = ["city", "public_sources", "updated_at"]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return ["city"] if obj is not None else []

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        row = set_public_sources(
            obj.city, form.cleaned_data["public_sources"], acting_user=request.user
        )
        obj.pk, obj.public_sources = row.pk, row.public_sources

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Open311Update)
class Open311UpdateAdmin(ReadOnlyAdmin):
    """Citizens' updates posted by clients: read here, kept as evidence."""

    list_display = ["service_request_id", "client", "status", "created_at"]
    list_filter = ["client"]
    search_fields = ["service_request_id", "external_id"]
    readonly_fields = [
        "client",
        "case",
        "report",
        "service_request_id",
        "external_id",
        "status",
        "description",
        "name",
        "email",
        "phone",
        "media_urls",
        "attributes",
        "updated_at_client",
    ]
