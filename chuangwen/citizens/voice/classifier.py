"""The category suggestion model: character n-gram TF-IDF + a linear SVM, pure numpy features.

A case's text (what citizens, grid workers and the 12345 hotline write) is short Chinese with
addresses, numbers and names in it. Characters and their 2- and 3-grams carry the meaning
(路灯, 井盖, 占道经营 …) without a word segmenter; a linear SVM on their TF-IDF is the strong,
fast baseline for such texts. Two blocks of features:

- the whole text, digits folded to ``0`` and latin letters (with their digits) to ``A``
  (so that 3栋502 and 7栋1201 look alike), char 1–3-grams, sublinear tf, idf, L2;
- the head (first ``HEAD`` characters: the title or the first words), weighted ``HEAD_WEIGHT``;
- words (``WordTfidf``), weighted ``WORD_WEIGHT``: a vocabulary learned with jieba from the
  training texts once, at training; at prediction a text's words are the occurrences of
  vocabulary words in it, read off the body's own n-gram look-ups (no segmenter per text).

The columns are scaled by how well naive Bayes tells the classes apart with them (NB-SVM,
``nb_scale``), the scale folded into the SVM's weights so prediction pays nothing for it.

The settings were chosen by 5-fold cross-validation inside the 70 % training part of
``bench/category_model.py`` (never on its held-out 30 %): words +0.004 and NB scaling +0.003
macro-F1 there, together +0.006 (0.9055 → 0.9118); word weight 0.3–0.8, C 1.5–6 and words of
up to 4 or 6 characters made no difference.

The n-grams are counted with numpy over all texts at once (each n-gram a 63-bit integer made
of its code points, looked up in the sorted vocabulary with ``searchsorted``), which is several
times faster than scikit-learn's per-text Python loop: the public page asks the model as the
citizen types, and the hotline import classifies thousands of orders.

``train_model`` returns a ``TrainedModel``: ``dumps()`` gives the bytes a ``CategoryModel`` row
stores, ``loads`` reads them back. Confidences are a softmax over the SVM's decision values
(their order is the SVM's; the figure is a guide for the user, not a calibrated probability).
"""

from __future__ import annotations

import os
import pickle
import re
import time
import zlib
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

MAX_N = 3  # char n-grams 1..3 (3 × 21 bits of code point fit one int64)
HEAD = 20
HEAD_WEIGHT = 0.3
MIN_DF = 3  # from 1,000 training texts on; below, every n-gram counts (MIN_DF_SMALL)
MIN_DF_SMALL = 1
C = 3.0
SOFTMAX_SCALE = 4.0  # decision values → confidences
WORD_MAX = 3  # words of 2..3 characters (4-character words added nothing in cross-validation)
WORD_WEIGHT = 0.5
MAX_TEXT = 4000  # longer texts are cut (the intake limit of a description)
CHUNK = 500
WORKERS = min(4, os.cpu_count() or 1)  # threads for a large batch of predictions
FORMAT = 1  # bumped when the stored layout changes; older rows must be retrained

_DIGITS = re.compile(r"\d+")
_LATIN = re.compile(r"[a-z]+\d*")
_SPACE = re.compile(r"\s+")
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
_BITS = 21


def normalize(text: str) -> str:
    text = _SPACE.sub("", (text or "")[:MAX_TEXT].lower())
    return _LATIN.sub("A", _DIGITS.sub("0", text))


def _ngram_codes(texts: Sequence[str], max_n: int) -> tuple[np.ndarray, np.ndarray]:
    """(document index, n-gram code) of every char n-gram (n = 1..max_n) of ``texts``."""
    if not texts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    # "\x00" separates the texts; normalize() leaves none inside (it is whitespace-free and
    # NUL is not whitespace, so strip it explicitly)
    joined = "\x00".join(t.replace("\x00", "") for t in texts)
    chars = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    sep = chars == 0
    doc = np.cumsum(sep)  # the document of each position (separators count to the next)
    vals = chars + 1  # nonzero in every slot: the length of an n-gram shows in its code
    docs_out, codes_out = [], []
    n_chars = len(chars)
    for n in range(1, max_n + 1):
        m = n_chars - n + 1
        if m <= 0:
            break
        code = vals[:m].copy()
        bad = sep[:m].copy()
        for k in range(1, n):
            code = (code << _BITS) | vals[k : k + m]
            bad |= sep[k : k + m]
        keep = ~bad
        codes_out.append(code[keep])
        docs_out.append(doc[:m][keep])
    if not codes_out:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(docs_out), np.concatenate(codes_out)


