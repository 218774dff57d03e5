"""Hot-topic mining (热点问题挖掘): messages about the same place and the same problem within a
time window become one topic, named and ranked by heat.

Pure functions over ``Message`` rows, so the same code mines the platform's suggestions, case
reports and 12345 orders (``services.recompute_topics``) and the real message board data of
``bench/hot_topics.py``.

1. Words: jieba, with the city's own address book (unit, grid and site names) added to a
   private jieba dictionary at run time, so 魅力之城小区 or 桐梓坡路 stay one word.
2. Places: address-book names, and words ending in a place suffix (小区, 路, 村, 学校 …),
   or such a suffix glued to the word before it. Districts, counties and cities (…区/县/市)
   are too coarse to say two messages are about the same place.
3. Similarity: TF-IDF of the content words (the title counted twice), cosine.
4. Two messages are linked when they are within ``window_days`` of each other and either share
   a place and are similar (≥ ``threshold``), or are nearly the same text (≥ ``same_text``)
   and do not name different places;
   topics are the linked groups with at least ``min_messages`` messages from at least
   ``min_people`` people.
5. Heat: ``HEAT_FORMULA`` — distinct people weigh most, then likes, how long it lasted and
   the number of messages; logarithms so that one message with 2,000 likes does not drown
   ten neighbours who each wrote in.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

HEAT_WEIGHTS = {"people": 10.0, "likes": 5.0, "days": 3.0, "messages": 2.0}
HEAT_FORMULA = "热度 = 10×ln(1+提出人数) + 5×ln(1+点赞数) + 3×ln(1+持续天数) + 2×ln(1+留言条数)"
WINDOW_DAYS = 90
THRESHOLD = 0.22
SAME_TEXT = 0.6
MIN_MESSAGES = 2
MIN_PEOPLE = 2  # one person writing again and again is not yet a hot topic
MAX_TEXT = 600  # the first characters of a message are enough to say what it is about

PLACE_SUFFIXES = (
    "小区", "花园", "家园", "公寓", "大厦", "广场", "公园", "社区", "街道", "大道", "路口",
    "路", "街", "巷", "村", "镇", "乡", "组", "学校", "小学", "中学", "大学", "学院", "幼儿园",
    "医院", "市场", "商场", "车站", "桥", "湖", "山庄", "新城", "国际", "城", "苑", "府",
    "园", "湾", "庄", "隧道", "立交", "地铁站",
)  # fmt: skip
SUFFIX_WORDS = frozenset(
    {"小区", "花园", "家园", "公寓", "大厦", "广场", "公园", "社区", "街道", "大道", "路",
     "街", "巷", "村", "镇", "乡", "学校", "小学", "中学", "医院", "市场", "商场", "车站",
     "站", "路口", "项目", "楼盘", "校区"}
)  # fmt: skip
COARSE = re.compile(r"^(?:[A-Za-z]\d*|.{0,3})(?:市|省|区|县|州)$|^西地省|^[A-Za-z]\d*$")
NOT_PLACE = frozenset(
    {"道路", "马路", "公路", "出路", "思路", "线路", "网站", "车站", "农村", "乡村", "城市",
     "全城", "县城", "城区", "园区", "校园", "家园", "花园", "公园", "小区", "社区", "街道",
     "学校", "医院", "市场", "商场", "广场", "大学", "中学", "小学", "幼儿园", "这里", "那里",
     "本村", "该村", "我村", "本小区", "该小区", "我们小区", "业主", "所在", "附近", "政府",
     "进城", "同城", "路口", "门口", "一路", "沿路", "上路", "走路", "修路", "铺路",
     "市政府", "省政府", "区政府", "县政府", "人民政府", "市委", "省委", "国际", "空间站",
     "高压线", "搅拌站", "项目", "公园项目", "加油站", "无线", "在线", "一线", "热线",
     "路线", "专线", "主线", "底线", "红线", "农贸市场", "菜市场", "公交站", "停车场",
     "主干道", "次干道", "背街小巷", "人行道", "十字路口", "交叉路口", "景区", "公共场所"}
)  # fmt: skip
_STOPWORDS = """
的 了 是 在 我 我们 你 你们 他 他们 她 它 和 与 及 或 也 都 就 还 又
很 非常 没有 有 这 那 这个 那个 这些 那些 一个 一些 什么 怎么 如何 为什么
是否 可以 能否 能 会 要 请 请问 希望 建议 问题 反映 关于 咨询 投诉 举报
领导 您好 你好 尊敬 相关 部门 市 区 县 省 情况 目前 现在 已经 一直 由于
因为 所以 但是 但 而且 并且 如果 对于 进行 存在 出现 相关 有关 工作 处理
解决 能够 不能 无法 一下 为了 以及 其中 年 月 日 时 号 多 个 被 把 让 给
从 对 向 到 上 下 中 里 后 前 等 等等
"""
STOPWORDS = frozenset(_STOPWORDS.split())
# jieba's part-of-speech tags of words that describe no topic (adjectives, adverbs, numbers,
# measure words, times, directions, pronouns, conjunctions, prepositions, particles)
VAGUE_TAGS = ("a", "d", "m", "q", "t", "f", "r", "c", "p", "u", "y", "e", "o")
# words before a place suffix that are not part of the name (靠近|小学, 位于|人民路 …)
NOT_PREFIX = frozenset(
    [
        "靠近",
        "位于",
        "附近",
        "旁边",
        "对面",
        "周边",
        "门口",
        "所在",
        "这个",
        "那个",
        "一个",
        "我们",
        "我家",
        "整个",
        "各个",
        "每个",
        "很多",
        "哪个",
        "这条",
        "那条",
        "这里",
        "那里",
        "该",
        "本",
        "在",
        "到",
        "从",
        "往",
        "去",
        "至",
        "的",
        "及",
        "和",
        "与",
        "沿线",
        "一带",
        "前往",
        "途经",
    ]
)
# a place named by more than this share of the messages (and more than PLACE_MAX_MIN of them)
# names a kind of place (农贸市场, 公交站), not one place: it links nothing
PLACE_MAX_SHARE = 0.05
PLACE_MAX_MIN = 50
_TOKEN = re.compile(r"^[\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z0-9]*$")
_CLEAN_TITLE = re.compile(r"^(?:关于|反映|投诉|举报|咨询|请问|建议)+")


@dataclass
class Message:
    key: str  # "suggestion:12", "case:34", a message id …
    text: str
    at: datetime
    person: str = ""  # who raised it (a hash of the phone, a user id …); empty: unknown
    likes: int = 0
    title: str = ""
    places: tuple[str, ...] = ()  # known places (a suggestion's place, a case's grid)


@dataclass
class Topic:
    keys: list[str]
    name: str
    place: str
    keywords: list[str]
    people: int
    likes: int
    messages: int
    first_at: datetime
    last_at: datetime
    heat: float
    signature: str = ""


def heat(people: int, likes: int, days: float, messages: int) -> float:
    w = HEAT_WEIGHTS
    return round(
        w["people"] * math.log1p(max(people, 0))
        + w["likes"] * math.log1p(max(likes, 0))
        + w["days"] * math.log1p(max(days, 0.0))
        + w["messages"] * math.log1p(max(messages, 0)),
        2,
    )


def summarize(
    keys: list[str], msgs: Sequence[Message], *, name: str, place: str, keywords: list[str]
) -> Topic:
    people = {m.person or m.key for m in msgs}
    first = min(m.at for m in msgs)
    last = max(m.at for m in msgs)
    days = (last - first).total_seconds() / 86400
    likes = sum(max(m.likes, 0) for m in msgs)
    return Topic(
        keys=keys,
        name=name,
        place=place,
        keywords=keywords,
        people=len(people),
        likes=likes,
        messages=len(msgs),
        first_at=first,
        last_at=last,
        heat=heat(len(people), likes, days, len(msgs)),
    )


class Segmenter:
    """jieba with a private dictionary: the global one plus the city's place names."""

    def __init__(self, places: Iterable[str] = ()) -> None:
        import jieba

        jieba.setLogLevel(60)
        self._jieba = jieba.Tokenizer()
        self.known_places: set[str] = set()
        for name in places:
            name = (name or "").strip()
            if 2 <= len(name) <= 30:
                self._jieba.add_word(name, freq=2000, tag="ns")
                self.known_places.add(name)

    def telling(self, words: Iterable[str]) -> list[str]:
        """``words`` less those jieba's dictionary tags as adverbs, adjectives, numbers,
        measure words, times, directions, pronouns or particles (很大, 晚上, 一片, 以北, 依然):
        a topic's keywords should say what and where. Words it does not know (place names,
        new words) stay."""
        import jieba.posseg

        tags = jieba.posseg.dt.word_tag_tab
        return [w for w in words if not tags.get(w, "x").startswith(VAGUE_TAGS)]

    def tokens(self, text: str) -> list[str]:
        return [t for t in self._jieba.lcut(text[:MAX_TEXT]) if t.strip()]

    def places(self, tokens: Sequence[str]) -> set[str]:
        out: set[str] = set()
        prev = ""
        for tok in tokens:
            place = ""
            if tok in self.known_places:
                place = tok
            elif tok in SUFFIX_WORDS and len(prev) >= 2 and _TOKEN.match(prev):
                if prev not in STOPWORDS and prev not in NOT_PREFIX and not COARSE.match(prev):
                    place = prev + tok
            elif len(tok) >= 3 and tok.endswith(PLACE_SUFFIXES) and tok not in NOT_PLACE:
                place = tok
            if place and place not in NOT_PLACE and not COARSE.match(place):
                out.add(place)
            prev = tok
        return out

    def words(self, tokens: Sequence[str]) -> list[str]:
        return [
            t
            for t in tokens
            if len(t) >= 2
            and t not in STOPWORDS
            and _TOKEN.match(t)
            and not COARSE.match(t)
            and not (len(t) <= 3 and t[0] in "市县区省")  # 县星沙, 市经: a masked name cut
        ]


