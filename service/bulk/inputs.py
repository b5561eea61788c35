"""What a bulk run reads: every document file under a folder, or the files a manifest lists.

A manifest is a YAML file (corpus/manifest.yml)::

    plans:
      - plans/000_d8b9d199b3bc2332.txt            # a path, relative to the manifest's folder
      - path: plans/001_a9e7f9238c935776.txt
        commune: Phường A                         # any other keys are kept as the document's labels
        province: Tỉnh B

Folders are walked recursively in a stable order; hidden files and folders and files whose suffix
is not a document suffix (images, spreadsheets, the manifest itself...) are left out and counted.
A file with a document suffix is always read, so a PNG named .pdf is reported, not skipped.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from nlp.errors import PlangapError

DOCUMENT_SUFFIXES = {".pdf", ".docx", ".md", ".markdown", ".txt"}
MANIFEST_SUFFIXES = {".yml", ".yaml"}


class BulkInputError(PlangapError):
    """The corpus itself cannot be read (not a per-document failure)."""

    code = "bulk_input"


@dataclass(frozen=True)
class InputFile:
    path: Path                          # where to read it
    name: str                           # how to show it: the path relative to the corpus root
    labels: dict = field(default_factory=dict, hash=False, compare=False)   # manifest keys (commune...)


@dataclass
class Corpus:
    root: Path
    files: list[InputFile]
    ignored: list[str] = field(default_factory=list)    # names left out (not a document suffix)


def is_manifest(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in MANIFEST_SUFFIXES


def discover(path: str | Path) -> Corpus:
    """The documents of a folder, or of a manifest file, or a single document file."""
    path = Path(path)
    if not path.exists():
        raise BulkInputError(f"Không tìm thấy thư mục hoặc tệp: {path}", "not_found")
    if is_manifest(path):
        return read_manifest(path)
    if path.is_file():
        return Corpus(root=path.parent, files=[InputFile(path, path.name)])
    return walk_folder(path)


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") or part == "__MACOSX" for part in relative.parts)


def walk_folder(root: Path) -> Corpus:
    files, ignored = [], []
    for candidate in sorted(root.rglob("*")):
        relative = candidate.relative_to(root)
        if _hidden(relative) or not candidate.is_file():
            continue
        if candidate.suffix.lower() in DOCUMENT_SUFFIXES:
            files.append(InputFile(candidate, relative.as_posix()))
        else:
            ignored.append(relative.as_posix())
    return Corpus(root=root, files=files, ignored=ignored)


def read_manifest(manifest: Path) -> Corpus:
    try:
        data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise BulkInputError(f"Không đọc được tệp danh sách {manifest.name}: sai cú pháp YAML hoặc không đọc được tệp",
                             "bad_manifest") from exc
    entries = data.get("plans") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise BulkInputError(f"Tệp danh sách {manifest.name} phải có mục 'plans:' là một danh sách tệp", "bad_manifest")
    root = manifest.parent
    files = []
    for number, entry in enumerate(entries, start=1):
        labels = dict(entry) if isinstance(entry, dict) else {}
        # corpus/manifest.yml names the file 'file' and carries lists (cited documents): keep scalars as columns
        relative = (labels.pop("path", None) or labels.pop("file", None)) if isinstance(entry, dict) else entry
        labels = {k: v for k, v in labels.items() if isinstance(v, (str, int, float, bool))}
        if "commune" not in labels and labels.get("locality"):
            labels["commune"] = labels["locality"]
        if not isinstance(relative, str) or not relative.strip():
            raise BulkInputError(f"Mục thứ {number} của {manifest.name} không có đường dẫn tệp", "bad_manifest")
        # a missing listed file is that document's failure, reported with the others
        files.append(InputFile(root / relative, relative, {k: v for k, v in labels.items() if v is not None}))
    return Corpus(root=root, files=files)
