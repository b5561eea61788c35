"""PDF pages without a text layer, read by OCR and handed to the PDF reader as text lines.

``ScanReader`` is what the PDF reader calls for a page whose text layer is empty but which holds a
picture: the page is rendered (pypdfium2) at the resolution of its picture, OCR'd (nlp.ingest.ocr),
and its words come back as lines made of glyphs with the attributes pdfminer's own lines have
(x0, x1, y0, y1 in PDF points, y upwards; ``get_text``), and its ruling lines as pdfminer LTLine
objects, so that the layout code of a text PDF (tables, paragraphs, running headers) is the same.

Limits, checked before and during the work (clear Vietnamese errors): at most ``max_pages`` pages to
OCR (counted up front from pdfium's text layer, so a 400-page scan is refused at once) and
``timeout_s`` seconds for all of them. ``progress`` (optional) is called with
{"stage": "ocr", "page": n, "done": k, "total": t, "seconds": {render, clean_up, tesseract, ...}} before
and after each page (seconds: where the OCR time went so far).
"""
from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from typing import Callable, Optional

from nlp.errors import IngestError
from nlp.ingest import ocr

MAX_OCR_PAGES = int(os.environ.get("PLANGAP_OCR_MAX_PAGES", "50"))
OCR_TIMEOUT_S = float(os.environ.get("PLANGAP_OCR_TIMEOUT_S", "900"))
MIN_DPI, MAX_DPI = 150, 300
_NOISE_WORD = re.compile(r"^[_`~|\\¡¿‘’'\".,:;=^*°•·…]{1,3}$")   # speckle read as punctuation
_RULE_CHARS = re.compile(r"[|¦‖]")                                   # a table's vertical rule read as text
_DASH_WORD = re.compile(r"^[-–—][-–—_.,:]{0,3}$")     # '-', '--', '-_', '-..' (a dash and specks)
_LEADING_DASH = re.compile(r"^[-–—][-–—_]?(?=[^\d\W])")                # '-Các' : a bullet glued to its word

Progress = Callable[[dict], None]


class OcrGlyph:
    """One OCR'd word, shaped like pdfminer's LTChar for the layout code."""

    fontname = ""

    def __init__(self, text: str, x0: float, y0: float, x1: float, y1: float) -> None:
        self.text, self.x0, self.y0, self.x1, self.y1 = text, x0, y0, x1, y1
        self.size = y1 - y0

    def get_text(self) -> str:
        return self.text


class OcrSpace:
    """The space between two words (pdfminer's LTAnno)."""

    @staticmethod
    def get_text() -> str:
        return " "


class OcrTextLine(list):
    """One OCR'd line: glyphs and spaces, with a line's box and its mean word confidence."""

    def __init__(self, glyphs: list[OcrGlyph], conf: float) -> None:
        items: list = []
        for glyph in glyphs:
            if items:
                items.append(OcrSpace())
            items.append(glyph)
        super().__init__(items)
        self.conf = conf
        self.x0 = min(g.x0 for g in glyphs)
        self.x1 = max(g.x1 for g in glyphs)
        self.y0 = min(g.y0 for g in glyphs)
        self.y1 = max(g.y1 for g in glyphs)
        self.height = self.y1 - self.y0

    def get_text(self) -> str:
        return "".join(item.get_text() for item in self) + "\n"


@dataclass
class ScannedPage:
    boxed_lines: list          # [(box index, [OcrTextLine])]
    graphics: list             # pdfminer LTLine: the ruling found in the picture
    confidence: float          # mean word confidence of the page (0..1)


