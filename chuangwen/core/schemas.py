from datetime import datetime
from typing import Any

from ninja import Schema


class JobOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    status_label: str
    done: int
    total: int
    percent: int
    result: dict[str, Any]
    error: str
    created_by_id: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())
