"""Duplicate check: same category, within R metres and T days, similar text.

Candidates come from indexed queries on (city, category, cell, reported_at): ``cell`` is the
case's square of CELL_DEG degrees (about 110 m × 100 m here), so a radius of R metres only
needs the few neighbouring cells, and a batch asks only for the (category, cell) pairs its own
reports need. Text similarity is the Jaccard index of character bigrams, which works on short
Chinese texts without word segmentation; a candidate's bigrams are computed only when a report
lands near it.

Concurrent intakes of the same problem must not both miss each other (two transactions that
each see no candidate open two cases): ``lock_cells`` serialises them, see there.
"""

import hashlib
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import OperationalError, transaction
from django.utils.translation import gettext as _

from chuangwen.core.errors import Busy
from chuangwen.core.geo import distance_m

CELL_DEG = 0.001
_LAT_SHIFT = 90_000
_ROW = 200_000
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def cell_of(lon: float, lat: float) -> int:
    ix = math.floor(lon / CELL_DEG) + 180_000
    iy = math.floor(lat / CELL_DEG) + _LAT_SHIFT
    return ix * _ROW + iy


def neighbour_cells(lon: float, lat: float, radius_m: float) -> list[int]:
    """Every cell a point within ``radius_m`` of (lon, lat) may fall in."""
    dy = radius_m / 111_320.0
    dx = radius_m / (111_320.0 * max(math.cos(math.radians(lat)), 0.01))
    x0, x1 = math.floor((lon - dx) / CELL_DEG), math.floor((lon + dx) / CELL_DEG)
    y0, y1 = math.floor((lat - dy) / CELL_DEG), math.floor((lat + dy) / CELL_DEG)
    return [
        (ix + 180_000) * _ROW + iy + _LAT_SHIFT
        for ix in range(x0, x1 + 1)
        for iy in range(y0, y1 + 1)
    ]


