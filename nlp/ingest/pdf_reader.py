"""PDF -> IngestedDocument: characters grouped into lines and boxes, one pass per page.

Two text engines give the same page objects (text lines in boxes, ruling graphics, pictures):
pdfium (nlp.ingest.pdfium_pages, the default: pdfminer's grouping rules on pdfium's characters,
several times faster) and pdfminer.six's own interpreter and layout analysis (the reference reader,
and the fallback for what pdfium cannot read). ``PLANGAP_PDF_ENGINE=pdfminer|pdfium`` chooses;
tests/ingest/test_pdf_engines.py holds them to the same document over the corpus PDFs.

Per page: the engine groups characters into lines and boxes (no hierarchical box ordering: boxes
are read top to bottom, which is the reading order of single-column official documents and keeps
the two-column letterhead box by box). Pages with ruling lines go through pdfplumber's table
finder, fed with the objects of that same layout pass (no second parse); the characters inside
each table are assigned to its cells by grid position, merged cells included.

Across pages: running headers and footers (the same line at the same height on most pages) and
page numbers are removed; lines are joined into paragraphs (a bullet, a numbering label, a change
of bold or centring, or a sentence end followed by a new box or an indented line starts a new
block); a table split over pages (same column positions or a repeated header row) is stitched
back and its repeated header dropped. Vertical merges follow the DOCX convention: continuation
cells repeat the merged text with row_span 0.

Limits: page count (too_large); FlateDecode streams are inflated with a cap (bomb).
"""
from __future__ import annotations

import bisect
import io
import os
import re
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from statistics import median
from types import SimpleNamespace
from typing import Optional

from nlp.errors import IngestError
from nlp.ingest.normalize import (
    BlockDraft, CellDraft, RowDraft, assemble_document, check_vietnamese, ends_mid_token, ends_sentence,
    join_pair, mark_header_row, normalize_inline, split_bullet, starts_block,
)
from nlp.ingest.ocr_pdf import OcrGlyph
from nlp.ingest.sniff import pdf_offset
from nlp.limits import max_pages
from nlp.schema import IngestedDocument, OcrInfo

MAX_PAGES: int | None = None            # a fixed page limit; None: nlp.limits.max_pages() (PLANGAP_MAX_PAGES)
MAX_STREAM_BYTES = 128 * 1024 * 1024     # one inflated stream; a page's content is a few hundred KB
MIN_TEXT_CHARS = 20                      # fewer characters in the whole file: no text layer
MIN_PAGE_TEXT_CHARS = 20                 # a page with a picture and fewer characters is a scan: OCR it
LOW_OCR_CONFIDENCE = 0.80                # an OCR'd block under this mean word confidence is flagged as such

_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demibold|[,-]b$|[,-]bd$|\bbd\b", re.I)
_PAGE_NUMBER = re.compile(r"^(?:trang\s*)?[-–]?\s*\d{1,4}\s*[-–]?(?:\s*/\s*\d{1,4})?$|^page\s+\d+", re.I)
MARGIN_BAND = 0.12                       # top/bottom share of the page where headers and footers live


# ---------------------------------------------------------------- inflate cap (flate bomb)


class _InflateLimit(Exception):
    pass


def _bounded_decompress(data: bytes, *args, **kwargs) -> bytes:
    """zlib.decompress that refuses to produce more than MAX_STREAM_BYTES."""
    d = zlib.decompressobj()
    out = d.decompress(data, MAX_STREAM_BYTES)
    if d.unconsumed_tail:
        raise _InflateLimit(len(out))
    if not d.eof:
        raise zlib.error("incomplete or truncated stream")
    return out


def _bounded_decompress_corrupted(data: bytes) -> bytes:
    """pdfminer's fallback for streams with a bad checksum, bounded and without its byte loop."""
    d = zlib.decompressobj()
    try:
        out = d.decompress(data, MAX_STREAM_BYTES)
    except zlib.error:
        return b""
    if d.unconsumed_tail:
        raise _InflateLimit(len(out))
    return out


def _install_inflate_cap() -> None:
    import pdfminer.pdftypes as pdftypes
    if getattr(pdftypes, "_plangap_capped", False):
        return
    pdftypes.zlib = SimpleNamespace(decompress=_bounded_decompress, decompressobj=zlib.decompressobj,
                                    error=zlib.error, MAX_WBITS=zlib.MAX_WBITS)
    pdftypes.decompress_corrupted = _bounded_decompress_corrupted
    pdftypes._plangap_capped = True


# ---------------------------------------------------------------- page model


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    top: float          # pdfminer coordinates: y grows upwards
    bottom: float
    size: float
    bold: bool
    page: int
    box: int
    centred: bool = False
    conf: Optional[float] = None                # OCR: mean word confidence (0..1)


@dataclass
class _Table:
    rows: list[RowDraft]
    top: float
    bottom: float
    col_edges: list[float]
    page: int


