"""What a published text keeps (faq.redact.mask_personal): the official's words with their
diacritics, without phone numbers, e-mail addresses or personal names."""

from __future__ import annotations

from faq.redact import mask_personal


def test_words_and_diacritics_stay_and_identities_go() -> None:
    text = "Đã thay bóng đèn, anh Nguyễn Văn An gọi 0912 345 678 hoặc an@example.com nhé."
    masked = mask_personal(text)
    assert masked.startswith("Đã thay bóng đèn, anh …")
    for gone in ("Nguyễn", "Văn An", "0912", "345 678", "example.com"):
        assert gone not in masked


def test_an_answer_without_identities_is_unchanged() -> None:
    text = "Đã sửa xong cống thoát nước ngõ 7 ngày 28/11; xin cảm ơn bà con."
    assert mask_personal(text) == text


def test_empty_and_odd_text() -> None:
    assert mask_personal("") == ""
    assert mask_personal("   ") == ""
    assert mask_personal("<b>Trần Thị Mai</b> 😀") != "<b>Trần Thị Mai</b> 😀"


def test_number_plates_go() -> None:
    # issue 12: plates, however written, are masked on Open311 and the public page
    for plate in ("29A-123.45", "29A 12345", "29-B1 123.45", "51LD-12345", "30E-1234"):
        masked = mask_personal(f"Xe {plate} đỗ chắn lối vào chợ.")
        assert masked == "Xe … đỗ chắn lối vào chợ.", plate
    assert mask_personal("Đường 12A dài 300 mét") == "Đường 12A dài 300 mét"


def test_surnames_that_are_words_and_names_after_a_word_of_address_go() -> None:
    # issue 12: «Phạm», «Đỗ», «Lê» are words too; written with a capitalised given name
    # they are a name, as are the capitalised words after «ông», «chị»…
    masked = mask_personal("Xe của ông Phạm Văn Dũng chắn lối; Lê Thị Chi và chị Lan báo.")
    assert masked == "Xe của ông … chắn lối; … và chị … báo."
    assert mask_personal("Ông Dũng, Thôn 3 báo cống tắc") == "Ông …, Thôn 3 báo cống tắc"
    kept = "Do mưa to, Thôn 3 ngập. Mai đội sẽ đến, gặp anh. Sáng mai xong."
    assert mask_personal(kept) == kept


def test_words_that_fold_like_a_word_of_address_do_not_start_a_name() -> None:
    kept = "Có Thôn 3 bị ngập; đi Thôn Đông mất 10 phút. Phía Bắc Thôn 1 có cống."
    assert mask_personal(kept) == kept
    assert mask_personal("Ông Dũng báo") == "Ông … báo"
    assert mask_personal("Gửi ảnh Thôn 3, anh Tuấn xem") == "Gửi ảnh Thôn 3, anh … xem"
