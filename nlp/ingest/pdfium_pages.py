"""PDF pages read with pdfium (pypdfium2): the same page objects pdfminer's layout analysis gives.

pdfminer.six stays the reference reader (nlp.ingest.pdf_reader); this module is its fast twin. Per
page it returns what the layout code of pdf_reader consumes: text lines grouped into boxes, ruling
graphics and pictures, in pdfminer's coordinates (PDF points, y upwards, origin at the MediaBox's
lower left corner):

- characters: pdfium's char list in content-stream order, without the characters pdfium generates
  itself (spaces and line breaks it guesses); each character's box is pdfminer's LTChar box, i.e.
  from the baseline's font descent up by the font size, and from the origin over the advance width —
  which is pdfium's "loose" char box (its top is replaced: pdfium uses the font's ascent);
- lines and boxes: pdfminer's own rules with the LAParams of pdf_reader (char_margin, line_overlap,
  word_margin for the spaces between words, line_margin for boxes), re-implemented here on plain
  objects (``group_lines``, ``group_boxes``), so that downstream code sees the same thing;
- ruling graphics: path objects turned into pdfminer's LTLine / LTRect / LTCurve with the rules of
  pdfminer's ``paint_path`` (one object per subpath), so pdfplumber's table finder gets the same edges;
- pictures: image objects with their placed box and pixel size (the scan / OCR decision).

Speed is the point: per character two ctypes calls (its text object, its loose box); the text comes
in one call per page, font name and size once per text object.
"""
from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass, field
from typing import Optional

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

# pdf_reader's LAParams (pdfminer.layout.LAParams(line_margin=0.5, char_margin=2.0, word_margin=0.1));
# line_overlap is pdfminer's default
CHAR_MARGIN = 2.0
LINE_OVERLAP = 0.5
WORD_MARGIN = 0.1
LINE_MARGIN = 0.5
_BREAKS = {"\r", "\n", "\x00", "\uffff"}
_HYPHEN_MARKS = {"\ufffe", "\x02"}       # pdfium's mark for a hyphen that ends a line (the char itself is lost)


class Glyph:
    """One character, shaped like pdfminer's LTChar for the layout code."""

    __slots__ = ("text", "x0", "x1", "y0", "y1", "size", "fontname")

    def __init__(self, text: str, x0: float, x1: float, y0: float, y1: float, size: float, fontname: str) -> None:
        self.text, self.x0, self.x1, self.y0, self.y1, self.size, self.fontname = text, x0, x1, y0, y1, size, fontname

    def get_text(self) -> str:
        return self.text


class WordSpace:
    """The space layout analysis puts between two words (pdfminer's LTAnno)."""

    __slots__ = ()

    @staticmethod
    def get_text() -> str:
        return " "


_SPACE = WordSpace()


class TextLine:
    """One line: glyphs and word spaces, with the line's box (pdfminer's LTTextLineHorizontal)."""

    __slots__ = ("items", "x0", "x1", "y0", "y1", "_last_x1", "blank")

    def __init__(self, first: Glyph) -> None:
        self.items: list = [first]
        self.x0, self.x1, self.y0, self.y1 = first.x0, first.x1, first.y0, first.y1
        self._last_x1 = first.x1
        self.blank = first.text.isspace()          # white space only so far (pdfminer drops such lines)

    def add(self, glyph: Glyph) -> None:
        if self._last_x1 < glyph.x0 - WORD_MARGIN * max(glyph.x1 - glyph.x0, glyph.y1 - glyph.y0):
            self.items.append(_SPACE)
        self._last_x1 = glyph.x1
        self.items.append(glyph)
        if self.blank and not glyph.text.isspace():
            self.blank = False
        if glyph.x0 < self.x0:
            self.x0 = glyph.x0
        if glyph.x1 > self.x1:
            self.x1 = glyph.x1
        if glyph.y0 < self.y0:
            self.y0 = glyph.y0
        if glyph.y1 > self.y1:
            self.y1 = glyph.y1

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def get_text(self) -> str:
        return "".join(item.get_text() for item in self.items) + "\n"


@dataclass
class Picture:
    """An image as placed on the page (what pdf_reader reads from pdfminer's LTImage)."""
    x0: float
    y0: float
    x1: float
    y1: float
    srcsize: tuple


@dataclass
class PageContent:
    number: int
    width: float
    height: float
    attrs: dict                      # MediaBox and Rotate, for pdfplumber's page
    boxed_lines: list = field(default_factory=list)     # [(box index, [TextLine])], boxes in reading order
    graphics: list = field(default_factory=list)        # pdfminer LTLine / LTRect / LTCurve
    images: list = field(default_factory=list)          # [Picture]
    text_objects: int = 0            # text objects on the page (none read: pdfium failed, not an empty page)
    chars: int = 0                   # characters read (generated ones excluded)


