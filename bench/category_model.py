"""Category suggestion model on real labelled citizen messages (train.csv, 7 classes).

A fixed-seed stratified split keeps 30 % aside (never trained on); the product's own
featurizer and model (``chuangwen.citizens.voice.classifier``) are trained on the 70 % and
measured on the 30 %. Also measured in the same run: the baseline (scikit-learn char 1–3-gram
TF-IDF + LinearSVC) and prediction throughput of the product model on the held-out texts
(repeated to ``--n`` texts). Targets: macro-F1 ≥ 0.90, train_s < 60, predict_per_s ≥ 5,000.

    .venv/bin/python bench/category_model.py --n 20000
"""

import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import emit, parser

DATA = Path("/work/shared/data/citizen-messages/train.csv")
SEED = 42


def main() -> None:
    p = parser(__doc__.splitlines()[0], 20_000)
    p.add_argument("--data", default=str(DATA))
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--no-baseline", action="store_true")
    args = p.parse_args()
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.svm import LinearSVC

    from chuangwen.citizens.voice import classifier

    with open(args.data, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    texts = [r["text"] for r in rows]
    labels = [r["label"] for r in rows]
    ev = classifier.evaluate(texts, labels, test_size=0.3, seed=args.seed)
    tr, te = classifier.split(labels, 0.3, args.seed)
    test_texts = [texts[i] for i in te]
    y = [labels[i] for i in te]
    figures = {
        "macro_f1": round(ev.macro_f1, 4),
        "accuracy": round(ev.accuracy, 4),
        "train_s": round(ev.train_s, 2),
    }
    batch = (test_texts * (args.n // len(test_texts) + 1))[: args.n]
    t0 = time.perf_counter()
    ev.model.predict(batch)
    figures["predict_per_s"] = round(len(batch) / (time.perf_counter() - t0))
    t0 = time.perf_counter()
    for t in test_texts[:200]:
        ev.model.top([t], 3)
    figures["single_top3_ms"] = round((time.perf_counter() - t0) / 200 * 1000, 2)
    if not args.no_baseline:
        t0 = time.perf_counter()
        vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3))
        svm = LinearSVC().fit(vec.fit_transform([texts[i] for i in tr]), [labels[i] for i in tr])
        figures["baseline_train_s"] = round(time.perf_counter() - t0, 2)
        t0 = time.perf_counter()
        bp = svm.predict(vec.transform(test_texts))
        figures["baseline_predict_per_s"] = round(len(test_texts) / (time.perf_counter() - t0))
        figures["baseline_macro_f1"] = round(float(f1_score(y, bp, average="macro")), 4)
        figures["baseline_accuracy"] = round(float(accuracy_score(y, bp)), 4)
    figures.update(n_train=ev.n_train, n_test=ev.n_test, seed=args.seed)
    for name, f1 in ev.per_class_f1.items():
        print(f"{name:8s} f1={f1:.4f} n={ev.class_counts[name]}")
    emit(figures)


if __name__ == "__main__":
    main()