@dataclass
class _Page:
    number: int
    height: float
    width: float
    items: list = field(default_factory=list)      # _Line | _Table in reading order
    chars: int = 0
    images: int = 0
    ocr_confidence: Optional[float] = None      # set when the page was read by OCR


# ---------------------------------------------------------------- entry point


ENGINE_ENV = "PLANGAP_PDF_ENGINE"
ENGINES = ("pdfium", "pdfminer")


def pdf_engine() -> str:
    """The text engine: pdfium (fast, the default) or pdfminer (the reference reader and the fallback)."""
    engine = os.environ.get(ENGINE_ENV, "pdfium").strip().lower()
    return engine if engine in ENGINES else "pdfium"


def read_pdf(data: bytes, source: str = "document.pdf", *, progress=None, ocr: bool = True,
             ocr_timeout_s: Optional[float] = None, ocr_max_pages: Optional[int] = None,
             engine: Optional[str] = None) -> IngestedDocument:
    """``progress``: optional callable given OCR progress dicts (see nlp.ingest.ocr_pdf). ``ocr``: read
    pages that have a picture and no text with Tesseract (when False they are refused as before).
    ``engine``: 'pdfium' or 'pdfminer' (default: PLANGAP_PDF_ENGINE, else pdfium). The file's structure,
    encryption, page count and compressed streams are checked by pdfminer whatever the engine, so
    both give the same errors; a file pdfium cannot read (damaged, rotated pages, a page whose text
    objects yield no text) is read by pdfminer."""
    _install_inflate_cap()
    start = max(pdf_offset(data), 0)
    body = data[start:]
    document = _open_document(body, source)
    page_count = _declared_page_count(document)
    limit = MAX_PAGES or max_pages()   # PLANGAP_MAX_PAGES: the same limit the service states
    if page_count > limit:
        raise IngestError(f"Tệp PDF «{source}» có {page_count} trang, vượt giới hạn {limit} trang.", "too_large")
    scans = _scan_reader(body, source, progress, ocr_timeout_s, ocr_max_pages) if ocr else None
    try:
        pages = None
        if (engine or pdf_engine()) == "pdfium" and not _repaired(document):
            pages = _guarded(source, lambda: _pdfium_read(body, document, source, limit, scans))
        if pages is None:
            pages = _guarded(source, lambda: _pdfminer_read(document, source, limit, scans))
    finally:
        if scans is not None:
            scans.close()
    return _document(pages, source, data)


def _guarded(source: str, read):
    """Run a page reader, turning what goes wrong into the reader's clear errors."""
    try:
        return read()
    except _InflateLimit as exc:
        raise IngestError(
            f"Tệp PDF «{source}» có luồng dữ liệu nén giải ra hơn {MAX_STREAM_BYTES // 1048576} MB "
            "(«bom nén»); tệp không được đọc.", "bomb") from exc
    except IngestError:
        raise
    except MemoryError:
        raise
    except Exception as exc:   # pdfminer raises many unrelated types on damaged files
        raise IngestError(f"Tệp PDF «{source}» bị hỏng, không đọc được nội dung trang.",
                          "corrupt") from exc


def _too_many_pages(source: str, limit: int) -> IngestError:
    return IngestError(f"Tệp PDF «{source}» có hơn {limit} trang, vượt giới hạn {limit} trang.", "too_large")


def _pdfminer_read(document, source: str, limit: int, scans) -> list[_Page]:
    from pdfminer.layout import LAParams
    from pdfminer.pdfinterp import PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    laparams = LAParams(line_margin=0.5, char_margin=2.0, word_margin=0.1, boxes_flow=None, all_texts=True)
    resources = PDFResourceManager(caching=True)
    pages: list[_Page] = []
    for number, pdf_page in enumerate(PDFPage.create_pages(document), start=1):
        if number > limit:
            raise _too_many_pages(source, limit)
        pages.append(_read_page(pdf_page, number, resources, laparams, scans))
    return pages


def _pdfium_read(data: bytes, document, source: str, limit: int, scans) -> Optional[list[_Page]]:
    """The pages read by pdfium, or None where pdfminer should read the file. Before pdfium sees
    the file, pdfminer walks its page tree (page limit) and inflates each page's content streams and
    those of its forms with the cap (flate bomb): pdfium's own inflater has no such cap. Whether
    pdfminer must read the file instead is decided on all pages before any is laid out or OCR'd."""
    from pdfminer.pdfpage import PDFPage

    from nlp.ingest.pdfium_pages import PdfiumPages

    count = 0
    for count, pdf_page in enumerate(PDFPage.create_pages(document), start=1):
        if count > limit:
            raise _too_many_pages(source, limit)
        for stream in _content_streams(pdf_page):
            stream.get_data()
    try:
        reader = PdfiumPages(data)
    except Exception:       # pdfium refuses what pdfminer opened: let pdfminer read it
        return None
    try:
        if len(reader) != count or reader.rotated():
            return None
        contents = []
        for index in range(count):
            content = reader.page(index)
            if content.text_objects and not content.chars:     # text pdfium cannot decode
                return None
            contents.append(content)
    except Exception:       # decided before any page is laid out or OCR'd, so nothing is done twice
        return None
    finally:
        reader.close()
    return [_read_pdfium_page(content, scans) for content in contents]


