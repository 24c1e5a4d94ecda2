"""QR codes for stamps, drawn with segno.

Labels use error correction level M (15 % of the code can be scratched or wet) and the standard
4-module quiet zone. Stamp URLs are written in upper case so that segno picks the compact
alphanumeric mode. The mask pattern is fixed (``STAMP_MASK``): segno otherwise tries all eight
masks per code, which costs about 5x the time of the encoding itself (see bench/stamps.py);
every mask gives a valid code, and the tests decode every code of a printed sheet.
"""

import contextlib
import ctypes
import gc
import io
import multiprocessing
import os
import signal
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import segno
from PIL import Image

ERROR_LEVEL = "m"
QUIET_ZONE = 4
STAMP_MASK = 2
PR_SET_PDEATHSIG = 1  # prctl(2)


def qr_payload(url: str) -> str:
    """The URL as encoded in the QR code: upper case (scheme and host are case-insensitive; our
    paths are upper-case codes and the resolver accepts /T/ as /t/)."""
    return url.upper()


def make_qr(url: str, *, fixed_mask: bool = True) -> segno.QRCode:
    return segno.make(
        qr_payload(url),
        error=ERROR_LEVEL,
        boost_error=False,
        micro=False,
        mask=STAMP_MASK if fixed_mask else None,
    )


@dataclass(frozen=True)
class Raster:
    """A QR code as 8-bit grey pixels, one per module, quiet zone included (picklable, small)."""

    size: int
    pixels: bytes

    def image(self) -> Image.Image:
        return Image.frombytes("L", (self.size, self.size), self.pixels)


# segno's matrix holds 1 for a dark module and 0 for a light one; as grey pixels: 0 black, 255 white.
TO_GREY = bytes([255, 0]) + bytes(254)


def qr_raster(url: str) -> Raster:
    matrix = make_qr(url).matrix
    size = len(matrix) + 2 * QUIET_ZONE
    margin = b"\xff" * QUIET_ZONE
    quiet_rows = b"\xff" * (size * QUIET_ZONE)
    body = b"".join(margin + bytes(row).translate(TO_GREY) + margin for row in matrix)
    return Raster(size=size, pixels=quiet_rows + body + quiet_rows)


def qr_rasters(urls: Iterable[str], *, processes: int | None = None) -> Iterator[Raster]:
    """Encode many codes on every core (segno is pure Python); results come back in order."""
    processes = processes or os.cpu_count() or 1
    if processes == 1:
        yield from map(qr_raster, urls)
        return
    context = multiprocessing.get_context("fork")
    # Without this, each forked worker's garbage collector walks (and so copies) the whole
    # inherited Django heap: encoding got 2x slower in a web or task process than in a script.
    gc.freeze()
    try:
        with context.Pool(processes, initializer=_encoder_started) as pool:
            yield from pool.imap(qr_raster, urls, chunksize=256)
    finally:
        gc.unfreeze()


def _encoder_started() -> None:
    """In each encoding child: forget the parent's signal handlers and die with the parent.

    The children are forked from the task worker, whose SIGTERM handler only asks to "finish
    gracefully": inherited, it made Pool.terminate() (which sends SIGTERM) wait forever on a child, and
    the whole worker with it. An alarm meant for the parent's task must not fire in a child either."""
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGALRM):
        signal.signal(number, signal.SIG_DFL)
    signal.setitimer(signal.ITIMER_REAL, 0)
    # Linux: SIGKILL this child when the worker dies (a killed worker otherwise leaves them waiting).
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:  # the worker died before the line above: do not linger
        os._exit(1)


def qr_svg(url: str, *, scale: int = 4) -> str:
    buffer = io.BytesIO()
    make_qr(url).save(buffer, kind="svg", scale=scale, border=QUIET_ZONE, xmldecl=False, svgns=True, nl=False)
    return buffer.getvalue().decode()


def qr_png(url: str, *, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    make_qr(url).save(buffer, kind="png", scale=scale, border=QUIET_ZONE)
    return buffer.getvalue()
