"""Decoding QR codes in photos with pyzbar (ZBar), tolerant of the usual phone photo:
the image is tried as is, in greyscale, and enlarged.

The text is read from the symbol's raw bytes, not from ZBar's guess of their
encoding. A byte-mode segment without an ECI header (ISO/IEC 18004 §7.4.2) names no
character set, and ZBar picks one by trying Shift-JIS first: many UTF-8 Vietnamese
names are also valid Shift-JIS, so "Nữ" came back as "N盻ｯ". Card QRs are UTF-8, so
the raw bytes (``ZBAR_CFG_BINARY``) are decoded as UTF-8; bytes that are not UTF-8
keep ZBar's own conversion.
"""
from __future__ import annotations

import io
from ctypes import string_at

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 40_000_000
ZBAR_CFG_BINARY = 4  # zbar.h (0.23+): "don't convert binary data to text"; pyzbar names no constant
_Y800 = 808466521  # ZBar's fourcc for 8-bit greyscale


def _scan(img: Image.Image, *, binary: bool) -> list[bytes] | None:
    """Every QR symbol's data in ``img`` (greyscale): raw bytes when ``binary``, else
    ZBar's UTF-8 conversion. None when this ZBar cannot return raw bytes."""
    from pyzbar import wrapper as zb
    from pyzbar.pyzbar import ZBarSymbol

    pixels = img.tobytes()
    scanner = zb.zbar_image_scanner_create()
    image = zb.zbar_image_create()
    try:
        zb.zbar_image_scanner_set_config(scanner, 0, zb.ZBarConfig.CFG_ENABLE, 0)
        zb.zbar_image_scanner_set_config(scanner, ZBarSymbol.QRCODE, zb.ZBarConfig.CFG_ENABLE, 1)
        if binary and zb.zbar_image_scanner_set_config(scanner, ZBarSymbol.QRCODE,
                                                       ZBAR_CFG_BINARY, 1) != 0:
            return None
        zb.zbar_image_set_format(image, _Y800)
        zb.zbar_image_set_size(image, img.width, img.height)
        zb.zbar_image_set_data(image, pixels, len(pixels), None)  # c_void_p takes bytes
        if zb.zbar_scan_image(scanner, image) <= 0:
            return []
        found, symbol = [], zb.zbar_image_first_symbol(image)
        while symbol:
            found.append(string_at(zb.zbar_symbol_get_data(symbol),
                                   zb.zbar_symbol_get_data_length(symbol)))
            symbol = zb.zbar_symbol_next(symbol)
        return found
    finally:
        zb.zbar_image_destroy(image)
        zb.zbar_image_scanner_destroy(scanner)


def _texts(img: Image.Image) -> list[str]:
    raw = _scan(img, binary=True)
    if raw:
        try:
            return [data.decode("utf-8") for data in raw]
        except UnicodeDecodeError:
            pass  # not UTF-8 (e.g. a genuine Shift-JIS or Latin-1 code): ZBar's conversion
    elif raw == []:
        return []
    return [data.decode("utf-8", errors="replace") for data in _scan(img, binary=False) or []]


def decode_all(data: bytes) -> list[str]:
    try:
        img: Image.Image = Image.open(io.BytesIO(data))
        if img.width * img.height > MAX_PIXELS:
            return []
        img = ImageOps.exif_transpose(img).convert("L")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return []
    for candidate in (img, ImageOps.autocontrast(img), img.resize((img.width * 2, img.height * 2))):
        found = _texts(candidate)
        if found:
            return found
    return []


def decode_first(data: bytes) -> str | None:
    texts = decode_all(data)
    return texts[0] if texts else None
