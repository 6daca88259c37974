"""Intent, retrieval and routing of faq.understand."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faq.intent import is_emergency, is_greeting, is_thanks
from faq.knowledge import load_knowledge_base
from faq.redact import LOG_FUNCTION_WORDS, redact_for_log
from faq.topics import DEFAULT_OFFICES, classify_topic
from faq.understand import Intent, Understander


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
        "so dien thoai cua toi … can cuoc …"
    )


def test_lexicon_phrases_may_span_lines() -> None:
    from faq.intent import EMERGENCY_PHRASES, PROBLEM_PHRASES

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


@pytest.mark.parametrize(
    "text",
    [
        "co nguoi dot nha",
        "có người đốt nhà",
        "tôi bị đánh",
        "toi bi danh",
        "bị đánh đập dã man",
        "có thằng đánh người ngoài chợ",
        "bị chó cắn",
        "bi cho can",
        "chó cắn người",
        "thằng kia phóng hỏa",
        "họ đánh người ở chợ",
        "vợ tôi bị đánh trọng thương",
        "bố say rượu về đánh vợ con",
    ],
)
def test_violence_fire_and_bites_are_emergencies(understander: Understander, text: str) -> None:
    result = understander.understand(text)
    assert result.intent is Intent.EMERGENCY, text
    assert result.office == "CA"


@pytest.mark.parametrize(
    "text",
    [
        "đánh giá cán bộ xã ở đâu",
        "đèn cháy bóng",
        "hộ kinh doanh bị đánh thuế thế nào",
        "bí danh có ghi vào giấy tờ không",
        "tài khoản định danh tôi bị khóa",
        "cho cán bộ hỏi lịch tiếp dân",
        "đánh dấu vào tờ khai thế nào",
        "đốt rác khói bay vào nhà",
    ],
)
def test_near_misses_are_not_emergencies(understander: Understander, text: str) -> None:
    assert understander.understand(text).intent is not Intent.EMERGENCY, text


@pytest.mark.parametrize("text", ["giay to", "phi", "con", "lam giay", "thu tuc", "chứng thực"])
def test_vague_short_queries_get_suggestions(understander: Understander, text: str) -> None:
    result = understander.understand(text)
    assert result.intent is Intent.FAQ
    assert result.faq_id is None
    assert len(result.suggestions) >= 2


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("khai sinh", "khai_sinh"),
        ("tạm trú", "tam_tru"),
        ("sổ đỏ", "cap_so_do"),
        ("dang ky ket hon", "ket_hon"),
        ("bot giup duoc gi", "gioi_thieu_bot"),
    ],
)
def test_short_queries_that_name_one_entry_are_answered(
    understander: Understander, text: str, entry: str
) -> None:
    assert understander.understand(text).faq_id == entry


@pytest.mark.parametrize(
    "text", ["cảm ơn", "Cám ơn bạn nhiều!", "cam on ad", "thanks", "tks", "thank you", "thx nhé"]
)
def test_thanks(text: str) -> None:
    assert is_thanks(text)
    assert is_greeting(text)


@pytest.mark.parametrize("text", ["xin chào", "chao ban", "ok", "alo", "khai sinh"])
def test_not_thanks(text: str) -> None:
    assert not is_thanks(text)


def test_redact_for_log_joins_digit_groups_and_drops_names_and_emails(
    understander: Understander,
) -> None:
    vocabulary = understander.vocabulary
    assert redact_for_log("nguyen van an 0912 345 678", vocabulary) == "…"
    redacted = redact_for_log(
        "Tôi là Nguyễn Thị Hoa, email hoa.nguyen@gmail.com, sđt 0912.345.678 hỏi làm khai sinh",
        vocabulary,
    )
    assert redacted == "toi la … so dien thoai … hoi lam khai sinh"
    assert redact_for_log("cccd 001-203-004-005 bị mất", vocabulary) == "can cuoc … bi mat"
    assert "xe rac" in redact_for_log("tên tôi là Minh hỏi sao xe rác không qua thôn", vocabulary)


def test_vocabulary_holds_the_knowledge_base_words(understander: Understander) -> None:
    words = understander.kb.vocabulary()
    assert {"khai", "sinh", "tam", "tru"} <= words
    assert words <= understander.vocabulary
    assert "nguyen" not in understander.vocabulary


_NAMES = st.sampled_from(["Nguyễn", "Trần", "Văn", "Thị", "Hùng", "Tuấn", "Linh", "Hoa"])
_PIECES = st.one_of(
    _NAMES,
    st.sampled_from(["khai sinh", "tạm trú", "hỏi", "ở đâu", "xe rác", "0912", "345", "678"]),
    st.from_regex(r"[0-9]{1,12}", fullmatch=True),
    st.from_regex(r"[a-z]{1,6}@[a-z]{1,6}\.vn", fullmatch=True),
    st.text(max_size=8),
)
_SEPARATORS = st.sampled_from([" ", ".", "-", ", ", " . "])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_PIECES, _SEPARATORS), max_size=12))
def test_redact_for_log_keeps_only_known_words(pieces: list[tuple[str, str]]) -> None:
    vocabulary = _SHARED.vocabulary
    text = "".join(piece + separator for piece, separator in pieces)
    redacted = redact_for_log(text, vocabulary)
    allowed = vocabulary | LOG_FUNCTION_WORDS | {"…"}
    for word in redacted.split():
        assert word in allowed, (text, redacted)
        assert not (word.isdigit() and len(word) >= 6), (text, redacted)
    assert "… …" not in redacted


@pytest.mark.parametrize(
    "text",
    [
        "nước lũ lên nhanh, nhà tôi có người mắc kẹt trên mái",
        "đê sắp vỡ",
        "nhà bên cạnh mùi gas nồng nặc",
        "có trộm đang ở trong nhà tôi",
    ],
)
def test_emergencies_found_in_the_second_review(text: str) -> None:
    assert is_emergency(text)


@pytest.mark.parametrize(
    "text",
    [
        "đường thôn 2 ổ gà to lắm, xe máy ngã mấy lần rồi",
        "ong nuoc vo tran ra duong",
        "xay nha trai phep o thon 1",
    ],
)
def test_reports_found_in_the_second_review(understander: Understander, text: str) -> None:
    assert understander.understand(text).intent is Intent.REPORT
