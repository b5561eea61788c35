"""notebooks/corpus_analysis.ipynb runs top to bottom on the bundled corpus (nbclient)."""
from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "corpus_analysis.ipynb"


@pytest.mark.slow
def test_corpus_analysis_notebook_runs_top_to_bottom(tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("PLANGAP_NOTEBOOK_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("PLANGAP_CORPUS", raising=False)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = {i: cell.get("outputs", []) for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"}
    errors = [o for cell_outputs in outputs.values() for o in cell_outputs if o.get("output_type") == "error"]
    assert not errors
    text = "\n".join(o.get("text", "") for cell_outputs in outputs.values() for o in cell_outputs)
    assert "5 tệp: 5 đã phân tích, 0 lỗi" in text
    images = [o for cell_outputs in outputs.values() for o in cell_outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 2                  # flags by type, coverage heatmap
    html = "\n".join(o.get("data", {}).get("text/html", "") for cell_outputs in outputs.values() for o in cell_outputs)
    assert "chỉ tiêu cấp trên" in html       # the weak / missing target tables
    assert (tmp_path / "data" / "bulk-out" / "documents.parquet").exists()