def _content_streams(pdf_page) -> list:
    """The page's content streams and those of the forms (Form XObjects) it draws, nested ones too:
    the streams pdfium will inflate to read the page's text."""
    from pdfminer.pdftypes import PDFStream, resolve1

    streams = [s for s in (resolve1(c) for c in pdf_page.contents or []) if isinstance(s, PDFStream)]
    seen: set[int] = set()
    pending = [pdf_page.resources]
    while pending:
        resources = resolve1(pending.pop())
        if not isinstance(resources, dict):
            continue
        xobjects = resolve1(resources.get("XObject"))
        for ref in (xobjects.values() if isinstance(xobjects, dict) else []):
            stream = resolve1(ref)
            if not isinstance(stream, PDFStream) or id(stream) in seen:
                continue
            seen.add(id(stream))
            if getattr(resolve1(stream.get("Subtype")), "name", None) == "Form":
                streams.append(stream)
                pending.append(stream.get("Resources"))
    return streams


def _repaired(document) -> bool:
    """pdfminer had to rebuild the cross-reference table (a damaged or truncated file): the
    reference reader reads it, and reports what it cannot read."""
    from pdfminer.pdfdocument import PDFXRefFallback
    return any(isinstance(xref, PDFXRefFallback) for xref in document.xrefs)


def _document(pages: list[_Page], source: str, data: bytes) -> IngestedDocument:
    if not pages:
        raise IngestError(f"Tệp PDF «{source}» bị hỏng hoặc bị cắt cụt: không tìm thấy trang nào.", "corrupt")
    total_chars = sum(p.chars for p in pages)
    if total_chars < MIN_TEXT_CHARS:
        if any(p.images for p in pages) and not any(p.ocr_confidence is not None for p in pages):
            raise IngestError(
                f"PDF chỉ có ảnh quét, không có lớp văn bản; cần OCR («{source}», {len(pages)} trang). "
                "Hãy chạy nhận dạng ký tự (OCR) hoặc tải lên bản DOCX/PDF gốc.", "image_only")
        if any(p.ocr_confidence is not None for p in pages):
            raise IngestError(f"PDF «{source}» chỉ có ảnh quét và nhận dạng ký tự (OCR) không đọc được chữ nào "
                              f"({len(pages)} trang); ảnh có thể quá mờ hoặc không phải văn bản.", "empty")
        raise IngestError(f"Tệp PDF «{source}» không có nội dung văn bản ({len(pages)} trang trống).", "empty")
    _remove_running_lines(pages)
    drafts = _blocks(pages)
    mark_heading_candidates(drafts)
    doc = _assemble(drafts, pages, source=source, data=data)
    if not doc.blocks:
        raise IngestError(f"Tệp PDF «{source}» không có nội dung văn bản ngoài đầu trang/chân trang.", "empty")
    check_vietnamese(doc.text)
    return doc


def _scan_reader(data: bytes, source: str, progress, timeout_s: Optional[float], max_pages: Optional[int]):
    from nlp.ingest.ocr_pdf import MAX_OCR_PAGES, OCR_TIMEOUT_S, ScanReader
    return ScanReader(data, source, progress=progress, timeout_s=OCR_TIMEOUT_S if timeout_s is None else timeout_s,
                      max_pages=MAX_OCR_PAGES if max_pages is None else max_pages)


def _assemble(drafts: list[BlockDraft], pages: list[_Page], *, source: str, data: bytes) -> IngestedDocument:
    """The document, with each OCR'd block's confidence and the OCR summary."""
    ocr_pages = [p.number for p in pages if p.ocr_confidence is not None]
    if not ocr_pages:
        return assemble_document(drafts, source=source, fmt="pdf", data=data, pages=len(pages))
    # assemble_document skips empty drafts: skip them here first, so drafts and blocks pair up
    drafts = [d for d in drafts if (d.rows if d.kind == "table" else normalize_inline(d.text))]
    confidences = [getattr(d, "confidence", None) for d in drafts]
    doc = assemble_document(drafts, source=source, fmt="pdf", data=data, pages=len(pages))
    page_confidence = {p.number: p.ocr_confidence for p in pages}
    if len(doc.blocks) == len(confidences):
        for block, confidence in zip(doc.blocks, confidences):
            block.confidence = confidence
    else:      # layout dropped a block: fall back to the page's confidence
        for block in doc.blocks:
            block.confidence = page_confidence.get(block.page)
    low = [b.span for b in doc.blocks if b.confidence is not None and b.confidence < LOW_OCR_CONFIDENCE]
    scored = [b.confidence for b in doc.blocks if b.confidence is not None]
    doc.ocr = OcrInfo(pages=ocr_pages, mean_confidence=round(sum(scored) / len(scored), 3) if scored else 0.0,
                      low_confidence=low, threshold=LOW_OCR_CONFIDENCE)
    return doc


