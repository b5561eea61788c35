"""OCR of page pictures with Tesseract (Debian packages tesseract-ocr + tesseract-ocr-vie).

One page at a time: the picture is turned grey, deskewed (the angle whose row profile is sharpest),
its ruling lines found (long dark runs, so a ruled table keeps its grid) and handed to the
``tesseract`` program, whose TSV answer gives every word with its box and confidence. Words are
grouped into lines the way Tesseract grouped them; the PDF reader lays those lines out exactly as it
lays out the lines of a text PDF.

Tesseract is run as a program (not a library binding): it gets its own time limit, runs one thread
(OMP_THREAD_LIMIT=1: the sandbox is one job among several on a small machine) and dies with us.
"""
from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from statistics import mean
from typing import Optional

from nlp.errors import IngestError

LANGUAGE = os.environ.get("PLANGAP_OCR_LANG", "vie")
OCR_DPI = int(os.environ.get("PLANGAP_OCR_DPI", "300"))
DESKEW_MAX_DEGREES = 3.0
DESKEW_STEP = 0.1
# Tesseract page segmentation 4 ('one column of text of variable sizes'): keeps a numbering label and
# a list dash on the line of their text (mode 3 splits them off as blocks of their own) and a table
# row on one line; the layout code then splits table rows into cells by the ruling.
PAGE_SEGMENTATION = "4"
_INK = 150                       # grey level under which a pixel is ink (0 black, 255 white)


@dataclass
class OcrWord:
    text: str
    x0: float                    # pixels of the deskewed picture, y downwards
    top: float
    x1: float
    bottom: float
    conf: float                  # 0..1


@dataclass
class OcrLine:
    words: list[OcrWord]
    block: int                   # Tesseract's block number: lines of one block belong together
    bullet: bool = False         # a dash drawn left of the line that Tesseract did not read

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def conf(self) -> float:
        return mean(w.conf for w in self.words)


@dataclass
class Ruling:
    horizontal: list[tuple[float, float, float]] = field(default_factory=list)   # (x0, x1, y)
    vertical: list[tuple[float, float, float]] = field(default_factory=list)     # (y0, y1, x)


@dataclass
class OcrPage:
    width: int                   # pixels
    height: int
    dpi: float
    angle: float                 # degrees the scan was turned back by
    lines: list[OcrLine]
    ruling: Ruling
    seconds: dict = field(default_factory=dict)    # where the page's time went: clean-up, tesseract


def tesseract_path() -> Optional[str]:
    return shutil.which("tesseract")


def ocr_available() -> bool:
    return tesseract_path() is not None


# ---------------------------------------------------------------- picture clean-up


def to_grey(image):
    """Grey picture; a red stamp is turned light (its red channel is bright), black ink stays black."""
    if image.mode in ("L", "1"):
        return image.convert("L")
    red, _, _ = image.convert("RGB").split()
    return red                   # the red channel: black text dark, red seal ink near white


