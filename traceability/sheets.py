"""Print-ready stamp sheets (PDF, reportlab): A4 label sheets and thermal-printer rolls.

Each label: the QR code on the left; on the right the product, the cooperative (in full: the
words shrink to fit, on up to two lines each), the lot, the harvest date, the OCOP stars, "Quét để
truy xuất nguồn gốc" and the stamp's short code. Text is set in DejaVu Sans (a Vietnamese subset ships in
traceability/fonts) so every diacritic prints.
"""

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from reportlab import rl_config
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from traceability.qr import Raster

rl_config.useA85 = 0  # binary image streams: smaller PDFs, and no pure-Python ASCII85 per QR

FONTS = Path(__file__).parent / "fonts"
# DejaVu Sans with every Vietnamese letter, registered once for every PDF the project draws (the stamp
# sheets here, the dashboards' monthly report in marketplace/reports/exports.py).
FONT, FONT_BOLD = "DejaVu", "DejaVu-Bold"
pdfmetrics.registerFont(TTFont(FONT, FONTS / "DejaVuSans-vi.ttf"))
pdfmetrics.registerFont(TTFont(FONT_BOLD, FONTS / "DejaVuSans-Bold-vi.ttf"))


@dataclass(frozen=True)
class Layout:
    page_width: float
    page_height: float
    columns: int
    rows: int
    label_width: float
    label_height: float
    margin_left: float = 0
    margin_top: float = 0
    gap_x: float = 0
    gap_y: float = 0

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def origin(self, index: int) -> tuple[float, float]:
        """Bottom-left corner of the index-th label of a page (reportlab's origin is bottom-left)."""
        row, column = divmod(index, self.columns)
        x = self.margin_left + column * (self.label_width + self.gap_x)
        y = self.page_height - self.margin_top - (row + 1) * self.label_height - row * self.gap_y
        return x, y


LAYOUTS = {
    "a4-3x8": Layout(210 * mm, 297 * mm, 3, 8, 70 * mm, 36 * mm, margin_top=4.5 * mm),
    "a4-4x10": Layout(
        210 * mm, 297 * mm, 4, 10, 48.5 * mm, 27 * mm, margin_left=8 * mm, margin_top=13.5 * mm
    ),
    "roll-50x30": Layout(50 * mm, 30 * mm, 1, 1, 50 * mm, 30 * mm),
}


@dataclass(frozen=True)
class LabelText:
    product: str
    producer: str
    lot: str
    stars: int | None
    harvest_date: str = ""  # as printed: "12/06/2026"


@dataclass(frozen=True)
class LabelStamp:
    short_code: str
    qr: Raster


def render_sheets(
    *,
    layout_name: str,
    text: LabelText,
    stamps: Iterable[LabelStamp],
    cut_marks: bool = False,
    on_progress: Callable[[int], None] | None = None,
    progress_every: int = 500,
) -> bytes:
    layout = LAYOUTS[layout_name]
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(layout.page_width, layout.page_height), pageCompression=1)
    canvas.setTitle(f"Tem truy xuất {text.product} – lô {text.lot}")
    # The words are the same on every label of a run: drawn once as a form, placed on each label.
    canvas.beginForm("label-text")
    _label_text(canvas, layout, text)
    canvas.endForm()
    done = 0
    for done, stamp in enumerate(stamps, start=1):
        index = (done - 1) % layout.per_page
        if index == 0 and done > 1:
            canvas.showPage()
        if index == 0 and cut_marks:
            _cut_marks(canvas, layout)
        _label(canvas, layout, *layout.origin(index), stamp)
        if on_progress and done % progress_every == 0:
            on_progress(done)
    canvas.showPage()
    canvas.save()
    if on_progress:
        on_progress(done)
    return buffer.getvalue()


PAD = 1.5 * mm


def _text_size(layout: Layout) -> float:
    return max(5.5, min(8.0, layout.label_height / mm * 0.24))


def _label(canvas: Canvas, layout: Layout, x: float, y: float, stamp: LabelStamp) -> None:
    side = layout.label_height - 2 * PAD
    canvas.drawImage(ImageReader(stamp.qr.image()), x + PAD, y + PAD, side, side)
    canvas.saveState()
    canvas.translate(x, y)
    canvas.doForm("label-text")
    canvas.restoreState()
    canvas.setFont("DejaVu", _text_size(layout) * 0.75)
    canvas.drawString(x + layout.label_height + 1.5 * mm - PAD, y + PAD + 0.5 * mm, stamp.short_code)