class PdfiumPages:
    """The pages of one PDF, read one at a time (``page(index)``); ``close()`` frees pdfium's memory."""

    def __init__(self, data: bytes) -> None:
        self._pdf = pdfium.PdfDocument(data)

    def __len__(self) -> int:
        return len(self._pdf)

    def rotated(self) -> bool:
        """Any page turned by /Rotate (pdfminer turns its coordinates; this reader does not)."""
        for index in range(len(self._pdf)):
            page = self._pdf[index]
            try:
                if page.get_rotation() % 360:
                    return True
            finally:
                page.close()
        return False

    def close(self) -> None:
        self._pdf.close()

    def page(self, index: int) -> PageContent:
        page = self._pdf[index]
        try:
            x0, y0, x1, y1 = page.get_mediabox()
            content = PageContent(number=index + 1, width=x1 - x0, height=y1 - y0,
                                  attrs={"MediaBox": [x0, y0, x1, y1], "Rotate": 0})
            reader = _ObjectReader(content, x0, y0)
            reader.walk(page.raw)
            textpage = page.get_textpage()
            try:
                glyphs = _glyphs(textpage.raw, x0, y0)
            finally:
                textpage.close()
            content.chars = len(glyphs)
            content.boxed_lines = group_boxes(group_lines(glyphs))
            return content
        finally:
            page.close()


# ---------------------------------------------------------------- characters


def _address_typed(function, *argtypes):
    """``function`` with pointer results (and ``argtypes``) as plain addresses: hashable, no ctypes.cast
    per call."""
    return ctypes.cast(function, ctypes.CFUNCTYPE(ctypes.c_void_p, *(argtypes or function.argtypes)))


_text_object_at = _address_typed(pdfium_c.FPDFText_GetTextObject, ctypes.c_void_p, ctypes.c_int)
_loose_box = ctypes.cast(pdfium_c.FPDFText_GetLooseCharBox, ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p))
_font_of = _address_typed(pdfium_c.FPDFTextObj_GetFont, ctypes.c_void_p)
_base_font_name = ctypes.cast(pdfium_c.FPDFFont_GetBaseFontName, ctypes.CFUNCTYPE(
    ctypes.c_size_t, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t))


def _glyphs(textpage, x_off: float, y_off: float) -> list[Glyph]:
    count = pdfium_c.FPDFText_CountChars(textpage)
    if count <= 0:
        return []
    buffer = (ctypes.c_ushort * (count + 1))()
    written = pdfium_c.FPDFText_GetText(textpage, 0, count, buffer)
    text = bytes(memoryview(buffer).cast("B")[:max(written - 1, 0) * 2]).decode("utf-16-le", errors="replace")
    if len(text) != count:      # surrogate pairs or excluded chars: one code point per char instead
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(textpage, i) or 0xFFFD) for i in range(count))
    get_object, get_box, get_size = _text_object_at, _loose_box, pdfium_c.FPDFText_GetFontSize
    page_address = ctypes.cast(textpage, ctypes.c_void_p).value      # plain addresses: no conversion per call
    rect = pdfium_c.FS_RECTF()
    rect_ref = ctypes.addressof(rect)
    fonts: dict[int, tuple[str, float]] = {}      # text object -> (font name, size)
    glyphs: list[Glyph] = []
    append = glyphs.append
    for index, char in enumerate(text):
        if char in _BREAKS:
            continue
        text_object = get_object(page_address, index)
        if not text_object:          # a character pdfium generated (a guessed space or line break)
            continue
        font = fonts.get(text_object)
        if font is None:
            font = fonts[text_object] = (_font_name(text_object), get_size(textpage, index))
        if char in _HYPHEN_MARKS:
            char = _line_end_hyphen(text_object, textpage)
        get_box(page_address, index, rect_ref)
        bottom = rect.bottom - y_off
        append(Glyph(char, rect.left - x_off, rect.right - x_off, bottom, bottom + font[1], font[1], font[0]))
    return glyphs


