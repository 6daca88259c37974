"""Intent, retrieval and routing of faq.understand."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faq.knowledge import load_knowledge_base
from faq.topics import DEFAULT_OFFICES, classify_topic
from faq.understand import Intent, Understander, redact_for_log


@pytest.fixture(scope="module")
def understander() -> Understander:
    return Understander(load_knowledge_base().active_on(date(2026, 11, 28)))


@pytest.mark.parametrize(
    "text",
    [
        "cháy nhà ở thôn 3",
        "chay nha o thon 3",
        "nhà bên cạnh đang cháy",
        "co tai nan o nga ba",
        "Có cướp!",
        "hai nhóm đánh nhau ngoài chợ",
        "cần cấp cứu gấp",
        "ông cụ bị ngất",
        "bà tôi ngất xỉu rồi",
        "giup voi co nguoi duoi nuoc",
    ],
)
def test_emergencies_win_over_everything(understander: Understander, text: str) -> None:
    result = understander.understand(text)
    assert result.intent is Intent.EMERGENCY
    assert result.office == "CA"


@pytest.mark.parametrize(
    "text", ["đèn đường cháy bóng rồi", "xe chạy nhanh quá", "thủ tục phòng cháy chữa cháy"]
)
def test_not_emergencies(understander: Understander, text: str) -> None:
    assert understander.understand(text).intent is not Intent.EMERGENCY


@pytest.mark.parametrize(
    ("text", "topic", "office"),
    [
        ("den duong ngo 7 thon 3 hong 2 tuan nay roi", "chieu_sang", "KT"),
        ("rác đổ trộm đầy ven đường", "rac_thai_moi_truong", "KT"),
        ("karaoke ồn ào đến nửa đêm", "an_ninh_trat_tu", "CA"),
        ("mất trộm xe máy đêm qua", "an_ninh_trat_tu", "CA"),
    ],
)
def test_reports_are_routed(understander: Understander, text: str, topic: str, office: str) -> None:
    result = understander.understand(text)
    assert result.intent is Intent.REPORT
    assert (result.topic, result.office) == (topic, office)


def test_procedure_question_without_diacritics_is_answered(understander: Understander) -> None:
    result = understander.understand("be nha minh moi sinh thi lam giay khai sinh the nao")
    assert result.intent is Intent.FAQ
    assert result.faq_id == "khai_sinh"
    assert result.office == "VP"
    assert result.confidence >= understander.answer_threshold


def test_middle_band_offers_three_suggestions() -> None:
    kb = load_knowledge_base().active_on(date(2026, 11, 28))
    unsure = Understander(kb, answer_threshold=0.99, suggest_threshold=0.1)
    result = unsure.understand("khai sinh")
    assert result.intent is Intent.FAQ
    assert result.faq_id is None
    assert len(result.suggestions) == 3
    assert "khai_sinh" in result.suggestions


@pytest.mark.parametrize("text", ["chào ad", "cam on nhieu nhe", "ok cảm ơn ạ", "alo"])
def test_greetings(understander: Understander, text: str) -> None:
    result = understander.understand(text)
    assert result.intent is Intent.GREETING
    assert result.office == "VP"


@pytest.mark.parametrize("text", ["", "   ", "?!", "asdfgh qwerty"])
def test_unclear_text_goes_to_the_triage_desk(understander: Understander, text: str) -> None:
    result = understander.understand(text)
    assert result.intent is Intent.UNKNOWN
    assert result.office == "VP"


@pytest.mark.parametrize("kind", ["khieu_nai", "to_cao"])
@pytest.mark.parametrize(
    "text", ["đèn đường hỏng mãi không sửa", "công an xã xử phạt sai", "tranh chấp đất"]
)
def test_complaints_and_denunciations_go_to_vp(
    understander: Understander, text: str, kind: str
) -> None:
    _, office = understander.route(text, kind)
    assert office == "VP"


def test_route_by_topic_for_petitions(understander: Understander) -> None:
    assert understander.route("đèn đường hỏng", "phan_anh") == ("chieu_sang", "KT")
    assert understander.route("xin làm lại đường thôn 3", "kien_nghi")[1] == "KT"
    assert understander.route("blah blah", "phan_anh") == (None, "VP")
    with pytest.raises(ValueError, match="unknown record kind"):
        understander.route("x", "thu_khen")


def test_land_dispute_goes_to_mediation_not_complaints(understander: Understander) -> None:
    result = understander.understand("tranh chấp đất với hàng xóm thì giải quyết thế nào")
    assert result.faq_id == "hoa_giai_tranh_chap_dat"
    assert result.office == "KT"


def test_commune_routing_table_overrides_default() -> None:
    kb = load_knowledge_base()
    custom = Understander(kb, {"chieu_sang": "TTPVHCC"})
    assert custom.understand("đèn đường hỏng rồi").office == "TTPVHCC"


def test_thresholds_are_validated() -> None:
    with pytest.raises(ValueError, match="threshold"):
        Understander(load_knowledge_base(), answer_threshold=0.3, suggest_threshold=0.5)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_understand_never_raises_and_always_routes(text: str) -> None:
    result = _SHARED.understand(text)
    assert result.office in DEFAULT_OFFICES
    assert 0.0 <= result.confidence <= 1.0
    assert len(result.suggestions) <= 3
    if result.faq_id is not None:
        assert result.intent is Intent.FAQ


_SHARED = Understander(load_knowledge_base())


def test_topic_classifier_prefers_longest_phrase() -> None:
    assert classify_topic("giay phep xay dung nha o") == "xay_dung"
    assert classify_topic("so ho khau") == "cu_tru"
    assert classify_topic("hom nay dep troi") is None


def test_redact_for_log_drops_long_numbers() -> None:
    assert redact_for_log("SĐT của tôi 0912345678, CCCD 001203004005") == (
        "so dien thoai cua toi # can cuoc #"
    )


def test_lexicon_phrases_may_span_lines() -> None:
    from faq.understand import EMERGENCY_PHRASES, PROBLEM_PHRASES

    assert {"hoa hoan", "nhay cau", "no binh gas"} <= EMERGENCY_PHRASES
    assert {"danh bac", "cho tha rong", "khong sang"} <= PROBLEM_PHRASES
    assert not any("\n" in phrase or "  " in phrase for phrase in EMERGENCY_PHRASES)


def test_typo_correction_prefers_the_most_common_word_whatever_the_hash_seed() -> None:
    from faq.index import FaqIndex
    from faq.knowledge import FaqEntry

    entries = [
        FaqEntry("a", "cha me", ("cha me di dau",), "x"),
        FaqEntry("b", "cha con", ("cha con o dau",), "x"),
        FaqEntry("c", "chu nha", ("chu nha o dau",), "x"),
    ]
    index = FaqIndex(entries)
    assert index._correct("chau") == "cha"  # "cha" (2 entries) beats "chu" (1 entry)