def _open_document(data: bytes, source: str):
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFParser
    try:
        return PDFDocument(PDFParser(io.BytesIO(data)), password="")
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise IngestError(f"Tệp PDF «{source}» được bảo vệ bằng mật khẩu (mã hóa); hãy gỡ mật khẩu rồi tải lên lại.",
                          "encrypted") from exc
    except _InflateLimit as exc:
        raise IngestError(f"Tệp PDF «{source}» có luồng nén giải ra quá lớn («bom nén»).", "bomb") from exc
    except MemoryError:
        raise
    except Exception as exc:
        raise IngestError(f"Tệp PDF «{source}» bị hỏng, không đọc được cấu trúc tệp.",
                          "corrupt") from exc


def _declared_page_count(document) -> int:
    from pdfminer.pdftypes import resolve1
    try:
        pages = resolve1(document.catalog.get("Pages"))
        return int(resolve1(pages.get("Count", 0))) if isinstance(pages, dict) else 0
    except Exception:  # a broken page tree is reported when the pages are read
        return 0


# ---------------------------------------------------------------- one page


def _read_page(pdf_page, number: int, resources, laparams, ocr=None) -> _Page:
    """One page read by pdfminer's interpreter and layout analysis."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LTChar, LTCurve, LTFigure, LTImage, LTTextBox, LTTextLine
    from pdfminer.pdfinterp import PDFPageInterpreter

    device = PDFPageAggregator(resources, laparams=laparams)
    PDFPageInterpreter(resources, device).process_page(pdf_page)
    layout = device.get_result()
    page = _Page(number=number, height=layout.height, width=layout.width)

    boxes: list = []
    graphics: list = []
    images: list = []

    def walk(objs) -> None:
        for obj in objs:
            if isinstance(obj, LTTextBox):
                boxes.append(obj)
            elif isinstance(obj, LTFigure):
                walk(obj)
            elif isinstance(obj, LTImage):
                images.append(obj)
            elif isinstance(obj, LTCurve):   # LTLine and LTRect are curves
                graphics.append(obj)
            elif isinstance(obj, LTTextLine):   # loose lines (rare) behave like one-line boxes
                boxes.append([obj])

    walk(layout)
    boxes.sort(key=lambda b: (-_top(b), _left(b)))
    boxed_lines = [(index, _reading_order([line for line in box if isinstance(line, LTTextLine)]))
                   for index, box in enumerate(boxes)]
    _read_objects(page, pdf_page.attrs, graphics, images, boxed_lines, LTChar, ocr)
    return page


def _read_pdfium_page(content, ocr=None) -> _Page:
    """One page read by pdfium (nlp.ingest.pdfium_pages): the same objects, the same layout code."""
    from nlp.ingest.pdfium_pages import Glyph

    page = _Page(number=content.number, height=content.height, width=content.width)
    boxed_lines = [(index, _reading_order(lines)) for index, lines in content.boxed_lines]
    _read_objects(page, content.attrs, content.graphics, content.images, boxed_lines, Glyph, ocr)
    return page


def _same_baseline(previous: _Line, line: _Line) -> bool:
    """Two pieces of one printed line (same box, same height on the page, side by side)."""
    return (previous.box == line.box and abs(previous.top - line.top) < 0.1 and abs(previous.bottom - line.bottom) < 0.1
            and line.x0 >= previous.x1)


def _joined(left: _Line, right: _Line) -> _Line:
    return _Line(text=f"{left.text} {right.text}", x0=left.x0, x1=right.x1, top=left.top, bottom=left.bottom,
                 size=left.size, bold=left.bold and right.bold, page=left.page, box=left.box, conf=left.conf)


def _reading_order(lines: list) -> list:
    """A box's lines top to bottom, and pieces of one line (a justified line pdfminer cut at its wide
    gaps) left to right: pdfminer leaves such pieces in the order it happened to merge them. The
    pieces are joined back into one line by the layout (``_same_baseline``)."""
    return sorted(lines, key=lambda line: (-round(line.y1, 1), line.x0))


def _read_objects(page: _Page, page_attrs: dict, graphics: list, images: list, boxed_lines: list, char_type,
                  ocr=None) -> None:
    """Lay out a page's text lines and tables; a page with a picture and (almost) no text is OCR'd."""
    page.images = len(images)
    _lay_out(page, page_attrs, graphics, boxed_lines, char_type)
    if ocr is not None and page.images and page.chars < MIN_PAGE_TEXT_CHARS:
        scan = ocr.read(None, page.number, page, _image_dpi(images, page))
        page.chars, page.ocr_confidence = 0, scan.confidence
        _lay_out(page, page_attrs, scan.graphics, scan.boxed_lines, OcrGlyph)


def _lay_out(page: _Page, page_attrs: dict, graphics: list, boxed_lines: list, char_type) -> None:
    """Lines and tables of one page in reading order. ``boxed_lines``: (box index, its text lines),
    text lines being pdfminer's LTTextLine, pdfium's or the OCR's lines (same attributes, ``char_type``
    glyphs). ``page_attrs``: the page dictionary's MediaBox and Rotate (pdfplumber's page geometry)."""
    number = page.number
    tables = _find_tables(page_attrs, number, graphics) if _has_ruling(graphics) else []
    lines: list[_Line] = []
    table_lines: dict[int, list] = defaultdict(list)
    for box_index, text_lines in boxed_lines:
        for text_line in text_lines:
            table_index = _table_at(tables, text_line)
            if table_index is not None:
                table_lines[table_index].append(text_line)
                continue
            line = _make_line(text_line, number, box_index, char_type)
            if line is None:
                continue
            if lines and _same_baseline(lines[-1], line):
                lines[-1] = _joined(lines[-1], line)
            else:
                lines.append(line)
    page.chars = sum(len(l.text) for l in lines)
    for index, (table, geometry) in enumerate(tables):
        _fill_table(table, geometry, table_lines.get(index, []), char_type)
        page.chars += sum(len(c.text) for r in table.rows for c in r.cells)
    _mark_centred(lines)
    items: list = lines + [t for t, _ in tables if any(c.text for r in t.rows for c in r.cells)]
    items.sort(key=lambda it: -it.top)
    page.items = items


def _image_dpi(images: list, page: _Page) -> float:
    """Resolution of the page's largest picture (pixels per inch as placed on the page)."""
    best = 0.0
    for image in images:
        width_pt = max(image.x1 - image.x0, 1.0)
        src = getattr(image, "srcsize", None) or (0, 0)
        if src[0] and width_pt > page.width * 0.5:
            best = max(best, src[0] * 72 / width_pt)
    return best


