"""Moral bank: concurrent redemptions against one account, and the balance read on a long ledger.

1. Concurrency. One holder is credited ``--funded`` points (confirmed hours, through the
   service); ``--clients`` threads released at one moment each redeem ``--points`` at the
   outlet through ``redeem_points`` (the outlet clerk's scan: the code checked, the holder's row
   locked), each with its own idempotency key, sharing ``--connections`` database connections
   as a pool of web workers would. Figures: ``accepted``, ``refused`` (balance too
   small), ``errors`` (anything else; must be 0), ``final_balance``, ``overspent`` (points
   redeemed beyond what was credited; must be 0) and ``ledger_matches`` (the stored balance
   equals the sum of the account's entries, and every posting's entries sum to zero).
2. Reads. The holder's ledger is grown to ``--n`` entries (written in bulk: postings of
   alternating earn and redeem, as years of use would leave), then the holder's page data is
   read 200 times as the "my points" page reads it (``selectors.my_accounts`` for the balance
   and the newest 20 entries of ``selectors.entries_of``): ``read_p95_ms`` / ``read_p50_ms``.
   ``reconcile_s`` is the time of the full check that the balance is the sum of the entries.

    .venv/bin/python bench/moral_bank.py --n 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cw_x .venv/bin/python bench/moral_bank.py

Row locks are what is measured: run it on PostgreSQL (the default URL above is used when
DATABASE_URL is not set; SQLite serialises every writer and proves nothing here).
"""

import datetime as dt
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, ensure_pg_database, parser, setup_django

from chuangwen.org.actors import SYSTEM

PG_URL = "postgres://postgres@127.0.0.1:5432/cw_moral_bench"
BATCH = 5000


