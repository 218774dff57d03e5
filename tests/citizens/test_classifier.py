import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from chuangwen.citizens.voice import classifier

TEXTS = [
    "路边垃圾堆积没人清理",
    "垃圾桶满了垃圾发臭",
    "小区门口乱倒垃圾",
    "墙上贴满小广告",
    "电线杆上乱贴小广告",
    "楼道里全是小广告",
    "路灯不亮一片漆黑",
    "路灯坏了一直闪",
    "这一段路灯都不亮",
]
LABELS = ["垃圾"] * 3 + ["广告"] * 3 + ["路灯"] * 3


def test_char_tfidf_equals_scikit_learn():
    texts = [classifier.normalize(t) for t in TEXTS]
    ours = classifier.CharTfidf(max_n=3, min_df=1)
    a = ours.fit_transform(texts)
    ref = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, lowercase=False)
    b = ref.fit_transform(texts)
    assert a.shape == b.shape
    # same vocabulary size and the same row values (column order differs)
    for i in range(len(texts)):
        assert np.allclose(np.sort(a[i].data), np.sort(b[i].data), atol=1e-5)
    # unseen text: n-grams outside the vocabulary are dropped, rows stay L2-normalised
    x = ours.transform(["垃圾和小广告XYZ"])
    assert abs(float(x.multiply(x).sum()) - 1.0) < 1e-5
    assert ours.transform([""]).nnz == 0


def test_train_predict_top3_and_roundtrip():
    model = classifier.train_model(TEXTS, LABELS)
    assert model.predict(["人民路的路灯晚上不亮", "门口的小广告太多了"]) == ["路灯", "广告"]
    top = model.top(["路灯不亮"], 3)[0]
    assert top[0].label == "路灯"
    assert len(top) == 3
    assert top[0].confidence >= top[1].confidence >= top[2].confidence
    assert 0.99 <= sum(p.confidence for p in top) <= 1.01
    again = classifier.loads(model.dumps())
    assert again.predict(["垃圾没人清理"]) == ["垃圾"]
    assert model.predict([]) == []


def test_a_large_batch_shared_by_threads_gets_the_same_answers(monkeypatch):
    monkeypatch.setattr(classifier, "WORKERS", 2)
    model = classifier.loads(classifier.train_model(TEXTS, LABELS).dumps())  # tables not built
    batch = [f"{t}{i}" for i in range(300) for t in TEXTS]  # 2,700 texts: 1 + 2 parts
    threaded = model.decision(batch)
    serial = np.vstack([model._decision(batch[i : i + 100]) for i in range(0, len(batch), 100)])
    assert threaded.shape == (len(batch), 3)
    assert np.allclose(threaded, serial)
    monkeypatch.setattr(classifier, "WORKERS", 1)
    assert np.allclose(model.decision(batch), serial)


def test_training_needs_two_classes():
    with pytest.raises(ValueError):
        classifier.train_model(["a", "b"], ["x", "x"])


def test_evaluate_never_trains_on_the_held_out_part():
    texts = TEXTS * 4
    labels = LABELS * 4
    ev = classifier.evaluate(texts, labels, test_size=0.3, seed=1)
    tr, te = classifier.split(labels, 0.3, 1)
    assert not set(tr) & set(te)
    assert ev.n_test == len(te) and ev.n_train == len(tr)
    assert 0 <= ev.macro_f1 <= 1 and ev.accuracy > 0.5
    assert ev.class_counts == {"垃圾": 12, "广告": 12, "路灯": 12}


def test_words_are_the_vocabulary_words_found_in_a_text():
    w = classifier.WordTfidf(min_df=1)
    texts = [classifier.normalize(t) for t in ["人民路的路灯不亮", "路灯坏了", "小广告太多"]]
    w.words = np.unique(
        np.concatenate([classifier._word_codes(["路灯", "广告"], 4, only=2)[1]])
    )  # the vocabulary jieba would learn, given here
    x = w.fit_transform(texts)
    assert x.shape == (3, 2)  # only the vocabulary words become columns
    assert x[0].nnz == 1 and x[2].nnz == 1 and x[1].nnz == 1
    assert w.transform(["没有词"]).nnz == 0
    # learned from texts with jieba: words of 2–4 Chinese characters
    w2 = classifier.WordTfidf(min_df=1)
    w2.learn(["人民路的路灯晚上不亮", "小区门口的垃圾桶满了"])
    assert len(w2.words) >= 3
    assert np.isin(classifier._word_codes(["路灯"], 4, only=2)[1], w2.words).all()


def test_nb_scaling_is_folded_into_the_weights():
    plain = classifier.train_model(TEXTS, LABELS, words=False, nb=False)
    model = classifier.train_model(TEXTS, LABELS)
    assert model.featurizer.words is not None and plain.featurizer.words is None
    x = model.featurizer.transform(["路灯不亮"])
    assert x.shape[1] == model.coef.shape[1]
    d = np.asarray(x @ model.coef.T) + model.intercept
    assert np.allclose(d, model.decision(["路灯不亮"]), atol=1e-4)
    # a model stored before words existed (no ``words`` in its featurizer) still predicts
    state = plain.featurizer.__dict__
    del state["words"], state["word_weight"]
    again = classifier.loads(plain.dumps())
    assert again.featurizer.words is None and again.predict(["路灯坏了"]) == ["路灯"]


def test_prediction_shares_the_bodys_lookups_with_the_words():
    texts = TEXTS * 3 + ["人民路路灯不亮，小区门口垃圾桶满了，电线杆上小广告"]
    feat = classifier.Featurizer(
        body=classifier.CharTfidf(min_df=1),
        head=classifier.CharTfidf(min_df=1),
        words=classifier.WordTfidf(min_df=1, max_len=4),  # 4: hashed, looked up on their own
    )
    feat.fit_transform(texts)
    assert feat.words is not None and len(feat.words.vocab) > 0
    new = ["路灯坏了一直闪，垃圾发臭", "小广告", "", "门口乱倒垃圾电线杆"] * 300  # > one chunk
    body, _head, words = feat.blocks(new)
    norm = [classifier.normalize(t) for t in new]
    # the same as each block on its own (words found by their own codes)
    assert abs(body - feat.body.transform(norm)).max() < 1e-6
    assert abs(words - feat.words.transform(norm)).max() < 1e-6
    assert words.nnz > 0


def test_category_descriptions_are_examples_of_known_categories_only():
    desc = {"路灯": ["照明设施，夜景亮化"], "水管": ["供水管道，爆管漏水"]}
    model = classifier.train_model(TEXTS, LABELS, descriptions=desc)
    assert model.classes == ["垃圾", "广告", "路灯"]  # no category from a description alone
    assert model.predict(["夜景亮化设施"]) == ["路灯"]
    ev = classifier.evaluate(TEXTS * 4, LABELS * 4, test_size=0.3, seed=1, descriptions=desc)
    assert ev.n_train + ev.n_test == 36  # the descriptions are not counted as cases