def _top(box) -> float:
    return box.y1 if hasattr(box, "y1") else box[0].y1


def _left(box) -> float:
    return box.x0 if hasattr(box, "x0") else box[0].x0


def _make_line(text_line, page: int, box: int, char_type) -> Optional[_Line]:
    text = normalize_inline(text_line.get_text())
    if not text:
        return None
    chars = [o for o in text_line if isinstance(o, char_type) and o.get_text().strip()]
    bold_chars = sum(1 for c in chars if _is_bold_font(c.fontname or ""))
    size = median(c.size for c in chars) if chars else text_line.height
    return _Line(text=text, x0=text_line.x0, x1=text_line.x1, top=text_line.y1, bottom=text_line.y0, size=size,
                 bold=bool(chars) and bold_chars >= 0.9 * len(chars), page=page, box=box,
                 conf=getattr(text_line, "conf", None))


@lru_cache(maxsize=512)
def _is_bold_font(fontname: str) -> bool:
    return bool(_BOLD_FONT.search(fontname))


def _mark_centred(lines: list[_Line]) -> None:
    if len(lines) < 3:
        return
    left = min(l.x0 for l in lines)
    right = max(l.x1 for l in lines)
    middle, width = (left + right) / 2, right - left
    for line in lines:
        line_middle = (line.x0 + line.x1) / 2
        line.centred = (abs(line_middle - middle) < 0.04 * width and line.x0 > left + 0.08 * width
                        and line.x1 < right - 0.08 * width)


# ---------------------------------------------------------------- tables


def _has_ruling(graphics: list) -> bool:
    horizontal = vertical = 0
    for g in graphics:
        w, h = g.x1 - g.x0, g.y1 - g.y0
        if w > 10 and h < 3:
            horizontal += 1
        elif h > 10 and w < 3:
            vertical += 1
        elif w > 10 and h > 10:          # a rectangle: four ruling edges
            horizontal += 2
            vertical += 2
        if horizontal >= 2 and vertical >= 2:
            return True
    return False


@dataclass
class _Grid:
    row_edges: list[float]       # pdfplumber 'top' coordinates, ascending (top of the page first)
    col_edges: list[float]
    owner: dict                  # (row, col) -> cell index
    cells: list[tuple]           # (row, col, row_span, col_span)
    x0: float
    x1: float
    top: float                   # pdfminer coordinates
    bottom: float
    to_top: object               # pdfminer y -> pdfplumber top