def main() -> None:
    p = parser(__doc__.splitlines()[0], 1_000_000)
    p.add_argument("--clients", type=int, default=200)
    p.add_argument("--points", type=int, default=10)
    p.add_argument("--funded", type=int, default=1000)
    p.add_argument(
        "--connections", type=int, default=40,
        help="database connections the clients share, as web workers would (PostgreSQL allows "
        "100 by default)",
    )  # fmt: skip
    args = p.parse_args()
    os.environ.setdefault("DATABASE_URL", PG_URL)
    ensure_pg_database()
    url = setup_django("moral_bank")
    from django.db import connection, connections
    from django.db.models import Sum
    from django.utils import timezone

    from chuangwen.core.errors import InvalidInput
    from chuangwen.org import services as org
    from chuangwen.org.choices import Role, UnitKind
    from chuangwen.org.models import Person
    from chuangwen.org.scope import scope_for_user
    from chuangwen.volunteers.models import MoralAccount, MoralBankEntry, MoralTransaction
    from chuangwen.volunteers.moral import codes, selectors, services
    from chuangwen.volunteers.moral.choices import AccountKind, HolderMode, TxnKind

    print(f"database: {connection.vendor} ({url.split('@')[-1]})")
    code = f"bench{int(time.time())}"
    city = org.create_city(code=code, name="基准市", center=(113.01, 28.01), acting_user=SYSTEM)
    district = org.create_unit(
        city, code=f"{code}-d", name="基准区", kind=UnitKind.DISTRICT, acting_user=SYSTEM
    )
    community = org.create_unit(
        city, code=f"{code}-c", name="基准社区", kind=UnitKind.COMMUNITY, parent=district,
        acting_user=SYSTEM,
    )  # fmt: skip

    def person(name: str, k: int) -> Person:
        return org.create_person(
            city, name=name, username=f"{code}-{k}", memberships=[(community, Role.CITIZEN)],
            acting_user=SYSTEM,
        )  # fmt: skip

    holder, clerk = person("持有人", 1), person("店员", 2)
    services.configure_moral_bank(
        city, holder_mode=HolderMode.PERSON, points_per_hour="2", points_per_report=0,
        notice_days=5, acting_user=SYSTEM,
    )  # fmt: skip
    bank = services.create_bank(community, acting_user=SYSTEM)
    outlet = services.create_outlet(bank, name="爱心超市", acting_user=SYSTEM)
    services.add_outlet_member(outlet, clerk, acting_user=SYSTEM)
    account = services.open_account(bank, holder, acting_user=SYSTEM)
    services.earn_points_for_hours(holder, args.funded / 2, "bench:fund", acting_user=SYSTEM)
    account.refresh_from_db()
    scan = codes.make_code(account.pk, account.code_version)

    # 1. concurrent redemptions
    barrier = threading.Barrier(args.clients)
    pool = threading.BoundedSemaphore(args.connections)
    outcome: list[str] = [""] * args.clients

    def redeem(i: int) -> None:
        try:
            barrier.wait()
            with pool:
                services.redeem_points(
                    outlet, scan, args.points, key=f"bench-{i}", acting_user=clerk.user
                )
            outcome[i] = "accepted"
        except InvalidInput as exc:
            outcome[i] = "refused" if exc.code == "insufficient" else f"error: {exc}"
        except Exception as exc:  # counted, and shown below
            outcome[i] = f"error: {exc!r}"
        finally:
            connections.close_all()

    started = time.perf_counter()
    threads = [threading.Thread(target=redeem, args=(i,)) for i in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    concurrent_s = time.perf_counter() - started
    errors = [o for o in outcome if o.startswith("error")]
    for e in errors[:3]:
        print(e)
    account.refresh_from_db()
    redeemed = (
        MoralTransaction.objects.filter(holder=account, kind=TxnKind.REDEEM).aggregate(
            s=Sum("amount")
        )["s"]
        or 0
    )
    entries_sum = MoralBankEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"]
    unbalanced = (
        MoralBankEntry.objects.filter(txn__bank=bank)
        .values("txn")
        .annotate(s=Sum("amount"))
        .exclude(s=0)
        .count()
    )
    figures = {
        "database": connection.vendor,
        "clients": args.clients,
        "funded": args.funded,
        "points_each": args.points,
        "accepted": outcome.count("accepted"),
        "refused": outcome.count("refused"),
        "errors": len(errors),
        "final_balance": account.balance,
        "overspent": max(0, redeemed - args.funded),
        "ledger_matches": entries_sum == account.balance and unbalanced == 0,
        "concurrent_s": round(concurrent_s, 2),
    }
    print(
        f"{figures['accepted']} redemptions accepted, {figures['refused']} refused, "
        f"balance {account.balance}, overspent {figures['overspent']}"
    )

    # 2. a long ledger: postings of +5 (earned) and -5 (redeemed) in bulk, two entries each
    issue = MoralAccount.objects.get(bank=bank, kind=AccountKind.ISSUE)
    have = MoralBankEntry.objects.filter(account=account).count()
    postings = max(0, args.n - have)
    start_at = timezone.now() - dt.timedelta(seconds=postings)
    t0 = time.perf_counter()
    for start in range(0, postings, BATCH):
        size = min(BATCH, postings - start)
        txns = MoralTransaction.objects.bulk_create(
            [
                MoralTransaction(
                    city=city,
                    bank=bank,
                    holder=account,
                    key=f"bulk:{start + k}",
                    kind=TxnKind.HOURS if (start + k) % 2 == 0 else TxnKind.REDEEM,
                    outlet=None if (start + k) % 2 == 0 else outlet,
                    amount=5,
                    at=start_at + dt.timedelta(seconds=start + k),
                )
                for k in range(size)
            ]
        )
        entries = []
        for k, txn in enumerate(txns):
            delta = 5 if (start + k) % 2 == 0 else -5
            other = issue if delta > 0 else outlet.account
            entries.append(MoralBankEntry(txn=txn, account=account, amount=delta, at=txn.at))
            entries.append(MoralBankEntry(txn=txn, account=other, amount=-delta, at=txn.at))
        MoralBankEntry.objects.bulk_create(entries)
    # an odd count leaves one +5 unmatched: keep the stored balance the sum of the entries
    extra = 5 * (postings % 2)
    MoralAccount.objects.filter(pk=account.pk).update(balance=account.balance + extra)
    MoralAccount.objects.filter(pk=issue.pk).update(balance=issue.balance - extra)
    load_s = time.perf_counter() - t0
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE volunteers_moralbankentry")
            cur.execute("ANALYZE volunteers_moraltransaction")

    scope = scope_for_user(holder.user)
    times = []
    for _ in range(200):
        began = time.perf_counter()
        mine = selectors.my_accounts(scope)
        newest = list(selectors.entries_of(mine[0])[:20])
        times.append((time.perf_counter() - began) * 1000)
        assert mine[0].pk == account.pk and len(newest) == 20
    began = time.perf_counter()
    total = MoralBankEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"]
    reconcile_s = time.perf_counter() - began
    account.refresh_from_db()
    ledger_entries = MoralBankEntry.objects.filter(account=account).count()
    figures.update(
        {
            "ledger_entries": ledger_entries,
            "load_s": round(load_s, 1),
            "read_p50_ms": round(statistics.median(times), 2),
            "read_p95_ms": round(sorted(times)[int(len(times) * 0.95) - 1], 2),
            "reconcile_s": round(reconcile_s, 3),
            "balance_is_sum_of_entries": total == account.balance,
        }
    )
    print(
        f"{ledger_entries} entries on the account: page read p95 {figures['read_p95_ms']} ms, "
        f"full reconciliation {figures['reconcile_s']} s"
    )
    emit(figures)


if __name__ == "__main__":
    main()
