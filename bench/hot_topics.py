"""Hot-topic mining on real message board data (hot-topics.csv, 4,326 messages with likes).

Runs the product's miner (``chuangwen.citizens.voice.topics.mine``) over the messages (the
first ``--n`` of them), prints the 20 hottest topics as readable lines (heat, name, place,
keywords, messages, people, likes, first → last), and the figures as the JSON last line.
Target: seconds < 30.

    .venv/bin/python bench/hot_topics.py --n 5000
"""

import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import emit, parser

DATA = Path("/work/shared/data/citizen-messages/hot-topics.csv")


def main() -> None:
    p = parser(__doc__.splitlines()[0], 5000)
    p.add_argument("--data", default=str(DATA))
    p.add_argument("--top", type=int, default=20)
    args = p.parse_args()
    from chuangwen.citizens.voice import topics

    with open(args.data, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))[: args.n]
    t0 = time.perf_counter()
    messages = [
        topics.Message(
            key=r["id"],
            title=r["title"],
            text=r["text"],
            at=topics.parse_time(r["time"]),
            person=r["user"],
            likes=int(r["likes"] or 0),
        )
        for r in rows
    ]
    found = topics.mine(messages, segmenter=topics.Segmenter())
    seconds = time.perf_counter() - t0
    for rank, t in enumerate(found[: args.top], start=1):
        print(
            f"{rank:2d}. 热度 {t.heat:6.1f} | {t.name} | 地点 {t.place or '-'} | "
            f"{'、'.join(t.keywords)} | {t.messages} 条留言 {t.people} 人 {t.likes} 赞 | "
            f"{t.first_at:%Y-%m-%d} → {t.last_at:%Y-%m-%d}"
        )
    in_topics = sum(t.messages for t in found)
    emit(
        {
            "messages": len(messages),
            "topics": len(found),
            "messages_in_topics": in_topics,
            "largest_topic": max((t.messages for t in found), default=0),
            "seconds": round(seconds, 2),
            "messages_per_s": round(len(messages) / seconds),
        }
    )


if __name__ == "__main__":
    main()
