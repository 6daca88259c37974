"""The word lists as data: loading, validation, a deployment's extension, and the check."""

from __future__ import annotations

from pathlib import Path

import pytest

from faq.check import check_lexicon
from faq.intent import is_emergency, requested_kind
from faq.knowledge import load_knowledge_base
from faq.lexicon import DATA_DIR, SCHEMA, LexiconError, bundled_lexicon, load_lexicon
from faq.topics import DEFAULT_ROUTING, TOPIC_KEYWORDS, TOPICS
from faq.understand import Intent, Understander


def _folder(tmp_path: Path, files: dict[str, str]) -> Path:
    """A deployment folder with these files (paths relative to it)."""
    folder = tmp_path / "deployment"
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def test_the_bundled_lists_load_and_pass_the_check() -> None:
    lexicon = bundled_lexicon()
    assert check_lexicon(lexicon) == []
    assert len(lexicon.topics) == len(TOPICS) == 30
    assert sum(len(keywords) for keywords in TOPIC_KEYWORDS.values()) >= 430
    assert lexicon.routing == DEFAULT_ROUTING
    for file, keys in SCHEMA.items():
        for key, spec in keys.items():
            if spec.by_word:
                assert lexicon.by_word(f"{file}.{key}"), (file, key)
            else:
                assert lexicon.phrases(f"{file}.{key}"), (file, key)


def test_without_a_deployment_folder_the_bundled_lexicon_is_shared(tmp_path: Path) -> None:
    single_file = tmp_path / "kb.toml"
    single_file.write_text("", encoding="utf-8")
    assert load_lexicon() is bundled_lexicon()
    assert load_lexicon([DATA_DIR, single_file]) is bundled_lexicon()


def test_the_knowledge_base_does_not_read_topics_toml_as_entries(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"topics.toml": '[topics.cay_xanh]\noffice = "VP"\n'})
    assert len(load_knowledge_base([folder])) == 0
    assert len(load_knowledge_base()) > 0


def test_a_deployment_keyword_changes_the_routing(tmp_path: Path) -> None:
    text = "cột cờ ở sân vận động bị nghiêng"
    kb = load_knowledge_base()
    bundled = Understander(kb).route(text, "phan_anh")
    assert bundled[0] != "xay_dung"
    folder = _folder(
        tmp_path, {"topics.toml": '[topics.xay_dung.keywords]\n"cot co" = 3\n"xay dung" = 1\n'}
    )
    lexicon = load_lexicon([folder])
    assert check_lexicon(lexicon) == []
    understander = Understander(kb, lexicon=lexicon)
    assert understander.route(text, "phan_anh") == ("xay_dung", "KT")
    # The bundled keywords stay, a repeated one takes the deployment's weight.
    keywords = lexicon.topics["xay_dung"].keywords
    assert set(TOPIC_KEYWORDS["xay_dung"]) < set(keywords)
    assert keywords["xay dung"] == 1
    assert TOPIC_KEYWORDS["xay_dung"]["xay dung"] == 2
    # The bundled lexicon is untouched.
    assert Understander(kb).route(text, "phan_anh") == bundled


def test_a_deployment_may_route_a_topic_to_another_office(tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        {"topics.toml": '[offices]\nDT = "Đội trật tự"\n\n[topics.cay_xanh]\noffice = "DT"\n'},
    )
    lexicon = load_lexicon([folder])
    assert lexicon.offices["DT"] == "Đội trật tự"
    understander = Understander(load_knowledge_base(), lexicon=lexicon)
    assert understander.route("cây đổ chắn ngang đường thôn 2", "phan_anh") == ("cay_xanh", "DT")
    assert understander.route("cây đổ chắn ngang đường thôn 2", "to_cao")[1] == "VP"


def test_a_deployment_phrase_extends_a_lexicon(tmp_path: Path) -> None:
    text = "giàn giáo công trình bên cạnh đổ ập xuống ngõ"
    assert not is_emergency(text)
    folder = _folder(
        tmp_path,
        {
            "lexicons/emergency.toml": 'phrases = ["gian giao"]\n',
            "lexicons/kinds.toml": 'to_cao = ["an hoi mon"]\n',
        },
    )
    lexicon = load_lexicon([folder])
    assert is_emergency(text, lexicon)
    understanding = Understander(load_knowledge_base(), lexicon=lexicon).understand(text)
    assert understanding.intent is Intent.EMERGENCY
    assert requested_kind("cán bộ ăn hối môn") == "phan_anh"
    assert requested_kind("cán bộ ăn hối môn", lexicon) == "to_cao"
    assert Understander(load_knowledge_base(), lexicon=lexicon).requested_kind("tố cáo") == "to_cao"
    assert "cuop" in lexicon.words("emergency.phrases")


