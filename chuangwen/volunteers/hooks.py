"""What other parts of the platform may hang on confirmed volunteer hours.

The moral bank (道德银行) earns points from confirmed service hours. It registers a listener
once (in ``AppConfig.ready``)::

    from chuangwen.volunteers.hooks import on_hours_confirmed

    def credit_points(records: list[ServiceRecord]) -> None: ...

    on_hours_confirmed(credit_points)

``confirm_hours`` and ``correct_record`` call every listener with the new ``ServiceRecord`` rows
(``kind`` "service" with positive minutes, or "correction" with plus or minus minutes; each has
``volunteer``, ``activity``, ``minutes``, ``created_at``) INSIDE their transaction, after the rows
are written: a listener's writes commit or roll back together with the hours, so the ledger
and the points never disagree; a listener that raises refuses the confirmation. For a
catch-up or a recount, ``selectors.confirmed_records(city_id, since=…, after_id=…)`` reads the
same rows.
"""

from collections.abc import Callable
from typing import Any

HoursListener = Callable[[list[Any]], None]
_listeners: list[HoursListener] = []


def on_hours_confirmed(listener: HoursListener) -> None:
    """Register ``listener(records)``; registering the same function twice is harmless."""
    if listener not in _listeners:
        _listeners.append(listener)


def hours_confirmed(records: list[Any]) -> None:
    """Called by the services with the ledger rows just written."""
    if records:
        for listener in list(_listeners):
            listener(records)