_PRIME = np.uint64(0x100000001B3)


def _hashed_ngrams(texts: Sequence[str], lengths: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """(document index, 64-bit hash) of every char n-gram of the given ``lengths`` (longer than
    ``_ngram_codes`` can pack exactly; collisions among a few thousand words are negligible)."""
    if not texts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    joined = "\x00".join(t.replace("\x00", "") for t in texts)
    chars = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    sep = chars == 0
    doc = np.cumsum(sep)
    docs_out, codes_out = [], []
    n_chars = len(chars)
    with np.errstate(over="ignore"):
        for n in lengths:
            m = n_chars - n + 1
            if m <= 0:
                continue
            code = chars[:m] + np.uint64(n)
            bad = sep[:m].copy()
            for k in range(1, n):
                code = code * _PRIME + chars[k : k + m]
                bad |= sep[k : k + m]
            keep = ~bad
            codes_out.append(code[keep].view(np.int64))
            docs_out.append(doc[:m][keep])
    if not codes_out:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(docs_out), np.concatenate(codes_out)


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_EMPTY = -1


def _slots(codes: np.ndarray, bits: int) -> np.ndarray:
    with np.errstate(over="ignore"):
        h = codes.view(np.uint64) * _GOLDEN
    return (h >> np.uint64(64 - bits)).astype(np.int64)


class _Lookup:
    """An open-addressing hash table (linear probing, load ≤ 1/4) from n-gram code to column,
    built and probed with whole-array numpy operations: about 3× faster than a binary search
    of the sorted vocabulary for the millions of n-grams of a batch."""

    def __init__(self, vocab: np.ndarray) -> None:
        self.bits = max(10, int(np.ceil(np.log2(max(len(vocab), 1) * 4))))
        size = 1 << self.bits
        self.mask = size - 1
        self.keys = np.full(size, _EMPTY, dtype=np.int64)
        self.cols = np.zeros(size, dtype=np.int32)
        slot = _slots(vocab, self.bits)
        pending = np.arange(len(vocab))
        while pending.size:
            s = slot[pending]
            free = self.keys[s] == _EMPTY
            _, first = np.unique(s[free], return_index=True)
            won = pending[free][first]
            self.keys[slot[won]] = vocab[won]
            self.cols[slot[won]] = won
            pending = np.setdiff1d(pending, won, assume_unique=True)
            slot[pending] = (slot[pending] + 1) & self.mask  # taken now: probe on

    def find(self, codes: np.ndarray) -> np.ndarray:
        """The column of each code, -1 where it is not in the vocabulary."""
        out = np.full(len(codes), -1, dtype=np.int64)
        slot = _slots(codes, self.bits)
        active = np.arange(len(codes))
        while active.size:
            s = slot[active]
            k = self.keys[s]
            found = k == codes[active]
            out[active[found]] = self.cols[s[found]]
            go_on = ~found & (k != _EMPTY)
            active = active[go_on]
            slot[active] = (s[go_on] + 1) & self.mask
        return out


@dataclass
class CharTfidf:
    """Char n-gram TF-IDF (sublinear tf, smooth idf, L2 rows), fitted vocabulary as a sorted
    array of n-gram codes."""

    max_n: int = MAX_N
    min_df: int = MIN_DF
    vocab: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    idf: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    _lookup: _Lookup | None = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_lookup"] = None  # rebuilt on first use: not stored
        return state

    def _codes(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        return _ngram_codes(texts, self.max_n)

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        docs, codes = self._codes(texts)
        order = np.lexsort((docs, codes))
        c, d = codes[order], docs[order]
        first = np.ones(len(c), dtype=bool)  # the first time a document has the n-gram
        first[1:] = (c[1:] != c[:-1]) | (d[1:] != d[:-1])
        uniq, df = np.unique(c[first], return_counts=True)
        keep = (df >= self.min_df) & self._allowed(uniq)
        self.vocab = uniq[keep]
        self._lookup = None
        n = len(texts)
        self.idf = (np.log((1 + n) / (1 + df[keep])) + 1).astype(np.float32)
        return self._matrix(len(texts), docs, codes)

    def _allowed(self, codes: np.ndarray) -> np.ndarray:
        return np.ones(len(codes), dtype=bool)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        parts = []
        for i in range(0, len(texts), CHUNK):  # chunks keep the arrays small
            chunk = texts[i : i + CHUNK]
            docs, codes = self._codes(chunk)
            parts.append(self._matrix(len(chunk), docs, codes))
        if not parts:
            return sp.csr_matrix((0, len(self.vocab)), dtype=np.float32)
        return parts[0] if len(parts) == 1 else sp.vstack(parts, format="csr")

    def columns(self, codes: np.ndarray) -> np.ndarray:
        """The column of each n-gram code, -1 where it is not in the vocabulary."""
        if len(self.vocab) == 0 or len(codes) == 0:
            return np.full(len(codes), -1, dtype=np.int64)
        if self._lookup is None:
            self._lookup = _Lookup(self.vocab)
        return self._lookup.find(codes)

    def _matrix(self, n_docs: int, docs: np.ndarray, codes: np.ndarray) -> sp.csr_matrix:
        return self.matrix(n_docs, docs, self.columns(codes))

    def matrix(self, n_docs: int, docs: np.ndarray, idx: np.ndarray) -> sp.csr_matrix:
        """TF-IDF rows from the (document, column) of each n-gram occurrence (column -1:
        not in the vocabulary)."""
        v = len(self.vocab)
        if v == 0 or len(idx) == 0:
            return sp.csr_matrix((n_docs, v), dtype=np.float32)
        hit = idx >= 0
        # sorted (document, column) keys: runs of equal keys are the term counts
        key = np.sort(docs[hit] * v + idx[hit])
        if len(key) == 0:
            return sp.csr_matrix((n_docs, v), dtype=np.float32)
        first = np.ones(len(key), dtype=bool)
        first[1:] = key[1:] != key[:-1]
        starts = np.flatnonzero(first)
        counts = np.diff(np.append(starts, len(key)))
        uniq = key[starts]
        rows, cols = uniq // v, uniq % v
        data = ((1.0 + np.log(counts)) * self.idf[cols]).astype(np.float32)
        sq = np.bincount(rows, weights=data * data, minlength=n_docs)
        norms = np.sqrt(sq).astype(np.float32)
        norms[norms == 0] = 1.0
        data /= norms[rows]
        indptr = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n_docs), out=indptr[1:])
        return sp.csr_matrix((data, cols, indptr), shape=(n_docs, v))