class _Union:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _title_of(m: Message) -> str:
    title = (m.title or "").strip()
    if not title:
        first = re.split(r"[。！？!?\n；;]", (m.text or "").strip(), maxsplit=1)[0]
        title = first
    title = _CLEAN_TITLE.sub("", title).strip(" ，,。.！!？?：:")
    return title[:40] or (m.text or "")[:40]


def mine(
    messages: Sequence[Message],
    *,
    segmenter: Segmenter | None = None,
    window_days: float = WINDOW_DAYS,
    threshold: float = THRESHOLD,
    same_text: float = SAME_TEXT,
    min_messages: int = MIN_MESSAGES,
    min_people: int = MIN_PEOPLE,
) -> list[Topic]:
    """The topics of ``messages``, hottest first."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    if len(messages) < min_messages:
        return []
    seg = segmenter or Segmenter()
    docs: list[list[str]] = []
    places: list[set[str]] = []
    for m in messages:
        title_tokens = seg.tokens(m.title) if m.title else []
        body_tokens = seg.tokens(m.text)
        known = {p.strip() for p in m.places if p and p.strip() and not COARSE.match(p.strip())}
        places.append(seg.places(title_tokens) | seg.places(body_tokens) | known)
        docs.append(seg.words(title_tokens) * 2 + seg.words(body_tokens))
    counts = Counter(p for ps in places for p in ps)
    cap = max(PLACE_MAX_MIN, PLACE_MAX_SHARE * len(messages))
    generic = {p for p, c in counts.items() if c > cap}
    if generic:
        places = [ps - generic for ps in places]
    vec = TfidfVectorizer(
        analyzer=lambda d: d,
        sublinear_tf=True,
        min_df=1,
        # words in more than a tenth of the messages say nothing about one topic (a few
        # messages: idf alone weighs them)
        max_df=0.1 if len(messages) >= 200 else 1.0,
        dtype=np.float32,
    )
    try:
        x = vec.fit_transform(docs)
    except ValueError:  # no words at all
        return []
    vocab = np.array(vec.get_feature_names_out())
    ts = np.array([m.at.timestamp() for m in messages])
    window = window_days * 86400
    n = len(messages)
    uf = _Union(n)
    chunk = 400
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        sims = (x[start:stop] @ x.T).toarray()
        ii, jj = np.nonzero(sims >= threshold)
        for a, b in zip(ii, jj, strict=True):
            i = start + int(a)
            j = int(b)
            if j <= i or abs(ts[i] - ts[j]) > window:
                continue
            s = sims[a, b]
            shared = places[i] & places[j]
            # nearly the same text links too, unless the two name different places
            unplaced = not places[i] or not places[j]
            if shared or (s >= same_text and unplaced):
                uf.join(i, j)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(uf.find(i), []).append(i)
    topics = []
    for members in groups.values():
        if len(members) < min_messages:
            continue
        msgs = [messages[i] for i in members]
        sub = x[members]
        centroid = np.asarray(sub.mean(axis=0)).ravel()
        rep = members[int(np.argmax(sub @ centroid))]
        top = seg.telling(str(vocab[k]) for k in np.argsort(-centroid)[:12] if centroid[k] > 0)
        place_counts = Counter(p for i in members for p in places[i])
        place = ""
        if place_counts:
            place = max(place_counts.items(), key=lambda kv: (kv[1], len(kv[0])))[0]
        keywords = [w for w in top if w != place and w not in place][:4]
        name = _title_of(messages[rep])
        if place and not any(p in name for p in place_counts):
            name = f"{place}：{name}"
        t = summarize(
            [messages[i].key for i in members],
            msgs,
            name=name[:100],
            place=place,
            keywords=keywords,
        )
        if t.people < min_people:
            continue
        t.signature = signature(place, keywords)
        topics.append(t)
    topics.sort(key=lambda t: (-t.heat, -t.people, t.name))
    return topics


def signature(place: str, keywords: list[str]) -> str:
    return "|".join([place, *sorted(keywords[:3])])[:200]


def parse_time(value: str) -> datetime:
    """The message board's times: 2019/2/28 11:25:05 or 2017-06-08 17:31:20."""
    value = (value or "").strip().replace("/", "-")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise ValueError(f"bad time: {value!r}")


def describe(t: Topic) -> dict[str, Any]:
    return {
        "name": t.name,
        "place": t.place,
        "keywords": t.keywords,
        "messages": t.messages,
        "people": t.people,
        "likes": t.likes,
        "heat": t.heat,
        "first": t.first_at.isoformat(),
        "last": t.last_at.isoformat(),
    }
