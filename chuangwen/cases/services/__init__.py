"""Every write of the case loop, by concern:

- ``common``: the audited case fields, tracking codes, state counts, notifications and whom they
  reach, saving a checked photo (the bulk insert is `chuangwen.core.bulk`);
- ``configuration``: categories, the duplicate rule, the working-day calendar;
- ``addresses``: the office's address book (place name → grid / unit);
- ``intake``: intake from every channel, one report or many (duplicates linked, 并单);
- ``workflow``: the transitions (立案 … 结案, 评价);
- ``extensions``: deadline extensions and extra photos;
- ``hotline``: the 12345 work-order import.

Services take explicit arguments and a keyword-only ``acting_user`` without a default (see
``chuangwen.org.actors``): a user, ``SYSTEM`` (commands, the demo builder, inspections' own
dispatch) or ``PUBLIC`` (the 随手拍 page and rating by tracking code, Open311).

Every transition locks the case, checks the actor's scope (404 alike for missing and out of
scope), role (403) and the state (409), then writes the case, one CaseEvent
and one audit row, and queues the notifications on commit.

Import from here (``from chuangwen.cases import services``); the submodules are its parts.
"""

from .addresses import AddressBook, add_address
from .common import (
    CASE_FIELDS,
    new_tracking_code,
    notify,
    rebuild_state_counts,
    save_photo,
)
from .configuration import (
    CATEGORIES_FILE,
    CATEGORY_FIELDS,
    create_category,
    duplicate_settings,
    load_categories,
    set_calendar_override,
    update_category,
    update_duplicate_settings,
)
from .extensions import add_photos, decide_extension, request_extension
from .hotline import (
    HOTLINE_OPTIONAL,
    HOTLINE_REQUIRED,
    HotlineImport,
    import_hotline,
    import_hotline_orders,
)
from .intake import (
    CHANNEL_SOURCES,
    INTAKE_ROLES,
    MAX_DESCRIPTION,
    IntakeData,
    IntakeResult,
    allowed_sources,
    intake_case,
    intake_cases,
    reveal_reporter_phone,
    sources_for_scope,
    suggest_unit,
    target_unit,
)
from .workflow import (
    VERIFY_MAX_DISTANCE_M,
    accept_case,
    actions_for_scope,
    allowed_actions,
    assign_case,
    close_case,
    dispatch_case,
    handle_case,
    rate_report,
    register_case,
    reject_case,
    return_case,
    verify_case,
)

__all__ = [
    "CASE_FIELDS",
    "CATEGORIES_FILE",
    "CATEGORY_FIELDS",
    "CHANNEL_SOURCES",
    "HOTLINE_OPTIONAL",
    "HOTLINE_REQUIRED",
    "INTAKE_ROLES",
    "MAX_DESCRIPTION",
    "VERIFY_MAX_DISTANCE_M",
    "AddressBook",
    "HotlineImport",
    "IntakeData",
    "IntakeResult",
    "accept_case",
    "actions_for_scope",
    "add_address",
    "add_photos",
    "allowed_actions",
    "allowed_sources",
    "assign_case",
    "close_case",
    "create_category",
    "decide_extension",
    "dispatch_case",
    "duplicate_settings",
    "handle_case",
    "import_hotline",
    "import_hotline_orders",
    "intake_case",
    "intake_cases",
    "load_categories",
    "new_tracking_code",
    "notify",
    "rate_report",
    "rebuild_state_counts",
    "register_case",
    "reject_case",
    "request_extension",
    "return_case",
    "reveal_reporter_phone",
    "save_photo",
    "set_calendar_override",
    "sources_for_scope",
    "suggest_unit",
    "target_unit",
    "update_category",
    "update_duplicate_settings",
    "verify_case",
]
