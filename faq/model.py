"""The trained intent and topic model: TF-IDF over hashed n-grams, softmax regression.

Numpy only. Two heads share one feature space (`faq.features`, the buckets seen in
training, with their inverse document frequencies):

* intent: question / report / emergency / greeting / other;
* topic: the topics of `faq/data/topics.toml` (the commune's routing maps a topic to an
  office), trained on reports, emergencies and the knowledge base's questions, so it also
  re-ranks FAQ candidates by subject.

Training is full-batch Adam on the weighted, L2-regularised cross-entropy, the sparse
matrix kept as CSR arrays: the scores of a batch are `np.add.reduceat` of
`data * W[indices]` per row, the gradient the same reduction over the rows sorted by
column (every column occurs, since the vocabulary is the training set's buckets). A
model is saved as one `.npz` named by the fingerprint of its examples and the feature
version, so a changed knowledge base, word list, split or correction retrains once.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from faq.corpus import INTENTS, Example, bundled_examples, fingerprint
from faq.features import VERSION, hashed, word_keys
from faq.knowledge import KnowledgeBase, load_knowledge_base
from faq.lexicon import Lexicon, bundled_lexicon

log = logging.getLogger(__name__)

Floats = npt.NDArray[np.float32]
Ints = npt.NDArray[np.int64]

# Chosen on a fifth of the training split held back (never on an evaluation split).
ITERATIONS: Final = 100
LEARNING_RATE: Final = 0.15
L2: Final = 1e-5
CLASS_BALANCE: Final = 1.0


@dataclass(frozen=True, slots=True)
class Head:
    classes: tuple[str, ...]
    weights: Floats  # (features, classes)
    bias: Floats  # (classes,)

    def probabilities(self, columns: Ints, values: Floats) -> Floats:
        scores = values @ self.weights[columns] + self.bias
        scores = np.exp(scores - scores.max())
        probabilities: Floats = (scores / scores.sum()).astype(np.float32)
        return probabilities


@dataclass(frozen=True, slots=True)
class Prediction:
    intents: dict[str, float]  # class -> probability, every class
    topics: dict[str, float]

    def best_intent(self) -> tuple[str, float]:
        return max(self.intents.items(), key=lambda item: item[1])

    def ranked_topics(self) -> list[tuple[str, float]]:
        return sorted(self.topics.items(), key=lambda item: -item[1])


class Model:
    def __init__(self, buckets: Ints, idf: Floats, intent: Head, topic: Head, key: str) -> None:
        self.buckets, self.idf, self.intent, self.topic, self.key = (
            buckets,
            idf,
            intent,
            topic,
            key,
        )

    def vector(self, text: str) -> tuple[Ints, Floats]:
        counts = hashed(text)
        if not counts:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        keys = np.fromiter(counts.keys(), np.int64, len(counts))
        tf = np.fromiter(counts.values(), np.float32, len(counts))
        positions = np.minimum(np.searchsorted(self.buckets, keys), len(self.buckets) - 1)
        known = self.buckets[positions] == keys
        columns = positions[known]
        values = (1.0 + np.log(tf[known])) * self.idf[columns]
        norm = float(np.sqrt((values * values).sum()))
        return columns, (values / norm if norm else values).astype(np.float32)

    def known_share(self, text: str) -> float:
        """The share of the text's words the training set used (0 for no words)."""
        keys = np.array(word_keys(text), np.int64)
        if not len(keys):
            return 0.0
        positions = np.minimum(np.searchsorted(self.buckets, keys), len(self.buckets) - 1)
        return float((self.buckets[positions] == keys).mean())

    def predict(self, text: str) -> Prediction:
        columns, values = self.vector(text)
        intents = self.intent.probabilities(columns, values)
        topics = self.topic.probabilities(columns, values)
        return Prediction(
            dict(zip(self.intent.classes, intents.tolist(), strict=True)),
            dict(zip(self.topic.classes, topics.tolist(), strict=True)),
        )

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npz", delete=False) as f:
            np.savez(
                f,
                buckets=self.buckets,
                idf=self.idf,
                intent_classes=np.array(self.intent.classes),
                intent_weights=self.intent.weights,
                intent_bias=self.intent.bias,
                topic_classes=np.array(self.topic.classes),
                topic_weights=self.topic.weights,
                topic_bias=self.topic.bias,
                key=np.array(self.key),
            )
        os.replace(f.name, path)

    @classmethod
    def load(cls, path: Path) -> Model:
        with np.load(path, allow_pickle=False) as z:
            return cls(
                z["buckets"],
                z["idf"],
                Head(tuple(z["intent_classes"].tolist()), z["intent_weights"], z["intent_bias"]),
                Head(tuple(z["topic_classes"].tolist()), z["topic_weights"], z["topic_bias"]),
                str(z["key"]),
            )