def _find_tables(page_attrs: dict, number: int, graphics: list) -> list[tuple[_Table, _Grid]]:
    plumber_page = _plumber_page(page_attrs, number, graphics)
    settings = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
    found = []
    mb_x0, mb_top = plumber_page.mediabox[0], plumber_page.mediabox[1]
    height = plumber_page.height

    def to_top(y: float) -> float:
        return height - y + mb_top

    for table in plumber_page.find_tables(settings):
        bboxes = [(c[0] - mb_x0, c[1], c[2] - mb_x0, c[3]) for c in table.cells]
        if len(bboxes) < 2:
            continue
        row_edges = sorted({round(b[1], 1) for b in bboxes} | {round(max(b[3] for b in bboxes), 1)})
        col_edges = sorted({round(b[0], 1) for b in bboxes} | {round(max(b[2] for b in bboxes), 1)})
        row_edges, col_edges = _merge_close(row_edges), _merge_close(col_edges)
        owner: dict = {}
        cells = []
        for index, (x0, top, x1, bottom) in enumerate(bboxes):
            r0 = _edge_index(row_edges, top)
            r1 = max(_edge_index(row_edges, bottom), r0 + 1)
            c0 = _edge_index(col_edges, x0)
            c1 = max(_edge_index(col_edges, x1), c0 + 1)
            cells.append((r0, c0, r1 - r0, c1 - c0))
            for r in range(r0, r1):
                for c in range(c0, c1):
                    owner.setdefault((r, c), index)
        x0, top, x1, bottom = table.bbox
        grid = _Grid(row_edges, col_edges, owner, cells, x0 - mb_x0, x1 - mb_x0,
                     top=height - top + mb_top, bottom=height - bottom + mb_top, to_top=to_top)
        found.append((_Table(rows=[], top=grid.top, bottom=grid.bottom, col_edges=col_edges, page=number), grid))
    return found


def _merge_close(edges: list[float], tolerance: float = 2.0) -> list[float]:
    out: list[float] = []
    for e in edges:
        if not out or e - out[-1] > tolerance:
            out.append(e)
    return out


def _edge_index(edges: list[float], value: float) -> int:
    i = bisect.bisect_left(edges, value - 2.0)
    return min(i, len(edges) - 1)


def _plumber_page(page_attrs: dict, number: int, graphics: list):
    """A pdfplumber Page whose objects are this page's ruling graphics (no second parse, no chars)."""
    from pdfplumber.page import Page

    class _LayoutPage(Page):
        def parse_objects(self):
            objects: dict = {}
            for obj in graphics:
                parsed = self.process_object(obj)
                objects.setdefault(parsed["object_type"], []).append(parsed)
            return objects

    stub = SimpleNamespace(laparams=None, unicode_norm=None, raise_unicode_errors=False, rsrcmgr=None)
    return _LayoutPage(stub, SimpleNamespace(attrs=page_attrs), page_number=number, initial_doctop=0)


def _table_at(tables: list, text_line) -> Optional[int]:
    cx = (text_line.x0 + text_line.x1) / 2
    cy = (text_line.y0 + text_line.y1) / 2
    for index, (_, grid) in enumerate(tables):
        if grid.x0 - 1 <= cx <= grid.x1 + 1 and grid.bottom - 1 <= cy <= grid.top + 1:
            return index
    return None


def _fill_table(table: _Table, grid: _Grid, text_lines: list, char_type) -> None:
    """Assign each character to the cell under it; cell text = its line fragments joined."""
    fragments: dict[int, list] = defaultdict(list)     # cell -> [(top, x0, text)]
    for text_line in text_lines:
        current_cell, buffer, frag_x = None, [], 0.0
        for obj in text_line:
            if isinstance(obj, char_type):
                cx = (obj.x0 + obj.x1) / 2
                cy = grid.to_top((obj.y0 + obj.y1) / 2)
                r = bisect.bisect_right(grid.row_edges, cy) - 1
                c = bisect.bisect_right(grid.col_edges, cx) - 1
                cell = grid.owner.get((r, c))
                if cell != current_cell:
                    if current_cell is not None and buffer:
                        fragments[current_cell].append((text_line.y1, frag_x, "".join(buffer)))
                    current_cell, buffer, frag_x = cell, [], obj.x0
                buffer.append(obj.get_text())
            else:   # LTAnno: a space or the line's newline, inserted by layout analysis
                buffer.append(obj.get_text())
        if current_cell is not None and buffer:
            fragments[current_cell].append((text_line.y1, frag_x, "".join(buffer)))

    texts: list[str] = []
    for index in range(len(grid.cells)):
        text = ""
        for _, _, piece in sorted(fragments.get(index, []), key=lambda f: (-round(f[0]), f[1])):
            piece = normalize_inline(piece)
            if piece:
                text = join_pair(text, piece) if text else piece
        texts.append(text)

    by_row: dict[int, list] = defaultdict(list)
    for index, (r0, c0, rs, cs) in enumerate(grid.cells):
        by_row[r0].append((c0, index))
    rows: list[RowDraft] = []
    covered_by: dict[tuple, CellDraft] = {}
    for r in range(len(grid.row_edges) - 1):
        entries: list[tuple[int, CellDraft]] = []
        for c0, index in by_row.get(r, []):
            _, _, rs, cs = grid.cells[index]
            draft = CellDraft(text=texts[index], col_span=cs, row_span=rs)
            entries.append((c0, draft))
            for rr in range(r + 1, r + rs):
                covered_by[(rr, c0)] = draft
        for (rr, c0), top in list(covered_by.items()):
            if rr == r:
                entries.append((c0, CellDraft(text=top.text, col_span=top.col_span, row_span=0)))
                del covered_by[(rr, c0)]
        if entries:
            entries.sort(key=lambda e: e[0])
            rows.append(RowDraft(cells=[d for _, d in entries], page=table.page))
    table.rows = rows