SCAN_HINT = "Quét để truy xuất nguồn gốc"
SMALLEST = 3.5  # points: the smallest the words get before a name is cut (never on real names)


@dataclass(frozen=True)
class _Block:
    value: str
    font: str
    scale: float  # of the label's text size
    lines: int  # at most


def _blocks(text: LabelText) -> list[_Block]:
    dated = f"Thu hoạch {text.harvest_date}" if text.harvest_date else ""
    return [
        _Block(text.product, "DejaVu-Bold", 1.0, 2),
        _Block(text.producer, "DejaVu", 0.85, 2),
        _Block(f"Lô {text.lot}", "DejaVu", 0.85, 1),
        _Block(dated, "DejaVu", 0.85, 1),
        _Block("OCOP " + "★" * text.stars if text.stars else "", "DejaVu", 0.85, 1),
        _Block(SCAN_HINT, "DejaVu-Bold", 0.8, 2),
    ]


def _text_box(layout: Layout) -> tuple[float, float, float, float]:
    """(left, width, top, bottom) of the label's words, the short code's line kept free below them."""
    side = layout.label_height - 2 * PAD
    left = PAD + side + 1.5 * mm
    bottom = PAD + 0.5 * mm + _text_size(layout) * 0.75 + 0.8 * mm
    return left, layout.label_width - PAD - left, layout.label_height - PAD, bottom


def _set(text: LabelText, layout: Layout) -> tuple[float, list[tuple[_Block, list[str]]]]:
    """The largest size (from the layout's own down to SMALLEST) at which every block fits whole in
    its lines and all of them in the label's height; at SMALLEST, what still does not fit is cut."""
    _left, width, top, bottom = _text_box(layout)
    blocks = [block for block in _blocks(text) if block.value]
    size = _text_size(layout)
    while True:
        lines = [(b, _wrap(b.value, b.font, size * b.scale, width, lines=b.lines)) for b in blocks]
        whole = all(len(_wrap(b.value, b.font, size * b.scale, width, lines=99)) <= b.lines for b in blocks)
        height = sum(len(parts) * size * b.scale * 1.2 for b, parts in lines)
        if (whole and height <= top - bottom) or size <= SMALLEST:
            return size, lines
        size = max(SMALLEST, size - 0.25)


def _label_text(canvas: Canvas, layout: Layout, text: LabelText) -> None:
    """The label's words, drawn relative to the label's bottom-left corner."""
    left, _width, top, _bottom = _text_box(layout)
    size, blocks = _set(text, layout)
    for block, parts in blocks:
        block_size = size * block.scale
        canvas.setFont(block.font, block_size)
        for part in parts:
            top -= block_size
            canvas.drawString(left, top, part)
            top -= block_size * 0.2


def _cut_marks(canvas: Canvas, layout: Layout) -> None:
    canvas.setLineWidth(0.25)
    tick = 2.5 * mm
    xs = {layout.origin(c)[0] for c in range(layout.columns)} | {
        layout.origin(layout.columns - 1)[0] + layout.label_width
    }
    top = layout.page_height - layout.margin_top
    bottom = layout.origin(layout.per_page - 1)[1]
    for x in xs:
        canvas.line(x, top, x, top + tick)
        canvas.line(x, bottom, x, bottom - tick)


def _fit(value: str, font: str, size: float, width: float) -> str:
    if pdfmetrics.stringWidth(value, font, size) <= width:
        return value
    while value and pdfmetrics.stringWidth(value + "…", font, size) > width:
        value = value[:-1]
    return value + "…"


def _wrap(value: str, font: str, size: float, width: float, *, lines: int) -> list[str]:
    words, result, current = value.split(), [], ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if pdfmetrics.stringWidth(candidate, font, size) <= width:
            current = candidate
        else:
            result.append(current)
            current = word
    result.append(current)
    if len(result) > lines:
        result = result[: lines - 1] + [_fit(" ".join(result[lines - 1 :]), font, size, width)]
    return [part for part in result if part]


def stamps_csv(rows: Iterable[tuple[int, str, str, str]]) -> str:
    """number, serial, short code, URL: one line per stamp, for commercial printers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["number", "serial", "short_code", "url"])
    writer.writerows(rows)
    return buffer.getvalue()