class ScanReader:
    def __init__(self, data: bytes, source: str, *, max_pages: int = MAX_OCR_PAGES,
                 timeout_s: float = OCR_TIMEOUT_S, progress: Optional[Progress] = None) -> None:
        self.data, self.source = data, source
        self.max_pages, self.timeout_s, self.progress = max_pages, timeout_s, progress
        self._pdf = None
        self._total: Optional[int] = None
        self._started = 0.0
        self.pages: list[int] = []
        self.seconds: dict[str, float] = {}          # summed over pages: render, clean_up, tesseract, ...

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None

    # -------------------------------------------------------------- limits and progress

    def _open(self) -> None:
        """On the first page to OCR: open the PDF with pdfium, count the pages without text, check limits."""
        import pypdfium2 as pdfium

        if not ocr.ocr_available():
            raise IngestError(
                f"PDF «{self.source}» có trang ảnh quét nhưng máy chủ chưa cài Tesseract OCR "
                "(gói tesseract-ocr, tesseract-ocr-vie); hãy tải lên bản DOCX/PDF có lớp văn bản.", "ocr_unavailable")
        self._pdf = pdfium.PdfDocument(self.data)
        self._total = sum(1 for index in range(len(self._pdf)) if _is_scanned(self._pdf[index]))
        if self._total > self.max_pages:
            raise IngestError(
                f"PDF «{self.source}» có {self._total} trang ảnh quét cần nhận dạng ký tự (OCR), vượt giới hạn "
                f"{self.max_pages} trang; hãy tách tệp hoặc tải lên bản có lớp văn bản.", "ocr_too_many_pages")
        self._started = time.monotonic()
        self._tell(page=None)

    def _tell(self, page: Optional[int]) -> None:
        if self.progress is not None:
            total = max(self._total or 0, len(self.pages))
            self.progress({"stage": "ocr", "page": page, "done": len(self.pages), "total": total,
                           "timeout_s": self.timeout_s, "seconds": {k: round(v, 3) for k, v in self.seconds.items()}})

    def _add_seconds(self, seconds: dict) -> None:
        for key, value in seconds.items():
            self.seconds[key] = self.seconds.get(key, 0.0) + value

    def _remaining(self, page: int) -> float:
        left = self.timeout_s - (time.monotonic() - self._started)
        if left <= 0:
            raise ocr.ocr_timeout(self.source, page, self.timeout_s)
        return left

    # -------------------------------------------------------------- one page

    def read(self, pdf_page, number: int, page, picture_dpi: float) -> ScannedPage:
        if self._pdf is None:
            self._open()
        if len(self.pages) >= self.max_pages:       # pdfium saw text where pdfminer found none
            raise IngestError(
                f"PDF «{self.source}» có hơn {self.max_pages} trang ảnh quét cần OCR, vượt giới hạn.",
                "ocr_too_many_pages")
        self._tell(page=number)
        dpi = min(max(picture_dpi or MAX_DPI, MIN_DPI), MAX_DPI)
        started = time.perf_counter()
        image = self._pdf[number - 1].render(scale=dpi / 72, grayscale=False).to_pil()
        self._add_seconds({"render": time.perf_counter() - started})
        scanned = ocr.ocr_page(image, dpi, timeout_s=self._remaining(number), source=self.source, page=number)
        self._add_seconds(scanned.seconds)
        self.pages.append(number)
        self._tell(page=number)
        return _to_pdf_space(scanned, page.height, page.width)


def _is_scanned(pdfium_page) -> bool:
    """A page the PDF reader will OCR: (almost) no text, and a picture."""
    import pypdfium2.raw as pdfium_c

    textpage = pdfium_page.get_textpage()
    try:
        if len(textpage.get_text_range().strip()) >= 20:
            return False
    finally:
        textpage.close()
    return any(True for _ in pdfium_page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=4))


