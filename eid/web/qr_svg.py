"""The QR code drawn as an SVG data URI: ``qrcode`` encodes, we draw one path."""
from __future__ import annotations

import base64

import qrcode
import qrcode.constants


def svg_data_uri(uri: str) -> str:
    """A fixed mask pattern (all eight are valid, ISO/IEC 18004 §7.8) skips qrcode's
    pure-Python search for the best one, which costs ~8 ms per code; rotation draws a
    new code every 25 s for every waiting desktop."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, mask_pattern=2)
    qr.add_data(uri)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    size = len(matrix)
    path = "".join(f"M{x} {y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row)
                   if dark)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
           f'shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>'
           f'<path d="{path}" fill="#000"/></svg>')
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
