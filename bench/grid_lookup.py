"""Point → grid lookup over the demo city's 3,000 grids, on one core.

Measures, in one run:
- the batch service ``org.services.locate_points`` (STRtree, vectorised) on N random points;
- the single-point service ``org.services.locate_point`` (one call per point, including its
  check that the grid index is current) on N/10 points;
- the baseline: a plain Python loop testing every polygon in turn, on N/200 points.
All three must agree on every point they share. Target: batch service ≥ 100,000 points/s.

    .venv/bin/python bench/grid_lookup.py --n 100000
"""

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, parser, pin_one_core, setup_django


def main() -> None:
    args = parser(__doc__.splitlines()[0], 100_000).parse_args()
    pin_one_core()
    setup_django("grid_lookup")
    import shapely
    from shapely.geometry import shape

    from chuangwen.org.demo import build_demo_city
    from chuangwen.org.models import Grid
    from chuangwen.org.services import grid_index, locate_point, locate_points

    city = build_demo_city(seed=2026).city
    rows = list(Grid.objects.filter(city=city).order_by("code").values_list("pk", "geometry"))
    polygons = [(pk, shape(g)) for pk, g in rows]
    minx, miny, maxx, maxy = shapely.union_all([p for _, p in polygons]).bounds
    pad_x, pad_y = (maxx - minx) * 0.05, (maxy - miny) * 0.05  # some points fall outside
    rng = random.Random(1)
    points = [
        (rng.uniform(minx - pad_x, maxx + pad_x), rng.uniform(miny - pad_y, maxy + pad_y))
        for _ in range(args.n)
    ]
    print(f"grids: {len(polygons)}, points: {args.n}")

    grid_index.clear()
    t = time.perf_counter()
    locate_points(city, points[:10])  # builds the index once
    build_s = time.perf_counter() - t

    t = time.perf_counter()
    batch = locate_points(city, points)
    batch_s = time.perf_counter() - t

    n_single = max(1, args.n // 10)
    t = time.perf_counter()
    single = [locate_point(city, x, y) for x, y in points[:n_single]]
    single_s = time.perf_counter() - t

    n_loop = max(1, args.n // 200)
    t = time.perf_counter()
    loop = []
    for x, y in points[:n_loop]:
        pt = shapely.Point(x, y)
        loop.append(next((pk for pk, poly in polygons if poly.intersects(pt)), None))
    loop_s = time.perf_counter() - t

    batch_ids = [h.grid_id if h else None for h in batch]
    assert batch_ids[:n_single] == [h.grid_id if h else None for h in single]
    assert batch_ids[:n_loop] == loop, "service and plain loop disagree"
    inside = sum(1 for h in batch if h is not None)
    figures = {
        "grids": len(polygons),
        "points": args.n,
        "inside_ratio": round(inside / args.n, 4),
        "index_build_ms": round(build_s * 1000, 1),
        "service_batch_points_per_s": round(args.n / batch_s),
        "service_single_points_per_s": round(n_single / single_s),
        "plain_loop_points_per_s": round(n_loop / loop_s),
    }
    figures["batch_vs_loop_ratio"] = round(
        figures["service_batch_points_per_s"] / figures["plain_loop_points_per_s"], 1
    )
    figures["single_vs_loop_ratio"] = round(
        figures["service_single_points_per_s"] / figures["plain_loop_points_per_s"], 1
    )
    print(f"index build: {figures['index_build_ms']} ms")
    print(f"service (batch):  {figures['service_batch_points_per_s']:>10,} points/s")
    print(f"service (single): {figures['service_single_points_per_s']:>10,} points/s")
    print(f"plain loop:       {figures['plain_loop_points_per_s']:>10,} points/s")
    emit(figures)


if __name__ == "__main__":
    main()
