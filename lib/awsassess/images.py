"""What an image file is, from its bytes (never from its name).

The report inlines the params' ``report.logo``. Its type used to come from the file name: a link
named ``logo.png`` to any readable file was embedded into the client's report. :func:`image_type`
reads the first bytes: PNG, JPEG, GIF and WebP by their signatures, SVG by its root element.
"""

from __future__ import annotations

import re
from pathlib import Path

MAX_LOGO_BYTES = 2 * 1024 * 1024
_SVG_ROOT = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]", re.S | re.I)


def image_type(data: bytes) -> str | None:
    """The MIME type of an image given its bytes: image/png, image/jpeg, image/gif, image/webp or
    image/svg+xml; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if _SVG_ROOT.match(data.removeprefix(b"\xef\xbb\xbf")[:4096]):
        return "image/svg+xml"
    return None


def check_logo(path: Path) -> str:
    """The logo's MIME type, or ValueError saying what is wrong with it and how to fix it."""
    if not path.is_file():
        raise ValueError(f"{path} does not exist (or is not a file). Fix: give the path of a PNG or SVG file, or null")
    size = path.stat().st_size
    if size > MAX_LOGO_BYTES:
        raise ValueError(f"{path} is {size / 1e6:.1f} MB; a logo must be under {MAX_LOGO_BYTES // 1024 // 1024} MB. "
                         "Fix: export a smaller PNG or an SVG")
    with path.open("rb") as fh:
        mime = image_type(fh.read(4096))
    if mime is None:
        raise ValueError(f"{path} is not a PNG, JPEG, GIF, WebP or SVG image (judged by its content, not its name). "
                         "Fix: convert it to PNG or SVG")
    return mime
