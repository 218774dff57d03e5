"""Bulletin: draft a monthly bulletin of the demo city and render it as Word and PDF.

Set-up (not timed): the demo city (``build_demo_city --small``: every app's demo data, with
12 months of assessment periods, cases, inspections, submissions). Timed, each --n times
(median reported): drafting last month's bulletin from the data (every section's queries),
rendering it as Word (GB/T 9704 layout, python-docx) and as PDF (WeasyPrint).

    .venv/bin/python bench/bulletin.py            # SQLite
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, parser, setup_django


def main() -> None:
    args = parser(__doc__.splitlines()[0], 3).parse_args()
    setup_django("bulletin")
    from django.core.management import call_command
    from django.utils import timezone

    from chuangwen.assessment import bulletins, periods, services
    from chuangwen.assessment.choices import BulletinKind
    from chuangwen.org.actors import SYSTEM
    from chuangwen.org.models import City

    t0 = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        call_command("build_demo_city", "--small", verbosity=0, stdout=quiet)
    setup_s = time.perf_counter() - t0
    city = City.objects.get()
    start, end = periods.last_complete_period(BulletinKind.MONTHLY, timezone.localdate())
    draft_s, docx_s, pdf_s = [], [], []
    sizes = (0, 0)
    for _ in range(max(1, args.n)):
        t = time.perf_counter()
        b = services.draft_bulletin(
            city, kind=BulletinKind.MONTHLY, start=start, end=end, acting_user=SYSTEM
        )
        draft_s.append(time.perf_counter() - t)
        t = time.perf_counter()
        docx = bulletins.bulletin_docx(b)
        docx_s.append(time.perf_counter() - t)
        t = time.perf_counter()
        pdf = bulletins.bulletin_pdf(b)
        pdf_s.append(time.perf_counter() - t)
        sizes = (len(docx), len(pdf))
    print(
        f"demo set-up {setup_s:.1f} s; monthly bulletin {start}–{end}, "
        f"{b.sections.count()} sections; docx {sizes[0]:,} bytes, pdf {sizes[1]:,} bytes"
    )
    emit(
        {
            "bench": "bulletin",
            "runs": len(draft_s),
            "draft_s": round(statistics.median(draft_s), 3),
            "docx_s": round(statistics.median(docx_s), 3),
            "pdf_s": round(statistics.median(pdf_s), 3),
            "docx_bytes": sizes[0],
            "pdf_bytes": sizes[1],
            "setup_s": round(setup_s, 1),
        }
    )


if __name__ == "__main__":
    main()
