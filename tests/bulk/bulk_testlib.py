"""Helpers for the bulk tests: a corpus folder mixing real plans and broken files, zips."""
from __future__ import annotations

import io
import shutil
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus" / "plans"
FIXTURES = REPO / "tests" / "fixtures"
if str(FIXTURES) not in sys.path:
    sys.path.insert(0, str(FIXTURES))

import docgen  # noqa: E402

def make_settings(data_dir: Path, **overrides):
    from service.config import Settings

    values = dict(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'plangap.db'}", workers=1,
                  token="test-admin-token-0123456789", secret_key="test-secret")
    values.update(overrides)
    return Settings(**values)


# the quicker of the five corpus plans: enough to show per-document results without a long test
PLAN_PREFIXES = ("001", "003", "004")
PNG_BYTES = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
             b"\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
BROKEN = {"rong.txt": "empty", "anh-chup.pdf": "unsupported_type", "cat-do.pdf": "corrupt"}


def corpus_plans(prefixes=PLAN_PREFIXES) -> list[Path]:
    return [p for p in sorted(CORPUS.glob("*.txt")) if p.name.startswith(tuple(prefixes))]


def truncated_pdf() -> bytes:
    """A real PDF cut in half: header present, body and xref gone."""
    data = docgen.simple_pdf(["KẾ HOẠCH thực hiện Nghị quyết số 57-NQ/TW", "I. MỤC ĐÍCH, YÊU CẦU"] * 20)
    return data[: len(data) // 2]


def mixed_corpus(root: Path, prefixes=PLAN_PREFIXES) -> Path:
    """Corpus plans (one in a sub-folder) + an empty file + a PNG named .pdf + a truncated PDF,
    plus things a run leaves out: a picture, a hidden file."""
    root.mkdir(parents=True, exist_ok=True)
    plans = corpus_plans(prefixes)
    for i, plan in enumerate(plans):
        target = root / ("xa" if i == 0 else "") / plan.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(plan, target)
    (root / "rong.txt").write_bytes(b"")
    (root / "anh-chup.pdf").write_bytes(PNG_BYTES)
    (root / "cat-do.pdf").write_bytes(truncated_pdf())
    (root / "so-do.png").write_bytes(PNG_BYTES)
    (root / ".ghi-chu.txt").write_text("không phải kế hoạch", encoding="utf-8")
    return root


def zip_bytes(members: dict[str, bytes], *, symlinks: tuple[str, ...] = ()) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if name in symlinks:
                info.external_attr = (0o120777 << 16)
            zf.writestr(info, data)
    return buf.getvalue()


def folder_zip(root: Path) -> bytes:
    return zip_bytes({p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()})
