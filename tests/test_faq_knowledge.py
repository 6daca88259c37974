"""The knowledge base: loading, overriding, validation, effective dates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import jinja2
import pytest

from faq.knowledge import (
    FaqEntry,
    KnowledgeBase,
    KnowledgeBaseError,
    check_knowledge_base,
    load_knowledge_base,
    parse_entries,
)
from faq.topics import DEFAULT_OFFICES, DEFAULT_ROUTING, TOPICS

COMMUNE = {
    "name": "UBND xã Thử Nghiệm",
    "address": "Thôn 1, xã Thử Nghiệm",
    "working_hours": "Thứ Hai – Thứ Sáu, 7:30–17:00",
    "hotline": "0225 000 000",
    "reception_schedule": "Thứ Năm tuần thứ 2 và tuần thứ 4",
    "website": "https://example.gov.vn",
}


def entry(entry_id: str, *questions: str, **fields: object) -> FaqEntry:
    values: dict[str, object] = {
        "id": entry_id,
        "title": entry_id,
        "questions": questions or (f"câu hỏi {entry_id}",),
        "answer": "Dạ, trả lời.",
        "legal_basis": "Luật",
        "office": "VP",
    }
    values.update(fields)
    return FaqEntry(**values)  # type: ignore[arg-type]


def test_bundled_base_passes_the_check() -> None:
    kb = load_knowledge_base()
    assert len(kb.entries) >= 40
    assert check_knowledge_base(kb) == []


def test_bundled_answers_render_with_every_commune_variable() -> None:
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    for faq_entry in load_knowledge_base().entries:
        text = environment.from_string(faq_entry.answer).render(commune=COMMUNE)
        assert text.strip(), faq_entry.id
        assert "{{" not in text


def test_routing_table_covers_every_topic_with_known_offices() -> None:
    assert set(DEFAULT_ROUTING) == set(TOPICS)
    assert set(DEFAULT_ROUTING.values()) <= set(DEFAULT_OFFICES)
    assert len(DEFAULT_OFFICES) == 7


def test_issue_topics_are_covered() -> None:
    kb = load_knowledge_base()
    required = {
        "khai_sinh", "khai_tu", "ket_hon", "xac_nhan_tinh_trang_hon_nhan", "cai_chinh_ho_tich",
        "trich_luc_ho_tich", "chung_thuc_ban_sao", "chung_thuc_chu_ky", "chung_thuc_hop_dong",
        "thuong_tru", "tam_tru", "can_cuoc_tre_em", "vneid_muc_2", "ho_kinh_doanh",
        "giay_phep_xay_dung", "cap_so_do", "bien_dong_dat_dai", "hoa_giai_tranh_chap_dat",
        "tro_cap_xa_hoi", "ho_tro_mai_tang", "xac_nhan_khuyet_tat", "bhyt", "bhyt_tre_em",
        "dang_ky_nghia_vu_quan_su", "kham_nghia_vu_quan_su", "khieu_nai", "khieu_nai_thoi_han",
        "to_cao", "to_cao_bao_mat", "to_cao_thoi_han", "phan_anh_kien_nghi",
        "phuong_cham_dan_chu", "luat_dan_chu_co_so", "cong_khai_thong_tin",
        "dan_ban_quyet_dinh", "ban_thanh_tra_nhan_dan", "giam_sat_dau_tu_cong_dong",
        "doi_thoai", "tiep_cong_dan_chu_tich", "dia_chi_gio_lam_viec", "duong_day_nong",
        "dich_vu_cong_truc_tuyen", "du_lieu_ca_nhan", "xoa_du_lieu", "khan_cap",
    }  # fmt: skip
    assert required <= {faq_entry.id for faq_entry in kb.entries}


def test_reception_schedule_changes_on_1_july_2026() -> None:
    kb = load_knowledge_base()
    before = kb.active_on(date(2026, 6, 30))
    after = kb.active_on(date(2026, 11, 28))
    assert before.get("tiep_cong_dan_chu_tich_2025") is not None
    assert before.get("tiep_cong_dan_chu_tich") is None
    assert after.get("tiep_cong_dan_chu_tich") is not None
    assert after.get("tiep_cong_dan_chu_tich_2025") is None
    new = after.get("tiep_cong_dan_chu_tich")
    assert new is not None
    assert "2 ngày mỗi tháng" in new.answer


def test_identical_questions_of_two_entries_collide() -> None:
    kb = KnowledgeBase(
        (entry("a", "Đăng ký khai sinh ở đâu?"), entry("b", "dang ky khai sinh o dau"))
    )
    problems = check_knowledge_base(kb)
    assert any("b:" in problem and "a" in problem for problem in problems)


def test_nearly_identical_questions_collide() -> None:
    kb = KnowledgeBase(
        (
            entry("a", "thủ tục đăng ký thường trú cho con"),
            entry("b", "thủ tục đăng ký thường trú cho con."),
            entry("c", "thu tuc dang ky thuong tru cho cn"),
        )
    )
    assert len([p for p in check_knowledge_base(kb) if "nearly" in p or "same" in p]) >= 2


def test_entries_in_force_at_different_times_may_share_questions() -> None:
    kb = KnowledgeBase(
        (
            entry("old", "lịch tiếp dân", effective_until=date(2026, 7, 1)),
            entry("new", "lịch tiếp dân", effective_from=date(2026, 7, 1)),
        )
    )
    assert check_knowledge_base(kb) == []


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (entry("x", answer=" "), "empty answer"),
        (entry("x", legal_basis="", source=""), "legal_basis or a source"),
        (entry("x", office="UBND"), "unknown office"),
        (entry("x", follow_ups=("missing",)), "does not exist"),
        (entry("x", answer="{{ commune.secret }}"), "commune.secret"),
        (entry("x", answer="{{ password }}"), "password"),
        (entry("x", answer="{% if %}"), "not a valid template"),
        (entry("x", topic="no_such_topic"), "unknown topic"),
    ],
)
def test_check_reports_problems(bad: FaqEntry, expected: str) -> None:
    problems = check_knowledge_base(KnowledgeBase((bad,)))
    assert any(expected in problem for problem in problems), problems


def test_duplicate_ids_are_reported() -> None:
    problems = check_knowledge_base(KnowledgeBase((entry("a", "một"), entry("a", "hai"))))
    assert any("duplicate id" in problem for problem in problems)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_field_names_file_and_entry(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.toml", '[[entry]]\nid = "khai_sinh"\ntitle = "x"\n')
    with pytest.raises(KnowledgeBaseError, match=r"bad\.toml.*khai_sinh.*missing"):
        load_knowledge_base([bad])


def test_invalid_toml_names_file(tmp_path: Path) -> None:
    bad = write(tmp_path / "broken.toml", "[[entry]\nid = ")
    with pytest.raises(KnowledgeBaseError, match=r"broken\.toml"):
        load_knowledge_base([bad])


def test_wrong_type_is_reported(tmp_path: Path) -> None:
    bad = write(
        tmp_path / "typed.toml",
        '[[entry]]\nid = "a"\ntitle = "t"\nquestions = "one"\nanswer = "x"\noffice = "VP"\n',
    )
    with pytest.raises(KnowledgeBaseError, match=r"typed\.toml.*entry a.*questions"):
        load_knowledge_base([bad])


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="no such file"):
        load_knowledge_base([tmp_path / "nope"])


def test_commune_directory_overrides_bundled_entry(tmp_path: Path) -> None:
    own = tmp_path / "commune"
    own.mkdir()
    write(
        own / "local.toml",
        '[[entry]]\nid = "dia_chi_gio_lam_viec"\ntitle = "Địa chỉ"\n'
        'questions = ["xã mình ở chỗ nào"]\nanswer = "Dạ, ở đầu làng."\n'
        'office = "VP"\nsource = "UBND xã"\n',
    )
    bundled = load_knowledge_base()
    merged = load_knowledge_base([Path("faq/data"), own])
    assert len(merged.entries) == len(bundled.entries)
    overridden = merged.get("dia_chi_gio_lam_viec")
    assert overridden is not None
    assert overridden.answer == "Dạ, ở đầu làng."


def test_a_misnamed_table_is_refused_not_ignored() -> None:
    with pytest.raises(KnowledgeBaseError, match=r"x\.toml: unknown top-level key\(s\) entries"):
        parse_entries('[[entries]]\nid = "a"\n', "x.toml")
