"""Public vote intake: N ballots of "the 10 things" through ``citizens.services.cast_vote``
(round open and deadline checks, phone normalisation, choices checked against the round's
candidates, the burst count of the voter's network, keyed digests of phone/device/network,
the ballot and its choices inserted in one transaction, duplicates refused by the UNIQUE
constraints), against the same rows inserted raw, one ballot per transaction, in the same run.

About 5 % of the ballots are re-sends of an earlier voter's (same phone, or same device):
each must be refused, and the bench checks that exactly the distinct voters were counted.

    .venv/bin/python bench/votes.py --n 5000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cw_votes_bench .venv/bin/python bench/votes.py

Figures: votes_per_s (service, duplicates included), raw_votes_per_s, ratio (raw / service).
"""

import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's chuangwen
from common import emit, parser, setup_django

DUPLICATE_SHARE = 0.05


def main() -> None:
    args = parser(__doc__.splitlines()[0], 5000).parse_args()
    url = setup_django("votes")
    from django.db import connection, transaction
    from django.utils import timezone

    from chuangwen.citizens import services
    from chuangwen.citizens.choices import RoundKind
    from chuangwen.citizens.models import Vote, VoteChoice
    from chuangwen.core.errors import InvalidInput
    from chuangwen.org import services as org
    from chuangwen.org.actors import PUBLIC, SYSTEM

    print(f"database: {connection.vendor} ({url.split('@')[-1]})")
    code = f"vb{int(time.time())}"
    city = org.create_city(code=code, name="基准市", center=(113.01, 28.01), acting_user=SYSTEM)

    def new_round(title: str):
        r = services.create_round(
            city,
            kind=RoundKind.TOP10,
            title=title,
            closes_at=timezone.now() + timedelta(days=1),
            select_count=10,
            burst_limit=10_000,
            acting_user=SYSTEM,
        )
        for i in range(14):
            services.add_candidate(r, title=f"候选事项{i + 1}", acting_user=SYSTEM)
        return services.open_round(r, acting_user=SYSTEM)

    round_ = new_round("基准投票")
    cands = list(round_.candidates.values_list("pk", flat=True))
    rng = random.Random(12)
    ballots: list[tuple[services.Voter, dict[int, int | None]]] = []
    for i in range(args.n):
        if ballots and rng.random() < DUPLICATE_SHARE:
            prev, _c = ballots[rng.randrange(len(ballots))]
            if rng.random() < 0.5:  # the same phone from another device
                voter = services.Voter(prev.phone, f"dup-device-{i}", prev.network)
            else:  # the same device with another number
                voter = services.Voter(f"136{i:08d}", prev.device, prev.network)
        else:
            voter = services.Voter(f"139{i:08d}", f"device-{i:08d}", f"10.{i % 250}.{i // 250}.0")
        chosen = rng.sample(cands, rng.randint(1, 10))
        ballots.append((voter, dict.fromkeys(chosen)))

    t0 = time.perf_counter()
    refused = 0
    for voter, choices in ballots:
        try:
            services.cast_vote(round_, voter, choices, acting_user=PUBLIC)
        except InvalidInput:
            refused += 1
    service_s = time.perf_counter() - t0
    counted = Vote.objects.filter(round=round_).count()
    phones = {v.phone for v, _c in ballots}
    devices = {v.device for v, _c in ballots}
    assert counted == args.n - refused and counted <= min(len(phones), len(devices))
    print(
        f"service: {args.n} ballots → {counted} counted, {refused} duplicates refused "
        f"in {service_s:.2f} s"
    )

    # the baseline: the rows the service wrote, copied into another round and inserted raw,
    # one ballot (vote + its choices) per transaction as a request would
    raw_round = new_round("基准投票（原始插入）")
    vote_cols = [
        "round_id",
        "phone_key",
        "device_key",
        "network_key",
        "phone_masked",
        "person_id",
        "verified",
        "status",
        "flag_reason",
        "cast_at",
    ]
    rows = list(Vote.objects.filter(round=round_).order_by("id").values_list("id", *vote_cols[1:]))
    picks: dict[int, list[tuple[int, int | None]]] = {}
    for vote_id, cand, score in VoteChoice.objects.filter(round=round_).values_list(
        "vote_id", "candidate_id", "score"
    ):
        picks.setdefault(vote_id, []).append((cand, score))
    mapping = dict(
        zip(
            cands,
            raw_round.candidates.order_by("sort").values_list("pk", flat=True),
            strict=True,
        )
    )
    vote_sql = (
        f'INSERT INTO "{Vote._meta.db_table}" ({", ".join(vote_cols)}) '
        f"VALUES ({', '.join(['%s'] * len(vote_cols))}) RETURNING id"
    )
    choice_sql = (
        f'INSERT INTO "{VoteChoice._meta.db_table}" (vote_id, round_id, candidate_id, score) '
        "VALUES (%s, %s, %s, %s)"
    )
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        for old_id, *values in rows:
            with transaction.atomic():
                cur.execute(vote_sql, [raw_round.pk, *values])
                new_id = cur.fetchone()[0]
                cur.executemany(
                    choice_sql,
                    [(new_id, raw_round.pk, mapping[c], s) for c, s in picks.get(old_id, [])],
                )
    raw_s = time.perf_counter() - t0
    assert Vote.objects.filter(round=raw_round).count() == counted
    votes_per_s = args.n / service_s
    raw_per_s = counted / raw_s
    print(f"raw: {counted} ballots inserted in {raw_s:.2f} s")
    emit(
        {
            "database": connection.vendor,
            "ballots": args.n,
            "counted": counted,
            "duplicates_refused": refused,
            "votes_per_s": round(votes_per_s, 1),
            "raw_votes_per_s": round(raw_per_s, 1),
            "ratio": round(raw_per_s / votes_per_s, 2),
            "target_votes_per_s": 500,
            "target_ratio": 5,
        }
    )


if __name__ == "__main__":
    main()