def _line_end_hyphen(text_object: int, textpage) -> str:
    """The hyphen pdfium marked at a line end, as written: the last character of its text object."""
    get_text = pdfium_c.FPDFTextObj_GetText
    size = get_text(ctypes.cast(text_object, pdfium_c.FPDF_PAGEOBJECT), textpage, None, 0)
    buffer = (ctypes.c_ushort * max(size // 2, 1))()
    get_text(ctypes.cast(text_object, pdfium_c.FPDF_PAGEOBJECT), textpage, buffer, size)
    written = bytes(memoryview(buffer).cast("B")).decode("utf-16-le", errors="ignore").rstrip("\x00 ")
    last = written[-1:] if written else ""
    return last if last and last not in _HYPHEN_MARKS and not last.isalnum() else "-"


def _font_name(text_object: int) -> str:
    font = _font_of(text_object)
    if not font:
        return ""
    buffer = ctypes.create_string_buffer(256)
    length = _base_font_name(font, buffer, 256)
    return buffer.value.decode("latin-1") if length > 0 else ""


# ---------------------------------------------------------------- pdfminer's grouping


def group_lines(glyphs: list[Glyph]) -> list[TextLine]:
    """pdfminer's ``group_objects`` for horizontal text: consecutive characters (content order) that
    overlap vertically by more than LINE_OVERLAP of the smaller height and stand less than
    CHAR_MARGIN widths apart are one line. Lines of white space only are dropped, as pdfminer does."""
    lines: list[TextLine] = []
    line: Optional[TextLine] = None
    previous: Optional[Glyph] = None
    px0 = px1 = py0 = py1 = 0.0             # the previous glyph's box (locals: this runs once per character)
    for glyph in glyphs:
        x0, x1, y0, y1 = glyph.x0, glyph.x1, glyph.y0, glyph.y1
        if previous is not None:
            aligned = False               # pdfminer's halign between the previous glyph and this one
            if y0 <= py1 and py0 <= y1:
                overlap = min(abs(py0 - y1), abs(py1 - y0))
                if min(py1 - py0, y1 - y0) * LINE_OVERLAP < overlap:
                    distance = 0.0 if (x0 <= px1 and px0 <= x1) else min(abs(px0 - x1), abs(px1 - x0))
                    aligned = distance < max(px1 - px0, x1 - x0) * CHAR_MARGIN
            if aligned:
                if line is None:
                    line = TextLine(previous)
                line.add(glyph)
            elif line is not None:
                lines.append(line)
                line = None
            else:
                lines.append(TextLine(previous))
        previous = glyph
        px0, px1, py0, py1 = x0, x1, y0, y1
    if line is None and previous is not None:
        line = TextLine(previous)
    if line is not None:
        lines.append(line)
    return [l for l in lines if not l.blank]


def group_boxes(lines: list[TextLine]) -> list[tuple[int, list[TextLine]]]:
    """pdfminer's ``group_textlines``: a line and its neighbours (within LINE_MARGIN of its height above
    or below, of the same height, and left-, right- or centre-aligned) share a box. Boxes in reading
    order (top, then left), their lines top to bottom, as pdf_reader orders pdfminer's boxes."""
    parent = list(range(len(lines)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, line in enumerate(lines):
        d = LINE_MARGIN * line.height
        qx0, qy0, qx1, qy1 = line.x0, line.y0 - d, line.x1, line.y1 + d
        for j, other in enumerate(lines):
            if other.x1 <= qx0 or qx1 <= other.x0 or other.y1 <= qy0 or qy1 <= other.y0:
                continue       # pdfminer's Plane.find: boxes that only touch are not found
            if abs(other.height - line.height) > d:
                continue
            if (abs(other.x0 - line.x0) <= d or abs(other.x1 - line.x1) <= d
                    or abs((other.x0 + other.x1) / 2 - (line.x0 + line.x1) / 2) <= d):
                parent[root(j)] = root(i)
    members: dict[int, list[int]] = {}
    for i in range(len(lines)):
        members.setdefault(root(i), []).append(i)
    boxes = []
    for indexes in members.values():
        box_lines = sorted((lines[i] for i in indexes), key=lambda l: -l.y1)
        boxes.append((max(l.y1 for l in box_lines), min(l.x0 for l in box_lines), box_lines))
    boxes.sort(key=lambda b: (-b[0], b[1]))
    return [(index, box_lines) for index, (_, _, box_lines) in enumerate(boxes)]


# ---------------------------------------------------------------- paths and images

_FORM, _PATH, _IMAGE, _TEXT = (pdfium_c.FPDF_PAGEOBJ_FORM, pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_IMAGE,
                               pdfium_c.FPDF_PAGEOBJ_TEXT)
_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_SHAPES = re.compile(r"m[^m]*")


def _multiply(m: tuple, n: tuple) -> tuple:
    """m then n (PDF matrices [a b c d e f])."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


class _ObjectReader:
    """Walks a page's objects (forms included) and collects its ruling graphics, pictures and text objects."""

    def __init__(self, content: PageContent, x_off: float, y_off: float) -> None:
        self.content = content
        self.page_matrix = (1.0, 0.0, 0.0, 1.0, -x_off, -y_off)      # pdfminer's origin: the MediaBox corner
        self._matrix = pdfium_c.FS_MATRIX()
        self._x, self._y = ctypes.c_float(), ctypes.c_float()

    def walk(self, raw_page) -> None:
        for i in range(pdfium_c.FPDFPage_CountObjects(raw_page)):
            self._object(pdfium_c.FPDFPage_GetObject(raw_page, i), self.page_matrix)

    def _object(self, obj, outer: tuple) -> None:
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == _TEXT:
            self.content.text_objects += 1
        elif kind == _PATH:
            self._path(obj, _multiply(self._own_matrix(obj), outer))
        elif kind == _IMAGE:
            self._image(obj, _multiply(self._own_matrix(obj), outer))
        elif kind == _FORM:
            matrix = _multiply(self._own_matrix(obj), outer)
            for i in range(pdfium_c.FPDFFormObj_CountObjects(obj)):
                self._object(pdfium_c.FPDFFormObj_GetObject(obj, i), matrix)

    def _own_matrix(self, obj) -> tuple:
        m = self._matrix
        if not pdfium_c.FPDFPageObj_GetMatrix(obj, ctypes.byref(m)):
            return _IDENTITY
        return (m.a, m.b, m.c, m.d, m.e, m.f)

    def _image(self, obj, matrix: tuple) -> None:
        a, b, c, d, e, f = matrix          # the unit square, placed
        xs = (e, a + e, c + e, a + c + e)
        ys = (f, b + f, d + f, b + d + f)
        width, height = ctypes.c_uint(), ctypes.c_uint()
        if not pdfium_c.FPDFImageObj_GetImagePixelSize(obj, ctypes.byref(width), ctypes.byref(height)):
            width.value = height.value = 0
        self.content.images.append(Picture(min(xs), min(ys), max(xs), max(ys), (width.value, height.value)))

    def _path(self, obj, matrix: tuple) -> None:
        fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
        pdfium_c.FPDFPath_GetDrawMode(obj, ctypes.byref(fill_mode), ctypes.byref(stroke))
        width = ctypes.c_float()
        linewidth = width.value if pdfium_c.FPDFPageObj_GetStrokeWidth(obj, ctypes.byref(width)) else 1.0
        a, b, c, d, e, f = matrix
        path: list[tuple] = []
        bezier_points = 0
        for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
            segment = pdfium_c.FPDFPath_GetPathSegment(obj, i)
            pdfium_c.FPDFPathSegment_GetPoint(segment, ctypes.byref(self._x), ctypes.byref(self._y))
            x, y = self._x.value, self._y.value
            point = (a * x + c * y + e, b * x + d * y + f)
            kind = pdfium_c.FPDFPathSegment_GetType(segment)
            if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
                path.append(("m", point))
            elif kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:   # pdfium: 3 segments (2 controls, end); pdfminer: 1
                bezier_points += 1
                if bezier_points % 3:
                    continue
                path.append(("c", point))
            else:
                path.append(("l", point))
            if pdfium_c.FPDFPathSegment_GetClose(segment):
                path.append(("h", None))
        fill = fill_mode.value != pdfium_c.FPDF_FILLMODE_NONE
        evenodd = fill_mode.value == pdfium_c.FPDF_FILLMODE_ALTERNATE
        shape = "".join(op for op, _ in path)
        for match in _SHAPES.finditer(shape):
            item = _painted(path[match.start():match.end()], linewidth, bool(stroke.value), fill, evenodd)
            if item is not None:
                self.content.graphics.append(item)


def _painted(subpath: list[tuple], linewidth: float, stroke: bool, fill: bool, evenodd: bool):
    """pdfminer's ``paint_path`` for one subpath: a line, a rectangle or a curve."""
    from pdfminer.layout import LTCurve, LTLine, LTRect

    shape = "".join(op for op, _ in subpath)
    pts = [point if point is not None else subpath[0][1] for _, point in subpath]
    original = [(op, point) if point is not None else (op,) for op, point in subpath]
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts.pop()
    if shape in ("mlh", "ml"):
        return LTLine(linewidth, pts[0], pts[1], stroke, fill, evenodd, None, None, original_path=original)
    if shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
        if pts[0] == pts[4] and square:
            return LTRect(linewidth, (*pts[0], *pts[2]), stroke, fill, evenodd, None, None, original)
    if len(pts) < 2:
        return None
    return LTCurve(linewidth, pts, stroke, fill, evenodd, None, None, original)