def test_requested_kind_prefers_the_most_serious_kind() -> None:
    assert requested_kind("tôi muốn khiếu nại, tố cáo cán bộ xã") == "to_cao"
    assert requested_kind("xin khiếu nại quyết định thu hồi đất") == "khieu_nai"
    assert requested_kind("góp ý về lịch tiếp dân") == "kien_nghi"
    assert requested_kind("đèn đường hỏng") == "phan_anh"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"lexicons/emergency.toml": "phrases = [\n"}, "emergency.toml: invalid TOML"),
        ({"lexicons/emergency.toml": 'phrase = ["x"]\n'}, "emergency.toml: unknown key(s) phrase"),
        ({"lexicons/emergency.toml": 'phrases = "cuop"\n'}, "phrases must be an array of strings"),
        ({"lexicons/emergency.toml": 'phrases = ["  "]\n'}, "phrases holds an empty phrase"),
        ({"lexicons/emergency.toml": "phrases = [3]\n"}, "phrases must be an array of strings"),
        ({"lexicons/urgent.toml": 'phrases = ["x"]\n'}, "urgent.toml: unknown lexicon file"),
        ({"lexicons/abbreviations.toml": '[expansions]\nko = "co"\n'}, "cannot be changed"),
        ({"lexicons/names.toml": 'surnames = ["le"]\n'}, "names cannot be changed"),
        ({"lexicons/not_emergency.toml": 'next = ["x"]\n'}, "next must be a table"),
        ({"topics.toml": '[topics.cay_xanh.keywords]\n"cay" = 5\n'}, "weight must be 1, 2 or 3"),
        ({"topics.toml": '[topics.cay_xanh.keywords]\n"cay" = true\n'}, "weight must be 1, 2 or 3"),
        ({"topics.toml": '[topics.cay_xanh]\noffice = "XX"\n'}, "office 'XX' is not one of"),
        ({"topics.toml": '[topics.cay_xanh]\nlabel = "x"\n'}, "topics.cay_xanh: unknown key(s)"),
        ({"topics.toml": '[topics.ho_boi]\nname = "Hồ bơi"\n'}, "topics.ho_boi: unknown topic"),
        ({"topics.toml": "[routing]\n"}, "topics.toml: unknown key(s) routing"),
    ],
)
def test_a_bad_deployment_file_is_refused_naming_file_and_key(
    tmp_path: Path, files: dict[str, str], expected: str
) -> None:
    folder = _folder(tmp_path, files)
    with pytest.raises(LexiconError, match="deployment") as error:
        load_lexicon([folder])
    assert expected in str(error.value)


def test_a_missing_deployment_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="no such file or directory"):
        load_lexicon([tmp_path / "nope"])


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"lexicons/problems.toml": 'phrases = ["Đèn hỏng"]\n'},
            "problems.toml: phrases: 'Đèn hỏng' normalises to 'den hong'",
        ),
        (
            {"lexicons/problems.toml": 'phrases = ["den  hong"]\n'},
            "problems.toml: phrases: 'den  hong' normalises to 'den hong'",
        ),
        (
            {"lexicons/problems.toml": 'phrases = ["ko sang"]\n'},
            "'ko sang' normalises to 'khong sang'",
        ),
        (
            {"lexicons/problems.toml": 'phrases = ["den hu", "den hu"]\n'},
            "problems.toml: phrases: 'den hu' is listed twice",
        ),
        (
            {"lexicons/problems.toml": 'phrases = ["ngap ung"]\n'},
            "'ngap ung' is listed twice (also in ",
        ),
        (
            {"lexicons/problems.toml": 'phrases = ["nuoc ngap qua dau goi"]\n'},
            "has 5 words; a text is looked up 4 words at a time",
        ),
        (
            {"lexicons/greetings.toml": 'words = ["xin chao"]\n'},
            "greetings.toml: words: 'xin chao' has 2 word(s)",
        ),
        (
            {"lexicons/emergency.toml": 'words_with_marks = ["chay"]\n'},
            "words_with_marks: 'chay' has no diacritics",
        ),
        (
            {"lexicons/emergency.toml": 'words_with_marks = ["Cháy"]\n'},
            "'Cháy' write lower-case words with their diacritics",
        ),
        (
            {"lexicons/not_emergency.toml": '[next]\n"đánh" = ["thue"]\n'},
            "next.đánh: the key normalises to 'danh'",
        ),
        (
            {"topics.toml": '[topics.cay_xanh.keywords]\n"Cây đổ" = 3\n'},
            "topics.toml: topics.cay_xanh: keyword 'Cây đổ' normalises to 'cay do'",
        ),
        (
            {"topics.toml": '[topics.cay_xanh.keywords]\n"den duong" = 3\n'},
            "topics.cay_xanh: keyword 'den duong' is also a keyword of chieu_sang",
        ),
    ],
)
def test_the_check_names_file_list_and_phrase(
    tmp_path: Path, files: dict[str, str], expected: str
) -> None:
    problems = check_lexicon(load_lexicon([_folder(tmp_path, files)]))
    assert any(expected in problem for problem in problems), problems
    assert all("deployment" in problem for problem in problems), problems


def test_a_keyword_under_two_topics_with_other_weights_is_allowed() -> None:
    # "ban sao": a weak hint for hộ tịch (bản sao trích lục), a strong one for chứng thực.
    assert TOPIC_KEYWORDS["ho_tich"]["ban sao"] != TOPIC_KEYWORDS["chung_thuc"]["ban sao"]
    assert not [p for p in check_lexicon(bundled_lexicon()) if "ban sao" in p]