@dataclass(frozen=True, slots=True)
class _Matrix:
    """A sparse (rows × features) matrix as CSR arrays, and the same values by feature."""

    indptr: Ints  # where each row's values begin (no row is empty)
    indices: Ints  # the feature of each value, row by row
    data: Floats
    by_feature: Ints  # the values' positions sorted by feature
    rows: Ints  # the row of each value, in `by_feature` order
    feature_starts: Ints  # where each present feature begins in `by_feature` order
    features: Ints  # the present features, in that order


def _matrix(vectors: Sequence[tuple[Ints, Floats]]) -> _Matrix:
    lengths = np.array([len(c) for c, _ in vectors], np.int64)
    indptr = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    indices = np.concatenate([c for c, _ in vectors]).astype(np.int64)
    data = np.concatenate([v for _, v in vectors]).astype(np.float32)
    rows = np.repeat(np.arange(len(vectors), dtype=np.int64), lengths)
    order = np.argsort(indices, kind="stable")
    ordered = indices[order]
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    return _Matrix(indptr, indices, data, order, rows[order], starts, ordered[starts])


def _fit(
    matrix: _Matrix, labels: Ints, weights: Floats, n_features: int, n_classes: int
) -> tuple[Floats, Floats]:
    """Softmax regression by full-batch Adam. Weights are kept per class (classes ×
    features) so that every reduction runs along a contiguous axis: the scores are
    `np.add.reduceat` of `W[:, indices] * data` over each row's values, the gradient the
    same over each feature's values."""
    n = len(labels)
    w = np.zeros((n_classes, n_features), np.float32)
    b = np.zeros(n_classes, np.float32)
    target = np.zeros((n_classes, n), np.float32)
    target[labels, np.arange(n)] = 1.0
    share = (weights / weights.sum()).astype(np.float32)[None, :]
    data_by_feature = matrix.data[matrix.by_feature]
    moments = [np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)]
    beta1, beta2 = 0.9, 0.999
    for step in range(1, ITERATIONS + 1):
        products = np.take(w, matrix.indices, axis=1)
        products *= matrix.data
        scores = np.add.reduceat(products, matrix.indptr, axis=1) + b[:, None]
        scores -= scores.max(axis=0, keepdims=True)
        p = np.exp(scores)
        p /= p.sum(axis=0, keepdims=True)
        residual = (p - target) * share
        spread = np.take(residual, matrix.rows, axis=1)
        spread *= data_by_feature
        grad_w = (L2 * w).astype(np.float32)
        grad_w[:, matrix.features] += np.add.reduceat(spread, matrix.feature_starts, axis=1)
        grad_b = residual.sum(axis=1).astype(np.float32)
        rate = LEARNING_RATE * math.sqrt(1 - beta2**step) / (1 - beta1**step)
        for value, grad, m, v in (
            (w, grad_w, moments[0], moments[1]),
            (b, grad_b, moments[2], moments[3]),
        ):
            m *= beta1
            m += (1 - beta1) * grad
            v *= beta2
            v += (1 - beta2) * grad * grad
            np.subtract(value, rate * m / (np.sqrt(v) + 1e-8), out=value, casting="unsafe")
    return np.ascontiguousarray(w.T), b


def _head(
    vectors: Sequence[tuple[Ints, Floats]],
    labels: Sequence[str],
    weights: Sequence[float],
    n_features: int,
    classes: tuple[str, ...],
) -> Head:
    keep = [i for i, (c, _) in enumerate(vectors) if len(c)]
    matrix = _matrix([vectors[i] for i in keep])
    position = {name: i for i, name in enumerate(classes)}
    y = np.array([position[labels[i]] for i in keep], np.int64)
    sw = np.array([weights[i] for i in keep], np.float32)
    # Classes weigh by a power (CLASS_BALANCE) of their inverse share: a split of mostly reports
    # does not teach that everything is a report, nor does a rare class win everything.
    totals = np.bincount(y, sw, len(classes))
    sw *= np.power(totals.sum() / np.maximum(totals, 1e-9), CLASS_BALANCE)[y].astype(np.float32)
    w, b = _fit(matrix, y, sw, n_features, len(classes))
    return Head(classes, w, b)


