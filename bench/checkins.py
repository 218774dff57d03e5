"""Volunteer check-in/check-out throughput: N volunteers each check in and then out of one
activity through the service (``chuangwen.volunteers.services.check_in_or_out``: the signed QR
token verified, the city's radius and QR lifetime read, the GPS distance checked, the second
check-in refused, the attendance row written or completed, an audit row), one transaction per
scan as a phone sends it; against the same rows written raw (one INSERT per check-in and one
UPDATE per check-out, each in its own transaction) in the same run.

    .venv/bin/python bench/checkins.py --n 5000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cw_volunteers .venv/bin/python bench/checkins.py

Figures: scans/s through the service (target on SQLite: at least 1,000/s), raw scans/s, and
the ratio service / raw.
"""

import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, parser, pin_one_core, setup_django

from chuangwen.org.actors import SYSTEM


def main() -> None:
    args = parser(__doc__.splitlines()[0], 5000).parse_args()
    pin_one_core()
    url = setup_django("checkins")
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from chuangwen.org import services as org
    from chuangwen.org.choices import Role, UnitKind
    from chuangwen.org.models import Membership, Person
    from chuangwen.volunteers import idcard, services
    from chuangwen.volunteers.choices import CheckAction, OrganiserKind
    from chuangwen.volunteers.models import Attendance, Volunteer

    print(f"database: {connection.vendor} ({url.split('@')[-1]})")
    code = f"bench{int(time.time())}"
    city = org.create_city(code=code, name="基准市", center=(113.01, 28.01), acting_user=SYSTEM)
    district = org.create_unit(
        city, code=f"{code}-d", name="基准区", kind=UnitKind.DISTRICT, acting_user=SYSTEM
    )
    community = org.create_unit(
        city,
        code=f"{code}-c",
        name="基准社区",
        kind=UnitKind.COMMUNITY,
        parent=district,
        acting_user=SYSTEM,
    )
    # N volunteers, written in bulk (registration is not what is measured)
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"{code}-{i}", password="!") for i in range(args.n)]
    )
    people = Person.objects.bulk_create(
        [Person(city=city, user=u, name=f"志愿者{i}") for i, u in enumerate(users)]
    )
    Membership.objects.bulk_create(
        [Membership(person=p, unit=community, role=Role.VOLUNTEER) for p in people]
    )
    born = dt.date(1990, 1, 1)
    volunteers = Volunteer.objects.bulk_create(
        [
            Volunteer(
                city=city,
                person=p,
                area=community,
                channel="import",
                # a sequence has three digits: another birthday for every thousand
                **services._identity(
                    idcard.make_id_number("990101", born + dt.timedelta(days=i // 1000), i)
                ),
            )
            for i, p in enumerate(people)
        ]
    )
    for v, p in zip(volunteers, people, strict=True):
        v.person = p
    now = timezone.now()
    activity = services.create_activity(
        city,
        services.ActivityData(
            title="基准活动",
            organiser_kind=OrganiserKind.COMMUNITY,
            unit=community,
            place="广场",
            lon=113.01,
            lat=28.01,
            starts_at=now - dt.timedelta(hours=1),
            ends_at=now + dt.timedelta(hours=6),
            capacity=args.n,
        ),
        acting_user=SYSTEM,
    )
    for v in volunteers:
        services.sign_up(activity, v, acting_user=SYSTEM)
    token_in = services.checkin_token(activity, CheckAction.IN)
    token_out = services.checkin_token(activity, CheckAction.OUT)
    here = (113.0101, 28.0101)  # about 15 m from the place

    t0 = time.perf_counter()
    for v in volunteers:
        services.check_in_or_out(
            activity, v, token=token_in, lon=here[0], lat=here[1], acting_user=SYSTEM
        )
    for v in volunteers:
        services.check_in_or_out(
            activity, v, token=token_out, lon=here[0], lat=here[1], acting_user=SYSTEM
        )
    service_s = time.perf_counter() - t0
    scans = 2 * args.n
    assert Attendance.objects.filter(activity=activity, minutes__isnull=False).count() == args.n
    print(f"service: {scans} scans in {service_s:.2f} s")

    # the baseline: the same attendance rows inserted and completed raw, one scan per transaction
    other = services.create_activity(
        city,
        services.ActivityData(
            title="基准活动（对照）",
            organiser_kind=OrganiserKind.COMMUNITY,
            unit=community,
            place="广场",
            lon=113.01,
            lat=28.01,
            starts_at=now - dt.timedelta(hours=1),
            ends_at=now + dt.timedelta(hours=6),
            capacity=args.n,
        ),
        acting_user=SYSTEM,
    )
    table = Attendance._meta.db_table
    insert = (
        f'INSERT INTO "{table}" ("created_at", "updated_at", "activity_id", "volunteer_id", '
        '"checked_in_at", "in_lon", "in_lat", "in_distance_m") '
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
    )
    update = (
        f'UPDATE "{table}" SET "checked_out_at" = %s, "out_lon" = %s, "out_lat" = %s, '
        '"out_distance_m" = %s, "minutes" = %s, "updated_at" = %s '
        'WHERE "activity_id" = %s AND "volunteer_id" = %s'
    )
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        for v in volunteers:
            with transaction.atomic():
                stamp = timezone.now()
                cur.execute(insert, [stamp, stamp, other.pk, v.pk, stamp, *here, 15.0])
        for v in volunteers:
            with transaction.atomic():
                stamp = timezone.now()
                cur.execute(update, [stamp, *here, 15.0, 0, stamp, other.pk, v.pk])
    raw_s = time.perf_counter() - t0
    print(f"raw: {scans} scans in {raw_s:.2f} s")
    emit(
        {
            "bench": "checkins",
            "database": connection.vendor,
            "n": args.n,
            "scans": scans,
            "service_scans_per_s": round(scans / service_s, 1),
            "raw_scans_per_s": round(scans / raw_s, 1),
            "service_to_raw_ratio": round((scans / service_s) / (scans / raw_s), 3),
            "service_ms_per_scan": round(service_s * 1000 / scans, 3),
        }
    )


if __name__ == "__main__":
    main()