def skew_angle(grey) -> float:
    """Angle (degrees) that makes text rows horizontal: the one maximising the variance of the
    row-ink profile of a reduced picture; coarse steps of 0.5 degree, then DESKEW_STEP around the best."""
    import numpy as np
    from PIL import Image

    small = grey.reduce(max(1, grey.width // 800))
    ink = Image.fromarray(((np.asarray(small) < _INK) * 255).astype("uint8"))

    def score(angle: float) -> float:
        profile = np.asarray(ink.rotate(angle, resample=Image.NEAREST)).sum(axis=1, dtype=np.float64)
        return float(np.var(profile))

    coarse = [k * 0.5 for k in range(-int(DESKEW_MAX_DEGREES * 2), int(DESKEW_MAX_DEGREES * 2) + 1)]
    centre = max(coarse, key=score)
    fine = [centre + k * DESKEW_STEP for k in range(-4, 5)]
    return round(max(fine, key=score), 2)


def deskew(grey):
    from PIL import Image

    angle = skew_angle(grey)
    if abs(angle) < DESKEW_STEP / 2:
        return grey, 0.0
    return grey.rotate(angle, resample=Image.BICUBIC, fillcolor=255), angle


def find_ruling(grey, dpi: float) -> Ruling:
    """Long straight dark runs: table borders. A horizontal rule is at least 1/3 inch long."""
    import numpy as np

    ink = np.asarray(grey) < _INK
    min_len = int(dpi / 3)
    ruling = Ruling()
    ruling.horizontal = _runs(ink, min_len)
    ruling.vertical = _runs(ink.T, min_len)
    return ruling


def _runs(ink, min_len: int) -> list[tuple[float, float, float]]:
    """Per row of ``ink``: dark runs of at least ``min_len`` pixels, rows one pixel apart merged."""
    import numpy as np

    found: list[list[float]] = []          # [start, end, first_row, last_row]
    padded = np.zeros((ink.shape[0], ink.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = ink
    edges = np.diff(padded, axis=1)
    # rows holding a run of min_len dark pixels (a window of min_len all dark), found for all rows at
    # once; text rows have plenty of ink but no such run, so the loop below sees only the rules
    counts = np.cumsum(ink, axis=1, dtype=np.int32)
    windows = counts[:, min_len - 1:] - np.concatenate(
        (np.zeros((ink.shape[0], 1), dtype=np.int32), counts[:, :-min_len]), axis=1)
    candidate_rows = np.nonzero((windows >= min_len).any(axis=1))[0]
    open_runs: list[list[float]] = []
    for row in candidate_rows:
        starts = np.nonzero(edges[row] == 1)[0]
        ends = np.nonzero(edges[row] == -1)[0]
        long = [(s, e) for s, e in zip(starts, ends) if e - s >= min_len]
        still_open = []
        for s, e in long:
            match = next((r for r in open_runs if r[3] >= row - 2 and abs(r[0] - s) < 6 and abs(r[1] - e) < 6), None)
            if match:
                match[0], match[1], match[3] = min(match[0], s), max(match[1], e), row
                still_open.append(match)
            else:
                run = [float(s), float(e), row, row]
                found.append(run)
                still_open.append(run)
        open_runs = still_open + [r for r in open_runs if r[3] >= row - 2 and r not in still_open]
    return [(r[0], r[1], (r[2] + r[3]) / 2) for r in found if r[3] - r[2] < 12]   # thick = a black area


# ---------------------------------------------------------------- Tesseract


def run_tesseract(grey, *, timeout_s: float, source: str, page: int) -> list[OcrLine]:
    """Words of one page from Tesseract's TSV output, grouped into its lines."""
    program = tesseract_path()
    if program is None:
        raise IngestError("Máy chủ chưa cài chương trình nhận dạng ký tự (Tesseract OCR), không đọc được "
                          f"trang ảnh quét của «{source}».", "ocr_unavailable")
    picture = io.BytesIO()
    grey.save(picture, "PNG")
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    cmd = [program, "stdin", "stdout", "-l", LANGUAGE, "--dpi", str(OCR_DPI), "--psm", PAGE_SEGMENTATION,
           "-c", "preserve_interword_spaces=0", "tsv"]
    try:
        # preexec_fn is only safe in a single-threaded process (the sandbox child is one)
        single = threading.active_count() == 1
        done = subprocess.run(cmd, input=picture.getvalue(), capture_output=True, timeout=max(timeout_s, 1),
                              env=env, preexec_fn=die_with_parent if single else None)
    except subprocess.TimeoutExpired:
        raise ocr_timeout(source, page, timeout_s) from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise IngestError(f"Nhận dạng ký tự (OCR) trang {page} của «{source}» bị lỗi: {detail[0][:200]}",
                          "ocr_failed")
    return parse_tsv(done.stdout.decode("utf-8", "replace"))


def ocr_timeout(source: str, page: int, limit_s: float) -> IngestError:
    return IngestError(f"Nhận dạng ký tự (OCR) «{source}» quá thời gian cho phép ({limit_s:g} giây, dừng ở trang "
                       f"{page}); hãy tải lên bản có lớp văn bản (DOCX/PDF gốc) hoặc tách tệp thành nhiều phần.",
                       "ocr_timeout")


def parse_tsv(tsv: str) -> list[OcrLine]:
    lines: dict[tuple, OcrLine] = {}
    reader = csv.reader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    next(reader, None)
    for row in reader:
        if len(row) < 12 or row[0] != "5":
            continue
        text = row[11].strip()
        conf = float(row[10])
        if not text or conf < 0:
            continue
        left, top, width, height = (int(v) for v in row[6:10])
        key = (int(row[2]), int(row[3]), int(row[4]))
        word = OcrWord(text=text, x0=left, top=top, x1=left + width, bottom=top + height, conf=conf / 100)
        lines.setdefault(key, OcrLine(words=[], block=key[0])).words.append(word)
    return list(lines.values())


def ocr_page(image, dpi: float, *, timeout_s: float, source: str, page: int) -> OcrPage:
    started = time.perf_counter()
    grey = to_grey(image)
    grey, angle = deskew(grey)
    ruling = find_ruling(grey, dpi)
    cleaned = time.perf_counter()
    lines = run_tesseract(grey, timeout_s=timeout_s, source=source, page=page)
    recognised = time.perf_counter()
    mark_bullets(grey, lines, dpi)
    seconds = {"clean_up": cleaned - started, "tesseract": recognised - cleaned,
               "bullets": time.perf_counter() - recognised}
    return OcrPage(width=grey.width, height=grey.height, dpi=dpi, angle=angle, lines=lines, ruling=ruling,
                   seconds=seconds)


def mark_bullets(grey, lines: list[OcrLine], dpi: float) -> None:
    """Tesseract often drops a list dash standing apart from its text. Look left of each line: one
    short horizontal stroke at mid-line height, alone in that margin, is a bullet."""
    import numpy as np

    ink = np.asarray(grey) < _INK
    for line in lines:
        if line.words[0].text[:1] in "-–—+•":
            continue
        height = line.bottom - line.top
        x1 = int(line.x0) - 2
        x0 = max(0, x1 - int(0.3 * dpi))
        region = ink[int(line.top):int(line.bottom) + 1, x0:x1]
        if region.size == 0 or not region.any():
            continue
        runs = np.array([_longest_run(row) for row in region])
        stroke_rows = np.nonzero(runs >= 0.025 * dpi)[0]       # specks are shorter than a dash
        if not len(stroke_rows):
            continue
        thick = stroke_rows[-1] - stroke_rows[0] + 1
        middle = (stroke_rows[0] + stroke_rows[-1]) / 2
        line.bullet = bool(thick <= 0.3 * height and 0.3 * height <= middle <= 0.85 * height
                           and runs.max() <= 0.12 * dpi)


def _longest_run(row) -> int:
    import numpy as np

    if not row.any():
        return 0
    edges = np.diff(np.concatenate(([0], row.astype(np.int8), [0])))
    starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
    return int((ends - starts).max())


# ---------------------------------------------------------------- process hygiene


def die_with_parent() -> None:
    """In a child between fork and exec: ask the kernel to kill it when its parent dies (Linux)."""
    import ctypes
    import signal
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)       # PR_SET_PDEATHSIG
    except (OSError, AttributeError):                      # not Linux: the parent's kill still applies
        pass