def train(examples: Sequence[Example], topics: Sequence[str]) -> Model:
    """A model from `examples` (those with an intent train the intent head, those with a
    topic among `topics` the topic head)."""
    counted = [hashed(example.text) for example in examples]
    buckets = np.unique(np.fromiter((k for c in counted for k in c), np.int64))
    df = np.zeros(len(buckets), np.float32)
    raw: list[tuple[Ints, Floats]] = []
    for counts in counted:
        keys = np.fromiter(counts.keys(), np.int64, len(counts))
        columns = np.searchsorted(buckets, keys)
        df[columns] += 1
        raw.append((columns, np.fromiter(counts.values(), np.float32, len(counts))))
    idf = (np.log((1 + len(examples)) / (1 + df)) + 1).astype(np.float32)
    vectors = []
    for columns, tf in raw:
        values = (1.0 + np.log(tf)) * idf[columns]
        norm = float(np.sqrt((values * values).sum())) or 1.0
        vectors.append((columns, (values / norm).astype(np.float32)))
    topic_classes = tuple(sorted({e.topic for e in examples if e.topic in set(topics)}))
    intent_rows = [i for i, e in enumerate(examples) if e.intent in INTENTS]
    topic_rows = [i for i, e in enumerate(examples) if e.topic in topic_classes]
    intent = _head(
        [vectors[i] for i in intent_rows],
        [str(examples[i].intent) for i in intent_rows],
        [examples[i].weight for i in intent_rows],
        len(buckets),
        INTENTS,
    )
    topic = _head(
        [vectors[i] for i in topic_rows],
        [str(examples[i].topic) for i in topic_rows],
        [examples[i].weight for i in topic_rows],
        len(buckets),
        topic_classes,
    )
    return Model(buckets, idf, intent, topic, model_key(examples, topics))


def model_key(examples: Sequence[Example], topics: Sequence[str]) -> str:
    hyper = f"{VERSION}:{ITERATIONS}:{LEARNING_RATE}:{L2}"
    return fingerprint(examples, hyper, ",".join(sorted(topics)))


def cached(examples: Sequence[Example], topics: Sequence[str], folder: Path | None) -> Model:
    """The model of these examples: trained once per process; loaded from `folder` (or
    the shared cache `$DANVAN_MODEL_CACHE`, when set) where saved there, else trained and
    saved to both."""
    key = model_key(examples, topics)
    if key in _TRAINED:
        return _TRAINED[key]
    shared = os.environ.get("DANVAN_MODEL_CACHE")
    paths = [f / f"model-{key}.npz" for f in (folder, Path(shared) if shared else None) if f]
    for path in paths:
        if path.exists():
            try:
                model = _TRAINED[key] = Model.load(path)
            except (OSError, ValueError, KeyError):
                log.warning("model cache %s unreadable; training again", path.name)
                continue
            for other in paths:
                if not other.exists():
                    _save(model, other)
            return model
    model = _TRAINED[key] = train(examples, topics)
    for path in paths:
        _save(model, path)
    return model


# Models trained in this process, by key: one training per process and data.
_TRAINED: dict[str, Model] = {}


def _save(model: Model, path: Path) -> None:
    try:
        model.save(path)
    except OSError:
        log.warning("model cache %s not written", path.name)


def build_model(
    kb: KnowledgeBase,
    lexicon: Lexicon,
    corrections: Sequence[Example] = (),
    folder: Path | None = None,
) -> Model:
    """The model of the bundled training split, `kb`'s questions, `lexicon`'s words and
    `corrections` (examples from `faq.corpus.correction_examples`)."""
    examples = [*bundled_examples(kb, lexicon), *corrections]
    return cached(examples, list(lexicon.topics), folder)


@functools.cache
def default_model() -> Model:
    """The bundled model, trained once per process (and kept in $DANVAN_MODEL_CACHE when
    that is set: the tests and their `danvan` subprocesses share it between runs)."""
    return build_model(load_knowledge_base(), bundled_lexicon(), (), None)
