"""The category suggestion model: character n-gram TF-IDF + a linear SVM, pure numpy features.

A case's text (what citizens, grid workers and the 12345 hotline write) is short Chinese with
addresses, numbers and names in it. Characters and their 2- and 3-grams carry the meaning
(路灯, 井盖, 占道经营 …) without a word segmenter; a linear SVM on their TF-IDF is the strong,
fast baseline for such texts. Two blocks of features:

- the whole text, digits folded to ``0`` and latin letters (with their digits) to ``A``
  (so that 3栋502 and 7栋1201 look alike), char 1–3-grams, sublinear tf, idf, L2;
- the head (first ``HEAD`` characters: the title or the first words), weighted ``HEAD_WEIGHT``.

The settings were chosen by 3-fold cross-validation inside the 70 % training part of
``bench/category_model.py`` (never on its held-out 30 %).

The n-grams are counted with numpy over all texts at once (each n-gram a 63-bit integer made
of its code points, looked up in the sorted vocabulary with ``searchsorted``), which is several
times faster than scikit-learn's per-text Python loop: the public page asks the model as the
citizen types, and the hotline import classifies thousands of orders.

``train_model`` returns a ``TrainedModel``: ``dumps()`` gives the bytes a ``CategoryModel`` row
stores, ``loads`` reads them back. Confidences are a softmax over the SVM's decision values
(their order is the SVM's; the figure is a guide for the user, not a calibrated probability).
"""

from __future__ import annotations

import pickle
import re
import time
import zlib
from collections import Counter
from collections.abc import Sequence
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
MAX_TEXT = 4000  # longer texts are cut (the intake limit of a description)
CHUNK = 500
FORMAT = 1  # bumped when the stored layout changes; older rows must be retrained

_DIGITS = re.compile(r"\d+")
_LATIN = re.compile(r"[a-z]+\d*")
_SPACE = re.compile(r"\s+")
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

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        docs, codes = _ngram_codes(texts, self.max_n)
        order = np.lexsort((docs, codes))
        c, d = codes[order], docs[order]
        first = np.ones(len(c), dtype=bool)  # the first time a document has the n-gram
        first[1:] = (c[1:] != c[:-1]) | (d[1:] != d[:-1])
        uniq, df = np.unique(c[first], return_counts=True)
        keep = df >= self.min_df
        self.vocab = uniq[keep]
        self._lookup = None
        n = len(texts)
        self.idf = (np.log((1 + n) / (1 + df[keep])) + 1).astype(np.float32)
        return self._matrix(len(texts), docs, codes)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        parts = []
        for i in range(0, len(texts), CHUNK):  # chunks keep the arrays small
            chunk = texts[i : i + CHUNK]
            docs, codes = _ngram_codes(chunk, self.max_n)
            parts.append(self._matrix(len(chunk), docs, codes))
        if not parts:
            return sp.csr_matrix((0, len(self.vocab)), dtype=np.float32)
        return parts[0] if len(parts) == 1 else sp.vstack(parts, format="csr")

    def _matrix(self, n_docs: int, docs: np.ndarray, codes: np.ndarray) -> sp.csr_matrix:
        v = len(self.vocab)
        if v == 0 or len(codes) == 0:
            return sp.csr_matrix((n_docs, v), dtype=np.float32)
        if self._lookup is None:
            self._lookup = _Lookup(self.vocab)
        idx = self._lookup.find(codes)
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


@dataclass
class Featurizer:
    body: CharTfidf = field(default_factory=CharTfidf)
    head: CharTfidf = field(default_factory=CharTfidf)
    head_len: int = HEAD
    head_weight: float = HEAD_WEIGHT

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        norm = [normalize(t) for t in texts]
        a = self.body.fit_transform(norm)
        b = self.head.fit_transform([t[: self.head_len] for t in norm])
        return sp.hstack([a, b * self.head_weight], format="csr")

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        a, b = self.blocks(texts)
        return sp.hstack([a, b * self.head_weight], format="csr")

    def blocks(self, texts: Sequence[str]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """The body and head matrices (unweighted), as ``transform`` would stack them."""
        norm = [normalize(t) for t in texts]
        return self.body.transform(norm), self.head.transform([t[: self.head_len] for t in norm])


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
        body, head = self.featurizer.blocks(texts)
        nb = body.shape[1]
        w = self.featurizer.head_weight
        d = np.asarray(body @ self.coef[:, :nb].T) + w * np.asarray(head @ self.coef[:, nb:].T)
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


def train_model(texts: Sequence[str], labels: Sequence[str], *, c: float = C) -> TrainedModel:
    """Fit the featurizer and a class-balanced LinearSVC; needs at least two labels."""
    from sklearn.svm import LinearSVC

    if len(set(labels)) < 2:
        raise ValueError("need at least two categories")
    min_df = MIN_DF if len(texts) >= 1000 else MIN_DF_SMALL
    feat = Featurizer(body=CharTfidf(min_df=min_df), head=CharTfidf(min_df=min_df))
    x = feat.fit_transform(texts)
    svm = LinearSVC(C=c, class_weight="balanced", max_iter=3000)
    svm.fit(x, list(labels))
    return TrainedModel(
        featurizer=feat,
        classes=[str(c) for c in svm.classes_],
        coef=svm.coef_.astype(np.float32),
        intercept=svm.intercept_.astype(np.float32),
    )


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
    texts: Sequence[str], labels: Sequence[str], *, test_size: float = 0.3, seed: int = 42
) -> Evaluation:
    """Train on a stratified part, measure on the held-out rest (never trained on)."""
    from sklearn.metrics import accuracy_score, f1_score

    tr, te = split(labels, test_size, seed)
    t0 = time.perf_counter()
    model = train_model([texts[i] for i in tr], [labels[i] for i in tr])
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