def _to_pdf_space(scanned: ocr.OcrPage, height_pt: float, width_pt: float) -> ScannedPage:
    """Pixels (y down) of the rendered page -> PDF points (y up); noise words dropped, bullets kept."""
    sx = width_pt / scanned.width
    sy = height_pt / scanned.height

    def glyph(word: ocr.OcrWord) -> OcrGlyph:
        return OcrGlyph(word.text, word.x0 * sx, height_pt - word.bottom * sy, word.x1 * sx, height_pt - word.top * sy)

    confidences: list[float] = []
    text_lines: list[OcrTextLine] = []
    for line in scanned.lines:
        words = _clean_words(line.words)
        if not words:
            continue
        glyphs = [glyph(w) for w in words]
        if line.bullet and not _DASH_WORD.match(words[0].text):
            x = glyphs[0].x0 - 3
            glyphs.insert(0, OcrGlyph("-", x - 4, glyphs[0].y0, x, glyphs[0].y1))
        confidences.extend(w.conf for w in words)
        text_lines.append(OcrTextLine(glyphs, sum(w.conf for w in words) / len(words)))
    graphics = [_rule((x0 * sx, height_pt - y * sy), (x1 * sx, height_pt - y * sy))
                for x0, x1, y in scanned.ruling.horizontal]
    graphics += [_rule((x * sx, height_pt - y0 * sy), (x * sx, height_pt - y1 * sy))
                 for y0, y1, x in scanned.ruling.vertical]
    confidence = sum(confidences) / len(confidences) if confidences else 0.0
    return ScannedPage(boxed_lines=_paragraph_boxes(text_lines), graphics=graphics, confidence=confidence)


def _paragraph_boxes(lines: list[OcrTextLine]) -> list[tuple[int, list[OcrTextLine]]]:
    """Group lines into boxes the way pdfminer groups a text PDF's lines: a vertical gap wider than
    the usual line spacing (paragraph spacing) starts a new box."""
    lines = sorted(lines, key=lambda l: -l.y1)
    if not lines:
        return []
    pitches = sorted(a.y0 - b.y1 for a, b in zip(lines, lines[1:]) if a.y0 > b.y1)
    usual = pitches[len(pitches) // 4] if pitches else 0.0       # the tight spacing inside paragraphs
    heights = sorted(l.height for l in lines)
    limit = usual + 0.35 * heights[len(heights) // 2]
    boxes: list[tuple[int, list[OcrTextLine]]] = [(0, [lines[0]])]
    for previous, line in zip(lines, lines[1:]):
        if previous.y0 - line.y1 > limit:
            boxes.append((len(boxes), []))
        boxes[-1][1].append(line)
    return boxes


def _rule(p0: tuple[float, float], p1: tuple[float, float]):
    """A ruling line as pdfminer draws it (pdfplumber's table finder reads its path)."""
    from pdfminer.layout import LTLine
    return LTLine(1.0, p0, p1, stroke=True, original_path=[("m", p0), ("l", p1)])


def _clean_words(words: list[ocr.OcrWord]) -> list[ocr.OcrWord]:
    """Drop specks read as punctuation at either end of a line ('_', '`', a lone ':'); one bullet for
    a dash however it was read ('-', '-_', '- -', '-..'), split from a word it is glued to ('-Các');
    the vertical rules of a table read as '|' go wherever they are."""
    words = [w if not _RULE_CHARS.search(w.text) else ocr.OcrWord(_RULE_CHARS.sub("", w.text), w.x0, w.top, w.x1,
                                                                  w.bottom, w.conf) for w in words]
    words = [w for w in words if w.text]
    while words and _NOISE_WORD.match(words[0].text):
        words.pop(0)
    while words and (_NOISE_WORD.match(words[-1].text) or (_DASH_WORD.match(words[-1].text) and len(words) > 1)):
        words.pop()
    if not words:
        return words
    first = words[0]
    if len(words) > 1 and _DASH_WORD.match(first.text):
        words.pop(0)
        while len(words) > 1 and (_DASH_WORD.match(words[0].text) or _NOISE_WORD.match(words[0].text)):
            words.pop(0)
        words.insert(0, ocr.OcrWord("-", first.x0, first.top, first.x1, first.bottom, first.conf))
    elif _LEADING_DASH.match(first.text):
        dash = _LEADING_DASH.match(first.text).group(0)
        split = first.x0 + (first.x1 - first.x0) * len(dash) / len(first.text)
        words[0:1] = [ocr.OcrWord("-", first.x0, first.top, split, first.bottom, first.conf),
                      ocr.OcrWord(first.text[len(dash):], split, first.top, first.x1, first.bottom, first.conf)]
    return words
