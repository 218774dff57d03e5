"""What apps above cases plug into it (cases must not import them).

- a category suggester: ``fn(city_id, texts, k) -> [[(category_code, confidence), …], …]``,
  the top ``k`` categories of each text (citizens fills it with its learned model);
- hotline order handlers: 12345 orders of a given 诉求类型 (e.g. 建议) go to the handler
  instead of becoming cases: ``fn(city, orders, *, acting_user) -> int`` (how many it took),
  called inside the import's transaction, so the import stays all or nothing.

Register in ``AppConfig.ready``; registering the same function twice is harmless.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

logger = logging.getLogger(__name__)

Suggester = Callable[[int, Sequence[str], int], list[list[tuple[str, float]]]]


@dataclass
class HotlineOrder:
    external_id: str
    text: str
    reported_at: datetime | None
    name: str
    phone: str
    address: str
    lon: float | None
    lat: float | None


class HotlineHandler(Protocol):
    def __call__(self, city: Any, orders: list[HotlineOrder], *, acting_user: Any) -> int: ...


_suggesters: list[Suggester] = []
_hotline: dict[str, HotlineHandler] = {}
_hotline_becomes: dict[str, str] = {}


def register_category_suggester(fn: Suggester) -> None:
    if fn not in _suggesters:
        _suggesters.append(fn)


def unregister_category_suggester(fn: Suggester) -> None:
    if fn in _suggesters:
        _suggesters.remove(fn)


def suggest_categories(
    city_id: int, texts: Sequence[str], k: int = 3
) -> list[list[tuple[str, float]]]:
    """The first registered suggester's answer; empty lists when none is registered, no model
    is trained yet, or the suggester fails (a suggestion is a help, never a blocker)."""
    empty: list[list[tuple[str, float]]] = [[] for _ in texts]
    for fn in _suggesters:
        try:
            return fn(city_id, texts, k)
        except Exception:
            logger.exception("category suggester failed")
            return empty
    return empty


def register_hotline_handler(kind: str, fn: HotlineHandler, *, becomes: str = "") -> None:
    """Orders whose 诉求类型 is ``kind`` go to ``fn`` (one handler per kind); ``becomes`` names
    what they turn into (e.g. 意见建议), for the import's summary."""
    current = _hotline.get(kind)
    if current is not None and current is not fn:
        raise ValueError(f"hotline kind {kind!r} already has a handler")
    _hotline[kind] = fn
    if becomes:
        _hotline_becomes[kind] = becomes


def hotline_becomes(kind: str) -> str:
    """What orders of ``kind`` turn into (the kind itself when not told)."""
    return _hotline_becomes.get(kind, kind)


def hotline_handler(kind: str) -> HotlineHandler | None:
    return _hotline.get((kind or "").strip())
