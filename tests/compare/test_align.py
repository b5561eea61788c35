"""The Aligner estimator and its measured quality on the labelled sample."""
from __future__ import annotations

import subprocess
import sys

import numpy as np

from nlp.compare.align import Aligner, normalise_text


def test_aligner_follows_estimator_conventions():
    aligner = Aligner(threshold=0.5)
    assert aligner.threshold == 0.5 and not hasattr(aligner, "parent_words_")
    parents = ["Triển khai hạ tầng 5G trong khu công nghiệp", "Số hóa hồ sơ thủ tục hành chính", "Hợp tác quốc tế về công nghệ"]
    assert aligner.fit(parents) is aligner and aligner.n_parents_ == 3
    scores = aligner.score(["Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính", "Trồng cây xanh ven đường"])
    assert scores.shape == (2, 3) and np.all((scores >= 0) & (scores <= 1))
    assert aligner.assign(["Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính"])[0][0] == 1
    best, score = aligner.assign(["Trồng cây xanh ven đường"])[0]
    assert best is None and score < 0.5


def test_abbreviations_are_written_out():
    assert normalise_text("Ứng dụng KHCN, ĐMST và CĐS") == "ứng dụng khoa học công nghệ, đổi mới sáng tạo và chuyển đổi số"


def test_alignment_quality_on_labelled_sample(repo, shared):
    out = subprocess.run([sys.executable, "bench/alignment_eval.py", "--shared", str(shared)], cwd=repo,
                         capture_output=True, text=True, check=True).stdout
    figures = {}
    kind = None
    for line in out.splitlines():
        if line.startswith("== "):
            kind = line.split()[1]
        if line.startswith("configured threshold"):
            figures[kind] = float(line.split("F1")[1])
    assert figures["task"] >= 0.6 and figures["target"] >= 0.8, out
