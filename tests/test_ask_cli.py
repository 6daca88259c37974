"""`danvan ask --json` and `danvan faq check` as a script would call them."""

from __future__ import annotations

import json
from pathlib import Path

from faq.knowledge import load_knowledge_base
from tests.support.cli import ROOT, cli


def test_ask_one_message(tmp_path: Path) -> None:
    result = cli(tmp_path, "ask", "--json", "lam giay khai sinh cho con can gi")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert set(answer) == {
        "intent",
        "faq_id",
        "answer",
        "suggestions",
        "topic",
        "office",
        "confidence",
    }
    assert answer["intent"] == "faq"
    assert answer["faq_id"] == "khai_sinh"
    assert "60 ngày" in answer["answer"]
    assert "<b>" not in answer["answer"]
    assert 0 <= answer["confidence"] <= 1
    assert not (tmp_path / "data").exists()  # nothing stored


def test_ask_reads_lines_in_order(tmp_path: Path) -> None:
    lines = ["den duong thon 3 hong roi", "chay nha o xom tren cuu voi", "cam on nhieu", "abc xyz"]
    result = cli(tmp_path, "ask", "--json", "-", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["intent"] for a in answers] == ["report", "emergency", "greeting", "unknown"]
    assert answers[0]["office"] == "KT"
    assert "114" in answers[1]["answer"]
    assert all(a["office"] for a in answers)


def test_faq_check_passes_on_the_shipped_base(tmp_path: Path) -> None:
    result = cli(tmp_path, "faq", "check")
    assert result.returncode == 0, result.stdout
    assert "0 problem(s)" in result.stderr
    # issue 16 #20: it says how much it checked (every bundled entry)
    entries = len(load_knowledge_base().entries)
    assert f"knowledge base: {entries} entries, 0 problem(s)" in result.stderr


def test_faq_check_reports_a_broken_commune_entry(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "local.toml").write_text(
        '[[entry]]\nid = "khai_sinh"\ntitle = "Khai sinh"\nquestions = ["khai sinh"]\n'
        'answer = "{{ commune.mayor }}"\noffice = "VP"\nlegal_basis = "x"\n',
        encoding="utf-8",
    )
    example = (ROOT / "config.example.toml").read_text("utf-8")
    config = tmp_path / "config.toml"
    config.write_text(example.replace("knowledge_dirs = []", 'knowledge_dirs = ["kb"]'), "utf-8")
    result = cli(tmp_path, "faq", "check")
    assert result.returncode == 1
    assert "khai_sinh" in result.stdout
    assert "mayor" in result.stdout


def test_ask_takes_the_config_after_the_command(tmp_path: Path) -> None:
    config = tmp_path / "xa.toml"
    example = (ROOT / "config.example.toml").read_text("utf-8")
    config.write_text(example.replace('chieu_sang = "KT"', 'chieu_sang = "CA"'), "utf-8")
    result = cli(tmp_path, "ask", "--config", str(config), "--json", "den duong thon 3 hong")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["office"] == "CA"  # the file's routing was used


def _deployment(tmp_path: Path, files: dict[str, str]) -> None:
    """A config whose knowledge_dirs is one deployment folder holding these files."""
    for name, text in files.items():
        path = tmp_path / "kb" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    example = (ROOT / "config.example.toml").read_text("utf-8")
    config = tmp_path / "config.toml"
    config.write_text(example.replace("knowledge_dirs = []", 'knowledge_dirs = ["kb"]'), "utf-8")


def test_faq_check_reports_a_deployment_phrase_not_in_normalised_form(tmp_path: Path) -> None:
    _deployment(tmp_path, {"lexicons/problems.toml": 'phrases = ["Cột cờ nghiêng"]\n'})
    result = cli(tmp_path, "faq", "check")
    assert result.returncode == 1
    assert "kb/lexicons/problems.toml: phrases: 'Cột cờ nghiêng'" in result.stdout
    assert "normalises to 'cot co nghieng'" in result.stdout


def test_faq_check_reports_a_deployment_file_that_does_not_load(tmp_path: Path) -> None:
    _deployment(tmp_path, {"topics.toml": '[topics.cay_xanh.keywords]\n"cay" = 7\n'})
    result = cli(tmp_path, "faq", "check")
    assert result.returncode == 1
    assert "kb/topics.toml: topics.cay_xanh: keywords.'cay' = 7" in result.stdout
    assert "1 problem(s)" in result.stderr


def test_ask_routes_by_a_deployment_keyword(tmp_path: Path) -> None:
    text = "cột cờ ở sân vận động bị nghiêng"
    before = json.loads(cli(tmp_path, "ask", "--json", text).stdout)
    assert before["topic"] != "xay_dung"  # (the trained model's guess, whatever it is)
    _deployment(tmp_path, {"topics.toml": '[topics.xay_dung.keywords]\n"cot co" = 3\n'})
    result = cli(tmp_path, "ask", "--json", text)
    assert result.returncode == 0, result.stderr
    after = json.loads(result.stdout)
    assert (after["topic"], after["office"]) == ("xay_dung", "KT")
