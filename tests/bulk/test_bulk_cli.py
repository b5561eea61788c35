"""`python -m service bulk`: the command line over a small folder, in-process (--workers 0)."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from bulk_testlib import corpus_plans
from service.cli import main
from service.config import get_settings


@pytest.fixture
def data_env(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANGAP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


def test_bulk_command_runs_then_resumes(tmp_path, data_env, capsys):
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copyfile(corpus_plans()[0], folder / corpus_plans()[0].name)
    (folder / "rong.txt").write_bytes(b"")
    out = tmp_path / "out"
    argv = ["bulk", str(folder), "--out", str(out), "--workers", "0", "--no-progress"]

    assert main(argv) == 0
    first = capsys.readouterr().out
    assert "2 tệp: 1 đã phân tích, 1 lỗi; lần này xử lý 2" in first
    assert (data_env / "plangap.db").exists()               # the default SQLite under PLANGAP_DATA_DIR
    documents = pd.read_csv(out / "documents.csv")
    assert list(documents["status"]) == ["done", "failed"]

    assert main(argv) == 0
    assert "lần này xử lý 0, bỏ qua 2" in capsys.readouterr().out


def test_bulk_command_reports_a_missing_folder(tmp_path, data_env, capsys):
    assert main(["bulk", str(tmp_path / "khong-co"), "--out", str(tmp_path / "out"), "--no-progress"]) == 2
    assert "Không tìm thấy" in capsys.readouterr().err


def test_bulk_command_is_registered():
    from service.cli import build_parser

    args = build_parser().parse_args(["bulk", "corpus/plans", "--out", "x", "--scheduler", "tcp://10.0.0.1:8786"])
    assert (args.command, args.workers, args.scheduler) == ("bulk", 2, "tcp://10.0.0.1:8786")