def _word_codes(
    texts: Sequence[str], max_len: int, only: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the 2..``max_len``-grams (or of the ``only``-grams): those of up to ``MAX_N``
    characters packed as in ``_ngram_codes`` (the body's own codes), the longer hashed."""
    lengths = [only] if only is not None else list(range(2, max_len + 1))
    parts = []
    short = [n for n in lengths if n <= MAX_N]
    if short:
        docs, codes = _ngram_codes(texts, max(short))
        n_of = _code_length(codes)
        keep = np.isin(n_of, short)
        parts.append((docs[keep], codes[keep]))
    long = [n for n in lengths if n > MAX_N]
    if long:
        parts.append(_hashed_ngrams(texts, long))
    if not parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _code_length(codes: np.ndarray) -> np.ndarray:
    """The number of characters packed in each ``_ngram_codes`` code."""
    n = np.ones(len(codes), dtype=np.int64)
    for k in range(1, MAX_N):
        n += (codes >> (_BITS * k)) > 0
    return n


@dataclass
class WordTfidf(CharTfidf):
    """Words as features without a segmenter at prediction time: the vocabulary is learned
    from the training texts (jieba, once, at training), and a text's words are every
    occurrence of a vocabulary word in it (2–``max_len`` characters, found with the same
    whole-array hashing as the n-grams) — fast enough for the hotline import and the
    as-you-type suggestion. TF-IDF as for the n-grams."""

    max_len: int = WORD_MAX
    words: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    from_body: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    long_cols: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    _long: _Lookup | None = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state["_long"] = None
        return state

    def learn(self, texts: Sequence[str]) -> None:
        """The vocabulary: jieba's words (2–``max_len`` characters, Chinese) of ``texts``."""
        import jieba

        jieba.setLogLevel(60)
        found: set[str] = set()
        for t in texts:
            found.update(
                w for w in jieba.lcut(t, HMM=True) if 2 <= len(w) <= self.max_len and _HAN.match(w)
            )
        by_len: dict[int, list[str]] = {}
        for w in found:
            by_len.setdefault(len(w), []).append(w)
        # a word alone is one n-gram of its own length: its code
        codes = [_word_codes(ws, self.max_len, only=n)[1] for n, ws in by_len.items()]
        self.words = np.unique(np.concatenate(codes)) if codes else np.zeros(0, np.int64)

    def _codes(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        return _word_codes(texts, self.max_len)

    def _allowed(self, codes: np.ndarray) -> np.ndarray:
        return np.isin(codes, self.words)

    def link(self, body: CharTfidf) -> None:
        """Words of up to ``MAX_N`` characters are n-grams the body block already looks up:
        their columns map from the body's, so that prediction looks up only the longer
        words."""
        body_cols = body.columns(self.vocab)
        short = body_cols >= 0
        self.from_body = np.full(len(body.vocab), -1, dtype=np.int64)
        self.from_body[body_cols[short]] = np.flatnonzero(short)
        self.long_cols = np.flatnonzero(~short)
        self._long = None

    def columns_from(self, body_idx: np.ndarray, long_codes: np.ndarray) -> np.ndarray:
        """Word columns of the body's n-gram columns and of the longer words' codes."""
        short = np.where(body_idx >= 0, self.from_body[np.maximum(body_idx, 0)], -1)
        if len(self.long_cols) == 0 or len(long_codes) == 0:
            return np.concatenate([short, np.full(len(long_codes), -1, dtype=np.int64)])
        if self._long is None:
            self._long = _Lookup(self.vocab[self.long_cols])
        pos = self._long.find(long_codes)
        longs = np.where(pos >= 0, self.long_cols[np.maximum(pos, 0)], -1)
        return np.concatenate([short, longs])


@dataclass
class Featurizer:
    body: CharTfidf = field(default_factory=CharTfidf)
    head: CharTfidf = field(default_factory=CharTfidf)
    head_len: int = HEAD
    head_weight: float = HEAD_WEIGHT
    words: WordTfidf | None = None
    word_weight: float = WORD_WEIGHT

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        norm = [normalize(t) for t in texts]
        mats = [self.body.fit_transform(norm)]
        mats.append(self.head.fit_transform([t[: self.head_len] for t in norm]))
        if self.words is not None:
            self.words.learn(norm)
            mats.append(self.words.fit_transform(norm))
            self.words.link(self.body)
        return sp.hstack([m * w for m, w in zip(mats, self.weights, strict=True)], format="csr")

    @property
    def weights(self) -> list[float]:
        return [1.0, self.head_weight] + ([self.word_weight] if self.words is not None else [])

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        mats = self.blocks(texts)
        return sp.hstack([m * w for m, w in zip(mats, self.weights, strict=True)], format="csr")

    def blocks(self, texts: Sequence[str]) -> list[sp.csr_matrix]:
        """The body, head (and words) matrices, unweighted, as ``transform`` stacks them."""
        norm = [normalize(t) for t in texts]
        head = self.head.transform([t[: self.head_len] for t in norm])
        words = self.words
        if words is None:
            return [self.body.transform(norm), head]
        bodies, words_parts = [], []
        long = [n for n in range(MAX_N + 1, words.max_len + 1)]
        for i in range(0, len(norm), CHUNK):
            # the body's n-grams are looked up once: the short words are among them
            chunk = norm[i : i + CHUNK]
            docs, codes = _ngram_codes(chunk, self.body.max_n)
            idx = self.body.columns(codes)
            bodies.append(self.body.matrix(len(chunk), docs, idx))
            keep = idx >= 0
            ldocs, lcodes = _hashed_ngrams(chunk, long) if long else (docs[:0], codes[:0])
            widx = words.columns_from(idx[keep], lcodes)
            words_parts.append(words.matrix(len(chunk), np.concatenate([docs[keep], ldocs]), widx))
        if not bodies:
            return [self.body.transform(norm), head, words.transform(norm)]
        body = bodies[0] if len(bodies) == 1 else sp.vstack(bodies, format="csr")
        word = words_parts[0] if len(words_parts) == 1 else sp.vstack(words_parts, format="csr")
        return [body, head, word]


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float  # 0..1


@dataclass
class TrainedModel:
    featurizer: Featurizer
    classes: list[str]
    coef: np.ndarray  # (n_classes or 1, n_features) float32
    intercept: np.ndarray
    format: int = FORMAT

    def decision(self, texts: Sequence[str]) -> np.ndarray:
        """The SVM's decision values, one row per text. A large batch (a hotline import) is
        shared by ``WORKERS`` threads: numpy sorts and indexes without the GIL, so two cores
        make it about 1.5× faster. The first chunk goes alone, which builds the vocabularies'
        look-up tables before the threads share them."""
        if WORKERS < 2 or len(texts) < 4 * CHUNK:
            return self._decision(texts)
        first, rest = texts[:CHUNK], texts[CHUNK:]
        step = -(-len(rest) // WORKERS)
        parts = [rest[i : i + step] for i in range(0, len(rest), step)]
        out = [self._decision(first)]
        with ThreadPoolExecutor(WORKERS) as pool:
            out.extend(pool.map(self._decision, parts))
        return np.vstack(out)

    def _decision(self, texts: Sequence[str]) -> np.ndarray:
        d = np.zeros((len(texts), self.coef.shape[0]), dtype=np.float64)
        start = 0
        for m, w in zip(self.featurizer.blocks(texts), self.featurizer.weights, strict=True):
            end = start + m.shape[1]
            d += w * np.asarray(m @ self.coef[:, start:end].T)
            start = end
        d += self.intercept
        if len(self.classes) == 2 and d.shape[1] == 1:  # binary SVM: one column
            d = np.hstack([-d, d])
        return d

    def predict(self, texts: Sequence[str]) -> list[str]:
        if not texts:
            return []
        d = self.decision(texts)
        return [self.classes[i] for i in d.argmax(axis=1)]

    def top(self, texts: Sequence[str], k: int = 3) -> list[list[Prediction]]:
        """The ``k`` likeliest labels of each text with a confidence (softmax of the scores)."""
        if not texts:
            return []
        d = self.decision(texts) * SOFTMAX_SCALE
        d -= d.max(axis=1, keepdims=True)
        p = np.exp(d)
        p /= p.sum(axis=1, keepdims=True)
        order = np.argsort(-p, axis=1)[:, :k]
        return [
            [Prediction(self.classes[j], round(float(p[i, j]), 4)) for j in row]
            for i, row in enumerate(order)
        ]

    def dumps(self) -> bytes:
        return zlib.compress(pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL), 6)


def loads(data: bytes) -> TrainedModel:
    """The model stored by ``TrainedModel.dumps`` (bytes the platform wrote itself)."""
    model = pickle.loads(zlib.decompress(bytes(data)))
    if not isinstance(model, TrainedModel) or model.format != FORMAT:
        raise ValueError("stored model has an old format")
    return model


def train_model(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    c: float = C,
    words: bool = True,
    nb: bool = True,
    word_weight: float = WORD_WEIGHT,
    head_weight: float = HEAD_WEIGHT,
    word_max: int = WORD_MAX,
    descriptions: Mapping[str, Sequence[str]] | None = None,
) -> TrainedModel:
    """Fit the featurizer and a class-balanced LinearSVC; needs at least two labels."""
    from sklearn.svm import LinearSVC

    if len(set(labels)) < 2:
        raise ValueError("need at least two categories")
    if descriptions:
        # what each category is (its names, its sub-categories) as one more short example of
        # it: words the few examples of a small category may lack
        known = set(labels)
        extra = [(d, k) for k, ds in descriptions.items() if k in known for d in ds if d]
        texts = [*texts, *(d for d, _k in extra)]
        labels = [*labels, *(k for _d, k in extra)]
    min_df = MIN_DF if len(texts) >= 1000 else MIN_DF_SMALL
    feat = Featurizer(
        body=CharTfidf(min_df=min_df),
        head=CharTfidf(min_df=min_df),
        words=WordTfidf(min_df=min_df, max_len=word_max) if words else None,
        word_weight=word_weight,
        head_weight=head_weight,
    )
    x = feat.fit_transform(texts)
    y = np.asarray([str(label) for label in labels])
    scale = nb_scale(x, y) if nb else np.ones(x.shape[1], dtype=np.float32)
    svm = LinearSVC(C=c, class_weight="balanced", max_iter=3000)
    svm.fit(x @ sp.diags(scale), y)
    return TrainedModel(
        featurizer=feat,
        classes=[str(c) for c in svm.classes_],
        # the scaling of the columns folded into the weights: prediction pays nothing for it
        coef=(svm.coef_ * scale).astype(np.float32),
        intercept=svm.intercept_.astype(np.float32),
    )


def nb_scale(x: sp.csr_matrix, y: np.ndarray) -> np.ndarray:
    """How much each feature tells the classes apart, as naive Bayes sees it: the largest
    |log P(f | class) − mean over classes| of its document frequency per class (add-one
    smoothed). Multiplying the columns by it (NB-SVM) lets the SVM lean on the telling
    n-grams; chosen by cross-validation inside the training part."""
    present = x.copy()
    present.data = np.ones_like(present.data)
    classes = np.unique(y)
    counts = np.vstack([np.asarray(present[y == k].sum(axis=0)).ravel() + 1.0 for k in classes])
    logp = np.log(counts / counts.sum(axis=1, keepdims=True))
    return np.abs(logp - logp.mean(axis=0)).max(axis=0).astype(np.float32)


@dataclass
class Evaluation:
    macro_f1: float
    accuracy: float
    train_s: float
    n_train: int
    n_test: int
    class_counts: dict[str, int]
    per_class_f1: dict[str, float]
    model: TrainedModel


def split(labels: Sequence[str], test_size: float = 0.3, seed: int = 42) -> tuple[Any, Any]:
    """A stratified split of indexes (classes with one example stay in training)."""
    from sklearn.model_selection import train_test_split

    counts = Counter(labels)
    idx = np.arange(len(labels))
    single = np.array([counts[label] < 2 for label in labels], dtype=bool)
    multi = idx[~single]
    y = [labels[i] for i in multi]
    n_classes = len(set(y))
    n_test = max(round(len(multi) * test_size), n_classes)
    if len(multi) - n_test < n_classes or n_classes < 2:
        tr, te = train_test_split(multi, test_size=test_size, random_state=seed)
    else:
        tr, te = train_test_split(multi, test_size=n_test, stratify=y, random_state=seed)
    return np.concatenate([tr, idx[single]]), te


def evaluate(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    test_size: float = 0.3,
    seed: int = 42,
    descriptions: Mapping[str, Sequence[str]] | None = None,
) -> Evaluation:
    """Train on a stratified part, measure on the held-out rest (never trained on)."""
    from sklearn.metrics import accuracy_score, f1_score

    tr, te = split(labels, test_size, seed)
    t0 = time.perf_counter()
    model = train_model([texts[i] for i in tr], [labels[i] for i in tr], descriptions=descriptions)
    train_s = time.perf_counter() - t0
    y = [labels[i] for i in te]
    p = model.predict([texts[i] for i in te])
    names = sorted(set(labels))
    per = f1_score(y, p, labels=names, average=None, zero_division=0)
    return Evaluation(
        macro_f1=float(f1_score(y, p, average="macro", zero_division=0)) if y else 0.0,
        accuracy=float(accuracy_score(y, p)) if y else 0.0,
        train_s=train_s,
        n_train=len(tr),
        n_test=len(te),
        class_counts=dict(Counter(labels)),
        per_class_f1={n: round(float(f), 4) for n, f in zip(names, per, strict=True)},
        model=model,
    )
