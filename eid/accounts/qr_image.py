"""Decoding QR codes in photos with pyzbar (ZBar), tolerant of the usual phone photo:
the image is tried as is, in greyscale, and enlarged."""
from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 40_000_000


def decode_all(data: bytes) -> list[str]:
    from pyzbar.pyzbar import ZBarSymbol, decode

    try:
        img: Image.Image = Image.open(io.BytesIO(data))
        if img.width * img.height > MAX_PIXELS:
            return []
        img = ImageOps.exif_transpose(img).convert("L")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return []
    for candidate in (img, ImageOps.autocontrast(img), img.resize((img.width * 2, img.height * 2))):
        found = decode(candidate, symbols=[ZBarSymbol.QRCODE])
        if found:
            return [f.data.decode("utf-8", errors="replace") for f in found]
    return []


def decode_first(data: bytes) -> str | None:
    texts = decode_all(data)
    return texts[0] if texts else None
