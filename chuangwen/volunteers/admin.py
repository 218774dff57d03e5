from django.contrib import admin

from chuangwen.core.admin import ReadOnlyAdmin

from .models import (
    Activity,
    Attendance,
    Award,
    Certificate,
    Evaluation,
    Issuer,
    RecordConsent,
    ServiceRecord,
    Signup,
    Team,
    Training,
    Volunteer,
    VolunteerSettings,
)
from .pairs import admin as pairs_admin  # noqa: F401  (registers the pair models)

# ==== volunteers =======================================================================


@admin.register(Volunteer)
class VolunteerAdmin(ReadOnlyAdmin):
    list_display = ["person", "id_masked", "area", "total_minutes", "channel", "active"]
    exclude = ["id_cipher", "id_digest"]  # never shown, not even read-only
    search_fields = ["person__name"]


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["title", "unit", "team", "starts_at", "capacity", "status"]
    list_filter = ["status", "organiser_kind"]


@admin.register(ServiceRecord)
class ServiceRecordAdmin(ReadOnlyAdmin):
    list_display = ["id", "volunteer", "activity", "kind", "minutes", "created_at"]
    list_filter = ["kind"]


admin.site.register(
    [
        VolunteerSettings,
        Issuer,
        Team,
        Signup,
        Attendance,
        Training,
        Award,
        Evaluation,
        RecordConsent,
        Certificate,
    ],
    ReadOnlyAdmin,
)
