"""Rate limits shared by every worker process: N hits per key per fixed window.

The counter lives in the default cache, which every process shares (the database cache
without Redis, Redis with it). A hit claims one of the window's N numbered slots with
``cache.add``, which is atomic on every shared backend (an INSERT on a unique key in the
database cache, SET NX in Redis) — unlike ``cache.incr``, which the database cache implements
as a read followed by a write, so two processes could both count 9 and both let the 10th
through. One ``get_many`` finds the free slots first, so a hit usually costs two round trips.
A slot neither added nor found means the store could not write (Busy: 503, retry).
"""

import time
from collections.abc import Sequence

from django.core.cache import BaseCache, cache

from .errors import Busy


def _slots(key: str, limit: int, window: int, now: float) -> list[str]:
    bucket = int(now // window)
    return [f"rl:{key}:{bucket}:{i}" for i in range(limit)]


def hit(
    keys: Sequence[str],
    limit: int,
    window: int,
    *,
    store: BaseCache | None = None,
    now: float | None = None,
) -> bool:
    """Count one hit against each of ``keys`` (e.g. the client address and the phone number);
    ``False`` — and nothing counted — when any of them has had ``limit`` hits in the current
    window of ``window`` seconds."""
    store = store if store is not None else cache
    now = time.time() if now is None else now
    expires = int(window - now % window) + 60  # the slot outlives its window, then goes
    slots = {key: _slots(key, limit, window, now) for key in keys}
    taken = store.get_many([s for names in slots.values() for s in names])
    if any(all(s in taken for s in names) for names in slots.values()):
        return False
    for names in slots.values():
        if not any(_claim(store, s, expires) for s in names if s not in taken):
            return False  # filled by other requests since the look-up
    return True


def _claim(store: BaseCache, slot: str, expires: int) -> bool:
    if store.add(slot, 1, expires):
        return True
    if store.get(slot) is None:
        # not taken, yet not added: the database cache swallows its write errors (a locked or
        # unreachable database) into False — that is "retry later", not "limit reached"
        raise Busy()
    return False
