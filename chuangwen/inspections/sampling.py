"""Reproducible stratified sampling, the way the national field evaluation draws its sites.

For each site type the plan names a sample size; the type's active sites are split into strata
by 区县 (the district of the site's area, else of its owning unit); the size is allocated to the
strata in proportion to their populations (largest remainder, every non-empty stratum gets at
least one while the size allows); each stratum is drawn with its own ``random.Random`` seeded by
the text ``"<seed>:<type code>:<district unit code>"`` over the sites ordered by code. String
seeds are hashed with SHA-512 by Python, so the same seed draws the same sites in every process,
on every machine and in every database (a stratum is known by its district's code, unique in the
city, never by a primary key: v1 seeded with the district's id, which another database, or a
rebuilt demo, numbers differently); the record kept on the plan lets anyone re-run and compare.
"""

import hashlib
import random
from dataclasses import dataclass
from typing import Any

from chuangwen.sites.models import Site

ALGORITHM = "stratified-proportional-v2"


@dataclass(frozen=True)
class Draw:
    site_id: int
    site_type_id: int
    district_id: int | None
    stratum: str
    rank: int


def allocate(size: int, populations: dict[Any, int]) -> dict[Any, int]:
    """Split ``size`` over strata in proportion to their populations (largest remainder);
    each non-empty stratum gets one first while ``size`` allows; never more than a population."""
    keys = sorted((k for k, n in populations.items() if n > 0), key=lambda k: str(k))
    total = sum(populations[k] for k in keys)
    size = min(size, total)
    out = dict.fromkeys(keys, 0)
    if size <= 0 or not keys:
        return out
    if size >= len(keys):
        for k in keys:
            out[k] = 1
    rest = size - sum(out.values())
    if rest > 0:
        spare = {k: populations[k] - out[k] for k in keys}
        spare_total = sum(spare.values())
        quotas = {k: rest * spare[k] / spare_total for k in keys}
        for k in keys:
            out[k] += int(quotas[k])
        left = size - sum(out.values())
        order = sorted(keys, key=lambda k: (-(quotas[k] - int(quotas[k])), str(k)))
        for k in order:
            if left <= 0:
                break
            if out[k] < populations[k]:
                out[k] += 1
                left -= 1
    else:
        # fewer draws than strata: the largest strata (ties by key) get one each
        order = sorted(keys, key=lambda k: (-populations[k], str(k)))
        out = {k: (1 if k in order[:size] else 0) for k in keys}
    return out


def draw(
    city_id: int, seed: int, sample_sizes: dict[str, int], stratify: bool = True
) -> tuple[list[Draw], dict[str, Any]]:
    """The sample and its record (population and allocation per stratum)."""
    rows = (
        Site.objects.filter(city_id=city_id, active=True, site_type__code__in=list(sample_sizes))
        .order_by("code")
        .values_list(
            "pk", "code", "site_type_id", "site_type__code", "district_id", "district__code"
        )
    )
    # type code → district code (None: not stratified, or no district) → its sites
    strata: dict[str, dict[str | None, list[tuple[int, str, int, int | None]]]] = {}
    for pk, code, type_id, type_code, district_id, district_code in rows:
        key = district_code if stratify else None
        strata.setdefault(type_code, {}).setdefault(key, []).append(
            (pk, code, type_id, district_id)
        )
    draws: list[Draw] = []
    record: dict[str, Any] = {"algorithm": ALGORITHM, "seed": seed, "types": {}}
    for type_code in sorted(sample_sizes):
        size = int(sample_sizes[type_code] or 0)
        groups = strata.get(type_code, {})
        alloc = allocate(size, {k: len(v) for k, v in groups.items()})
        info: dict[str, Any] = {"size": size, "population": 0, "strata": []}
        rank = 0
        for key in sorted(groups, key=lambda k: (k is None, k or "")):
            members = groups[key]
            n = alloc.get(key, 0)
            rng = random.Random(f"{seed}:{type_code}:{key if key is not None else '-'}")
            chosen = rng.sample(members, n) if n else []
            stratum = f"{type_code}/{key if key is not None else '全市'}"
            info["population"] += len(members)
            info["strata"].append(
                {
                    "district": key,
                    "population": len(members),
                    "drawn": n,
                    # by site code, like the draw: the record reads the same in any database
                    "members_sha1": hashlib.sha1(
                        ",".join(m[1] for m in members).encode()
                    ).hexdigest(),
                    "sites": [c[1] for c in chosen],
                }
            )
            for pk, _code, type_id, district in chosen:
                rank += 1
                draws.append(Draw(pk, type_id, district, stratum, rank))
        record["types"][type_code] = info
    return draws, record
