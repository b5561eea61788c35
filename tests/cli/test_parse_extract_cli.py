"""`python -m service parse FILE [--json]` and `python -m service extract FILE... --out DIR`
(service/cli/parse.py, service/cli/extract.py)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from service.cli import main

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus" / "plans"
PLAN_002 = next(CORPUS.glob("002_*.txt"))
PLAN_001 = next(CORPUS.glob("001_*.txt"))
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "service", *args], cwd=REPO, capture_output=True, text=True, timeout=300)


# ------------------------------------------------------------------ parse


def test_parse_prints_the_tree(capsys):
    assert main(["parse", str(PLAN_002), "--no-sandbox"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith(f"{PLAN_002.name}: text, ") and "chars" in lines[0]
    by_label = {line.split()[0]: line for line in lines[1:] if line.strip() and not line.startswith("-")
                and not line.strip().startswith("-")}
    assert "[purpose]" in by_label["I"] and "MỤC ĐÍCH, YÊU CẦU" in by_label["I"]
    assert "[tasks]" in by_label["III"] and "[organisation]" in by_label["V"]
    assert "[appendix_tasks]" in by_label["PL3"]
    assert "(7 table_row)" in by_label["PL3.I"] and "(14 table_row)" in by_label["PL3.V"]
    assert "(6 numbered)" in by_label["III.1"]
    assert any("[recipients] Nơi nhận" in line for line in lines)
    # children indented under their parent
    pl3_i = next(line for line in lines if line.lstrip().startswith("PL3.I "))
    assert pl3_i.startswith("  ")


def test_parse_json_gives_sections_with_spans(capsys):
    assert main(["parse", str(PLAN_002), "--json", "--no-sandbox"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["source"] == PLAN_002.name and data["format"] == "text"
    assert "text" not in data
    sections = {s["path"]: s for s in data["sections"] if s["path"]}
    assert sections["III"]["type"] == "tasks"
    assert sections["III"]["span"]["start"] < sections["III"]["span"]["end"]
    pl3 = sections["PL3"]
    group = pl3["children"][0]
    row = group["items"][0]
    assert row["kind"] == "table_row" and row["roles"] == ["number", "task", "lead", "support", "deadline"]
    text = PLAN_002.read_text(encoding="utf-8")
    assert row["span"]["end"] > row["span"]["start"] and len(text) > 0


def test_parse_sandboxed_markdown():
    result = run_cli("parse", str(PLAN_001))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{PLAN_001.name}: markdown")
    assert "[organisation] TỔ CHỨC THỰC HIỆN" in result.stdout


# ------------------------------------------------------------------ extract


def test_extract_writes_one_json_per_input(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["extract", str(PLAN_001), str(PLAN_002), "--out", str(out), "--no-sandbox"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [PLAN_001.stem + ".json", PLAN_002.stem + ".json"]
    data = json.loads((out / f"{PLAN_002.stem}.json").read_text(encoding="utf-8"))
    assert {"doc_id", "document", "references", "tasks", "targets"} <= set(data)
    assert data["doc_id"] == PLAN_002.stem
    assert {"number", "issued", "issuer", "title"} <= set(data["document"])
    assert {"number", "date", "issuer"} <= set(data["references"][0])
    task = data["tasks"][0]
    assert {"id", "section", "text", "lead", "support", "deadline", "span"} <= set(task)
    assert data["text"][task["span"]["start"]:task["span"]["end"]]
    target = data["targets"][0]
    assert {"id", "section", "indicator", "comparator", "value", "value_max", "unit", "year", "lead", "raw", "span"} <= set(target)
    summary = capsys.readouterr().out
    assert f"{PLAN_002.name}: kế hoạch;" in summary and "nhiệm vụ" in summary and "chỉ tiêu" in summary


def test_extract_no_text(tmp_path):
    out = tmp_path / "out"
    assert main(["extract", str(PLAN_001), "--out", str(out), "--no-sandbox", "--no-text"]) == 0
    assert json.loads((out / f"{PLAN_001.stem}.json").read_text(encoding="utf-8"))["text"] is None


# ------------------------------------------------------------------ bad inputs


@pytest.fixture()
def bad_files(tmp_path) -> dict[str, Path]:
    files = {"empty": tmp_path / "rong.txt", "png": tmp_path / "anh.txt", "blank": tmp_path / "trang.md"}
    files["empty"].write_bytes(b"")
    files["png"].write_bytes(PNG)
    files["blank"].write_bytes(b"  \n\n \n")
    return files


@pytest.mark.parametrize("kind, code", [("empty", "empty"), ("png", "unsupported_type"), ("blank", "empty")])
@pytest.mark.parametrize("command", ["parse", "extract"])
def test_bad_file_fails_with_a_vietnamese_message(bad_files, tmp_path, kind, code, command):
    path = bad_files[kind]
    args = [command, str(path)] + (["--out", str(tmp_path / "out")] if command == "extract" else [])
    result = run_cli(*args)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert f"[{code}]" in result.stderr and path.name in result.stderr
    assert "Tệp" in result.stderr or "Không" in result.stderr
    if command == "extract":
        assert not (tmp_path / "out" / f"{path.stem}.json").exists()


@pytest.mark.parametrize("command", ["parse", "extract"])
def test_regression_missing_file_message_is_vietnamese(tmp_path, command):
    """A path that does not exist reaches the user as Python's English OSError text
    ('[Errno 2] No such file or directory'); ingest_path has the Vietnamese 'Không tìm thấy tệp'."""
    missing = tmp_path / "khong-co.txt"
    args = [command, str(missing)] + (["--out", str(tmp_path / "out")] if command == "extract" else [])
    result = run_cli(*args)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "No such file" not in result.stderr
    assert "Không tìm thấy tệp" in result.stderr