def bigrams(text: str) -> frozenset[str]:
    text = _PUNCT.sub("", (text or "").lower())
    if len(text) < 2:
        return frozenset([text]) if text else frozenset()
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard index of two bigram sets; 1.0 when either text is empty (a photo-only report
    of the same category at the same place is taken as the same problem)."""
    if not a or not b:
        return 1.0
    return len(a & b) / len(a | b)


def wanted_cells(
    points: Iterable[tuple[int, float, float]], radius_m: float
) -> dict[int, set[int]]:
    """For (category id, lon, lat) points: category id → the cells their candidates can be in."""
    out: dict[int, set[int]] = {}
    for category_id, lon, lat in points:
        out.setdefault(category_id, set()).update(neighbour_cells(lon, lat, radius_m))
    return out


def pair_chunks(
    wanted: dict[int, set[int]], max_params: int = 900
) -> Iterator[list[tuple[int, list[int]]]]:
    """Split category → cells into chunks of (category id, cells) of at most ``max_params``
    query parameters each, for ``OR``-ed ``category = c AND cell IN (…)`` lookups."""
    chunk: list[tuple[int, list[int]]] = []
    size = 0
    for category_id in sorted(wanted):
        cells = sorted(wanted[category_id])
        for k in range(0, len(cells), max_params - 1):
            part = cells[k : k + max_params - 1]
            if chunk and size + len(part) + 1 > max_params:
                yield chunk
                chunk, size = [], 0
            chunk.append((category_id, part))
            size += len(part) + 1
    if chunk:
        yield chunk


@dataclass
class Candidate:
    key: object  # a Case (saved or about to be)
    category_id: int | None
    lon: float
    lat: float
    text: str
    reported_at: object = None
    _grams: frozenset[str] | None = field(default=None, repr=False)

    @property
    def grams(self) -> frozenset[str]:
        if self._grams is None:
            self._grams = bigrams(self.text)
        return self._grams


@dataclass
class CandidatePool:
    """Open cases by (category, cell), filled from the database and grown by the batch."""

    radius_m: float
    threshold: float
    by_cell: dict[tuple[int | None, int], list[Candidate]] = field(default_factory=dict)

    def add(self, cand: Candidate) -> None:
        self.by_cell.setdefault((cand.category_id, cell_of(cand.lon, cand.lat)), []).append(cand)

    def extend(self, cands: Iterable[Candidate]) -> None:
        for c in cands:
            self.add(c)

    def match(self, category_id: int | None, lon: float, lat: float, text: str) -> Candidate | None:
        best, best_score = None, -1.0
        grams: frozenset[str] | None = None
        for cell in neighbour_cells(lon, lat, self.radius_m):
            for cand in self.by_cell.get((category_id, cell), ()):
                dist = distance_m(lon, lat, cand.lon, cand.lat)
                if dist > self.radius_m:
                    continue
                if grams is None:
                    grams = bigrams(text)
                score = similarity(grams, cand.grams)
                if score >= self.threshold and score - dist / 1e6 > best_score:
                    best, best_score = cand, score - dist / 1e6
        return best


# --- serialising duplicate detection ----------------------------------------------------------

LOCK_CELL_DEG = 0.01  # the coarse cell of the intake lock: about 1 km
MAX_CELL_LOCKS = 64  # more (a big import batch): lock its whole categories instead
LOCK_WAIT_S = 20  # then the intake answers Busy (503, retry) rather than hang a worker


def _key(*parts: object) -> int:
    """A signed 64-bit advisory-lock key for ``parts`` (a hash: a collision only makes two
    unrelated intakes wait for each other)."""
    raw = ":".join(["cases.dedupe", *map(str, parts)]).encode()
    return int.from_bytes(hashlib.blake2b(raw, digest_size=8).digest(), "big", signed=True)


def _coarse_cells(lon: float, lat: float, radius_m: float) -> set[tuple[int, int]]:
    dy = radius_m / 111_320.0
    dx = radius_m / (111_320.0 * max(math.cos(math.radians(lat)), 0.01))
    x0, x1 = math.floor((lon - dx) / LOCK_CELL_DEG), math.floor((lon + dx) / LOCK_CELL_DEG)
    y0, y1 = math.floor((lat - dy) / LOCK_CELL_DEG), math.floor((lat + dy) / LOCK_CELL_DEG)
    return {(ix, iy) for ix in range(x0, x1 + 1) for iy in range(y0, y1 + 1)}


@dataclass
class LockPlan:
    """Category keys (shared, or exclusive when ``whole_categories``) then cell keys
    (exclusive), each list sorted: every transaction takes them in this one global order."""

    categories: list[int]
    cells: list[int]
    whole_categories: bool


def lock_plan(
    city_id: int, points: Iterable[tuple[int, float, float]], radius_m: float
) -> LockPlan:
    """The locks an intake of (category id, lon, lat) points takes: per (city, category,
    coarse cell) for every coarse cell a point's search radius touches. Two reports within
    ``radius_m`` of each other share the coarse cell of either point, so they share a lock."""
    categories: set[int] = set()
    cells: set[tuple[int, int, int]] = set()
    for category_id, lon, lat in points:
        categories.add(category_id)
        cells.update((category_id, x, y) for x, y in _coarse_cells(lon, lat, radius_m))
    category_keys = sorted({_key(city_id, c) for c in categories})
    if len(cells) > MAX_CELL_LOCKS:
        return LockPlan(category_keys, [], True)
    return LockPlan(category_keys, sorted({_key(city_id, *c) for c in cells}), False)


def lock_cells(
    city_id: int,
    points: Iterable[tuple[int, float, float]],
    radius_m: float,
    *,
    wait_s: float | None = None,
) -> None:
    """Serialise duplicate detection around these points until the transaction ends. Call it
    inside the intake's transaction before reading the candidates: an intake of the same
    category nearby then waits until this one has committed its case, and finds it.

    PostgreSQL: transaction-scoped advisory locks, in one fixed order (no deadlocks): the
    categories shared and then the coarse cells exclusive — or, for a batch touching more than
    MAX_CELL_LOCKS cells, the categories exclusive (a bounded number of locks however big the
    import). Waiting longer than ``wait_s`` raises Busy. SQLite: nothing to do — every
    transaction begins IMMEDIATE (settings), so the database's write lock, held from BEGIN to
    COMMIT, already serialises intakes."""
    wait_s = LOCK_WAIT_S if wait_s is None else wait_s
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("lock_cells must run inside the intake's transaction")
    plan = lock_plan(city_id, points, radius_m)
    if not plan.categories:
        return
    category_lock = (
        "pg_advisory_xact_lock" if plan.whole_categories else "pg_advisory_xact_lock_shared"
    )
    with connection.cursor() as cur:
        cur.execute("SELECT current_setting('lock_timeout')")
        previous = cur.fetchone()[0]
        cur.execute("SELECT set_config('lock_timeout', %s, true)", [f"{int(wait_s * 1000)}ms"])
        try:
            cur.execute(
                f"SELECT {category_lock}(k) FROM unnest(%s::bigint[]) AS k", [plan.categories]
            )
            if plan.cells:
                cur.execute(
                    "SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k", [plan.cells]
                )
        except OperationalError as exc:
            raise Busy(_("同一位置的上报正在处理，请稍后重试")) from exc
        cur.execute("SELECT set_config('lock_timeout', %s, true)", [previous])