# ---------------------------------------------------------------- running headers, footers, page numbers


def _remove_running_lines(pages: list[_Page]) -> None:
    def in_margin(line: _Line, page: _Page) -> Optional[str]:
        if line.top >= page.height * (1 - MARGIN_BAND):
            return "top"
        if line.bottom <= page.height * MARGIN_BAND:
            return "bottom"
        return None

    keys: Counter = Counter()
    page_keys: list[list[tuple]] = []
    for page in pages:
        seen = []
        for item in page.items:
            if isinstance(item, _Line):
                band = in_margin(item, page)
                if band:
                    key = (band, re.sub(r"\d+", "#", item.text), round(item.top / 6))
                    seen.append(key)
        page_keys.append(seen)
        keys.update(set(seen))
    repeated_min = max(2, (len(pages) + 1) // 2)
    for page in pages:
        kept = []
        for item in page.items:
            if isinstance(item, _Line):
                band = in_margin(item, page)
                if band and (_PAGE_NUMBER.match(item.text)
                             or keys[(band, re.sub(r"\d+", "#", item.text), round(item.top / 6))] >= repeated_min):
                    continue
            kept.append(item)
        page.items = kept


# ---------------------------------------------------------------- paragraphs and table stitching


def _text_frame(pages: list[_Page]) -> dict[int, tuple[float, float]]:
    """Per page: (left edge, right edge) of the body text, measured over all pages of the same width
    (one page alone may hold only short lines; landscape appendix pages get their own frame)."""
    by_width: dict[int, list[_Line]] = defaultdict(list)
    for page in pages:
        by_width[round(page.width)].extend(it for it in page.items if isinstance(it, _Line) and not it.centred)
    frames_by_width = {}
    for width, lines in by_width.items():
        if not lines:
            frames_by_width[width] = (0.0, float(width))
            continue
        x0s = sorted(l.x0 for l in lines)
        x1s = sorted(l.x1 for l in lines)
        frames_by_width[width] = (x0s[len(x0s) // 10], x1s[int(len(x1s) * 0.95)])
    return {page.number: frames_by_width[round(page.width)] for page in pages}


def _line_gap(pages: list[_Page]) -> float:
    """The usual white space between two consecutive lines (median over the document; most pairs
    are lines of one paragraph). Infinite when there are too few lines to tell."""
    gaps = []
    for page in pages:
        lines = [it for it in page.items if isinstance(it, _Line)]
        gaps.extend(a.bottom - b.top for a, b in zip(lines, lines[1:]) if a.bottom > b.top)
    return median(gaps) if len(gaps) >= 10 else float("inf")


def _blocks(pages: list[_Page]) -> list[BlockDraft]:
    frames = _text_frame(pages)
    frames["line_gap"] = _line_gap(pages)
    drafts: list[BlockDraft] = []
    current: Optional[list[_Line]] = None
    last_table: Optional[_Table] = None

    def close() -> None:
        nonlocal current
        if current:
            drafts.append(_paragraph_draft(current))
        current = None

    for page in pages:
        for item in page.items:
            if isinstance(item, _Table):
                close()
                if last_table is not None and drafts and drafts[-1].kind == "table" and _continues(last_table, item):
                    drafts[-1].rows.extend(_without_repeated_header(drafts[-1].rows, item.rows))
                else:
                    mark_header_row(item.rows)
                    drafts.append(BlockDraft(kind="table", rows=list(item.rows), page=item.page))
                    if page.ocr_confidence is not None:     # BlockDraft has no field: carried as an attribute
                        drafts[-1].confidence = page.ocr_confidence
                last_table = item
                continue
            last_table = None
            if current and not _starts_new_block(current, item, frames):
                current.append(item)
                continue
            close()
            current = [item]
    close()
    return drafts


def _is_full(line: _Line, frames: dict) -> bool:
    left, right = frames[line.page]
    return line.x1 >= right - 0.1 * (right - left)


def _starts_new_block(block: list[_Line], line: _Line, frames: dict) -> bool:
    prev = block[-1]
    if starts_block(line.text):
        return True
    if prev.bold != line.bold or prev.centred != line.centred:
        return True
    if prev.page == line.page and prev.bottom - line.top > frames["line_gap"] + 0.4 * prev.size:
        return True                # paragraph spacing: more white space than between a paragraph's lines
    if ends_mid_token(prev.text):
        return False
    same_box = prev.page == line.page and prev.box == line.box
    if ends_sentence(prev.text):
        first = block[0]
        hanging = starts_block(first.text)          # list items wrap under their text, not their label
        indented = not hanging and line.x0 > frames[line.page][0] + 0.02 * (frames[line.page][1] - frames[line.page][0])
        return not (same_box and _is_full(prev, frames) and not indented)
    if line.text[:1].islower():
        return False
    if same_box:
        return False
    return not _is_full(prev, frames)


def _paragraph_draft(lines: list[_Line]) -> BlockDraft:
    text = ""
    for line in lines:
        text = join_pair(text, line.text) if text else line.text
    bullet, rest = split_bullet(text)
    kind = "list_item" if bullet else "paragraph"
    draft = BlockDraft(kind=kind, text=rest if bullet else text, page=lines[0].page,
                       bold=all(l.bold for l in lines), bullet=bullet)
    confidences = [l.conf for l in lines if l.conf is not None]
    if confidences:
        draft.confidence = round(sum(confidences) / len(confidences), 3)
    return draft


# ---------------------------------------------------------------- headings without bold

_HEADING_LABEL = re.compile(r"^(?:[IVXLC]{1,6}[.)]|\d{1,2}(?:\.\d{1,2}){0,2}[.)]|\d{1,2}(?:\.\d{1,2}){1,2})\s+\S")
_SENTENCE_END = re.compile(r"[.;:!?…]\W*$")
MAX_HEADING_WORDS = 60
_LEAD_IN = re.compile(r":\s+\S")


def mark_heading_candidates(drafts: list[BlockDraft]) -> None:
    """Numbered paragraphs that read as headings become headings, when the document itself does not
    mark its headings in bold (a plain rendering, a scan): the label is a Roman or decimal number, the
    text does not end a sentence ('1. Mục đích', 'II. NỘI DUNG, NHIỆM VỤ'), and content follows. Then
    the document's own pattern: a numbered paragraph whose neighbour in the sequence (n-1 or n+1, same
    kind of number) is a heading is a heading too, even if it ends with a full stop.
    Where any numbered block is bold, bold is the document's own pattern and nothing is changed."""
    labelled = [(i, d, _label_key(d.text)) for i, d in enumerate(drafts)
                if d.kind in ("paragraph", "heading") and _HEADING_LABEL.match(d.text)]
    if any(d.bold for _, d, _ in labelled):
        return
    for index, draft, _ in labelled:
        if index == len(drafts) - 1 or draft.kind != "paragraph":
            continue
        if not _SENTENCE_END.search(draft.text) and len(draft.text.split()) <= MAX_HEADING_WORDS:
            draft.kind = "heading"
    for position, (index, draft, key) in enumerate(labelled):
        if draft.kind != "paragraph" or key is None or len(draft.text.split()) > MAX_HEADING_WORDS:
            continue
        if _LEAD_IN.search(draft.text):      # '3. Phòng Kinh tế: Chủ trì ...' is an item with its owner
            continue
        kind, number = key
        before = next((o for o in reversed(labelled[:position]) if o[2] and o[2][0] == kind), None)
        after = next((o for o in labelled[position + 1:] if o[2] and o[2][0] == kind), None)
        if (before and before[1].kind == "heading" and before[2][1] == number - 1) or (
                after and after[1].kind == "heading" and after[2][1] == number + 1):
            draft.kind = "heading"


_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def _label_key(text: str) -> Optional[tuple[str, int]]:
    """('roman', 2) for 'II.', ('decimal', 3) for '3.', ('decimal.1', 2) for '1.2.'."""
    label = text.split()[0].rstrip(".)")
    if re.fullmatch(r"[IVXLC]+", label):
        values = [_ROMAN[c] for c in label]
        return "roman", sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))
    parts = label.split(".")
    if all(p.isdigit() for p in parts):
        return f"decimal.{len(parts) - 1}", int(parts[-1])
    return None


def _continues(previous: _Table, table: _Table) -> bool:
    """Is ``table`` (top of a page) the continuation of ``previous`` (end of the page before)?"""
    if table.page != previous.page + 1:
        return False
    if len(previous.col_edges) == len(table.col_edges) and all(
            abs(a - b) <= 3 for a, b in zip(previous.col_edges, table.col_edges)):
        return True
    return bool(previous.rows and table.rows and previous.rows[0].texts() == table.rows[0].texts())


def _without_repeated_header(rows: list[RowDraft], new_rows: list[RowDraft]) -> list[RowDraft]:
    header = next((r for r in rows if r.is_header), rows[0] if rows else None)
    if header is not None and new_rows and [normalize_inline(t) for t in new_rows[0].texts()] == [
            normalize_inline(t) for t in header.texts()]:
        return new_rows[1:]
    return new_rows
