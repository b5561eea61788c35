"""Unpack an uploaded corpus zip safely.

Refused: more entries than ``max_entries``; names that are absolute, climb out ('..'), carry a
drive letter or NUL; symbolic links; encrypted entries; an entry larger than ``max_file_bytes`` or
compressed more than ``max_ratio`` times (zip bombs); more than ``max_total_bytes`` in all. Sizes
are counted on the bytes actually inflated, not on what the zip's headers claim. Folders, hidden
files and __MACOSX are skipped; the files keep their relative paths under ``dest``."""
from __future__ import annotations

import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from service.bulk.inputs import BulkInputError

CHUNK = 1 << 16


@dataclass(frozen=True)
class ZipLimits:
    max_entries: int = 5000
    max_file_bytes: int = 50 * 1024 * 1024
    max_total_bytes: int = 1024 * 1024 * 1024
    max_ratio: float = 200.0          # inflated / compressed; text compresses ~10x, bombs ~1000x
    ratio_floor_bytes: int = 1024 * 1024   # below this inflated size, any ratio is fine


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB"


def _safe_relative(name: str) -> PurePosixPath:
    cleaned = name.replace("\\", "/")
    path = PurePosixPath(cleaned)
    if "\x00" in cleaned or cleaned.startswith("/") or (len(cleaned) > 1 and cleaned[1] == ":") \
            or any(part == ".." for part in path.parts):
        raise BulkInputError(f"Tệp nén chứa đường dẫn không an toàn: {name!r}", "unsafe_path")
    return path


def _skipped(path: PurePosixPath, info: zipfile.ZipInfo) -> bool:
    return info.is_dir() or any(part.startswith(".") or part == "__MACOSX" for part in path.parts)


def extract_zip(archive: Path, dest: Path, limits: ZipLimits = ZipLimits()) -> list[Path]:
    """Unpack ``archive`` into ``dest`` (created); returns the files written. On any violation the
    partial output is removed and BulkInputError (code too_large / zip_bomb / unsafe_path / bad_zip) raised."""
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
            if len(infos) > limits.max_entries:
                raise BulkInputError(f"Tệp nén có quá nhiều mục ({len(infos)} > {limits.max_entries})", "too_large")
            dest.mkdir(parents=True, exist_ok=True)
            written: list[Path] = []
            total = 0
            try:
                for info in infos:
                    relative = _safe_relative(info.filename)
                    if _skipped(relative, info):
                        continue
                    if stat.S_ISLNK(info.external_attr >> 16):
                        raise BulkInputError(f"Tệp nén chứa liên kết tượng trưng: {info.filename!r}", "unsafe_path")
                    if info.flag_bits & 0x1:
                        raise BulkInputError(f"Tệp nén có mục được mã hóa: {info.filename!r}", "encrypted")
                    target = dest.joinpath(*relative.parts)
                    if not target.resolve().is_relative_to(dest.resolve()):
                        raise BulkInputError(f"Tệp nén chứa đường dẫn không an toàn: {info.filename!r}", "unsafe_path")
                    total += _extract_member(zf, info, target, limits, total)
                    written.append(target)
            except BaseException:
                shutil.rmtree(dest, ignore_errors=True)
                raise
            return written
    except zipfile.BadZipFile as exc:
        raise BulkInputError("Tệp tải lên không phải tệp nén ZIP hợp lệ (hỏng hoặc không trọn vẹn)", "bad_zip") from exc


def _extract_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, limits: ZipLimits, total: int) -> int:
    """Inflate one member while counting; returns its size."""
    if info.file_size > limits.max_file_bytes:
        raise BulkInputError(f"Tệp {info.filename} trong tệp nén quá lớn ({_mb(info.file_size)} > "
                             f"{_mb(limits.max_file_bytes)})", "too_large")
    target.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    compressed = max(1, info.compress_size)
    with zf.open(info) as source, open(target, "wb") as sink:
        while chunk := source.read(CHUNK):
            size += len(chunk)
            if size > limits.max_file_bytes:
                raise BulkInputError(f"Tệp {info.filename} trong tệp nén quá lớn (> {_mb(limits.max_file_bytes)})",
                                     "too_large")
            if size > limits.ratio_floor_bytes and size / compressed > limits.max_ratio:
                raise BulkInputError(f"Tệp {info.filename} bị nén bất thường (tỉ lệ > {limits.max_ratio:g}:1), "
                                     "nghi là bom nén", "zip_bomb")
            if total + size > limits.max_total_bytes:
                raise BulkInputError(f"Tệp nén giải ra quá lớn (> {_mb(limits.max_total_bytes)})", "too_large")
            sink.write(chunk)
    return size
