"""Regression: the bundled corpus/manifest.yml names each plan under 'file' and carries the cited
documents as lists; bulk read it as having no paths (and lists would not fit a Parquet column)."""
from pathlib import Path

from service.bulk.inputs import read_manifest

REPO = Path(__file__).resolve().parents[2]


def test_regression_manifest_file_key_and_scalar_labels():
    corpus = read_manifest(REPO / "corpus" / "manifest.yml")
    assert len(corpus.files) == 5
    assert all(f.path.exists() for f in corpus.files)
    for f in corpus.files:
        assert all(isinstance(v, (str, int, float, bool)) for v in f.labels.values()), f.labels
    communes = {f.labels.get("commune") for f in corpus.files}
    assert {"Long Mỹ", "Trần Liễu", "Bình Giang", "Gia Phúc"} <= communes
