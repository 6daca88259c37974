"""The trained model (faq.model, faq.features, faq.corpus): features, training, the
cache, corrections as examples, the correction text's redaction."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from faq.corpus import CORPUS_DIR, Correction, Example, corpus_files, correction_examples
from faq.features import hashed
from faq.knowledge import load_knowledge_base
from faq.lexicon import bundled_lexicon
from faq.model import Model, build_model, cached, default_model, train
from faq.redact import redact_for_training

TOPICS = list(bundled_lexicon().topics)


def test_marked_words_keep_cuoi_and_cuoi_apart_when_typed() -> None:
    wedding = hashed("đám cưới")
    assert hashed("đám cưới") == wedding  # stable
    assert set(hashed("dam cuoi")) < set(wedding)  # the marks add features
    assert set(hashed("đám cuối")) != set(wedding)
    assert not hashed("?!")


def test_the_evaluation_splits_are_never_training_files() -> None:
    names = [path.name for path in corpus_files()]
    assert names
    assert not [name for name in names if name.startswith("eval")]
    assert (CORPUS_DIR / "eval.toml").exists()


def test_a_small_model_learns_its_examples_and_survives_a_round_trip(tmp_path: Path) -> None:
    examples = [
        Example("đèn đường hỏng", "report", "chieu_sang"),
        Example("đường thôn ổ gà", "report", "duong_giao_thong"),
        Example("làm khai sinh cần gì", "question", "ho_tich"),
        Example("xin chào", "greeting", None),
        Example("cháy nhà", "emergency", "khan_cap"),
        Example("giá vàng hôm nay", "other", None),
    ] * 3
    model = train(examples, TOPICS)
    assert model.predict("đèn đường hỏng").best_intent()[0] == "report"
    assert model.predict("đèn đường hỏng").ranked_topics()[0][0] == "chieu_sang"
    assert model.predict("khai sinh cần gì").best_intent()[0] == "question"
    assert abs(sum(model.predict("xyz").intents.values()) - 1.0) < 1e-4
    path = tmp_path / "m.npz"
    model.save(path)
    loaded = Model.load(path)
    assert loaded.key == model.key
    a, b = loaded.predict("đường ổ gà"), model.predict("đường ổ gà")
    assert np.allclose(list(a.intents.values()), list(b.intents.values()))
    assert loaded.known_share("đèn đường") == 1.0
    assert loaded.known_share("asdf qwer") == 0.0


def test_the_cache_is_keyed_by_the_examples(tmp_path: Path) -> None:
    examples = [Example("đèn hỏng", "report", "chieu_sang"), Example("chào", "greeting", None)]
    first = cached(examples, TOPICS, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [f"model-{first.key}.npz"]
    assert cached(examples, TOPICS, tmp_path) is first  # trained once per process
    other = cached([*examples, Example("cống tắc", "report", "thoat_nuoc")], TOPICS, tmp_path)
    assert other.key != first.key
    assert len(list(tmp_path.iterdir())) == 2


def test_the_bundled_model_loads_fast_and_answers_in_milliseconds(tmp_path: Path) -> None:
    kb, lexicon = load_knowledge_base(), bundled_lexicon()
    model = build_model(kb, lexicon, (), tmp_path)
    assert model.key == default_model().key  # (the same examples: the same model)
    saved = tmp_path / "bundled.npz"
    model.save(saved)
    start = time.perf_counter()
    loaded = Model.load(saved)
    assert time.perf_counter() - start < 1.0
    text = "đèn đường thôn 3 hỏng cả tuần nay rồi mà chưa ai sửa"
    start = time.perf_counter()
    for _ in range(20):
        loaded.predict(text)
    assert (time.perf_counter() - start) / 20 < 0.02  # (a generous bound on a busy machine)


def test_a_routing_correction_takes_the_likeliest_topic_of_its_office() -> None:
    routing = {"chieu_sang": "KT", "van_hoa": "VHXH", "giao_duc": "VHXH"}
    (example,) = correction_examples(
        [Correction("đèn ngõ hỏng", office="VHXH")], routing, {"đèn ngõ hỏng": ["giao_duc"]}
    )
    assert (example.intent, example.topic) == ("report", "giao_duc")
    (label,) = correction_examples([Correction("khai sinh", intent="question")], routing)
    assert (label.intent, label.topic) == ("question", None)
    assert label.weight > 1


def test_a_correction_keeps_known_words_with_their_marks_and_masks_the_rest() -> None:
    vocabulary = {"den", "duong", "hong", "ca", "tuan", "goi", "nhe", "ten", "toi", "la"}
    text = "Đèn đường hỏng cả tuần, gọi Nguyễn Văn Tèo 0912 345 678 nhé, tên tôi là lan"
    assert redact_for_training(text, vocabulary) == "đèn đường hỏng cả tuần gọi … nhé tên tôi là …"
