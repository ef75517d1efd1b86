"""Card-QR photos decoded by eid.accounts.qr_image (pyzbar over ZBar)."""
from __future__ import annotations

import io

import pytest
import qrcode

from eid.accounts import qr_image
from tests.accounts.support import demo


def png(data: str | bytes, **kw) -> bytes:  # type: ignore[no-untyped-def]
    code = qrcode.QRCode(**kw)
    code.add_data(data)
    buf = io.BytesIO()
    code.make_image().save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.parametrize("n", [6, 7, 36, 38, 44, 1])
def test_a_utf8_card_qr_that_is_also_valid_shift_jis_reads_as_utf8(n):
    # 6, 7, 36, 38, 44: ZBar guesses Shift-JIS for these names ("Nữ" came back "N盻ｯ")
    d = demo(n)
    assert qr_image.decode_all(png(d.card_qr)) == [d.card_qr]


@pytest.mark.parametrize("text", ["Nữ|Đặng Kim Dương|Bùi Minh Linh", "079199000123||Lê Hồng|Nam",
                                  "plain ascii 0123"])
def test_utf8_text_comes_back_as_written(text):
    assert qr_image.decode_first(png(text.encode("utf-8"))) == text


def test_a_code_whose_bytes_are_not_utf8_keeps_zbars_reading():
    assert qr_image.decode_first(png("日本語のテキスト".encode("shift_jis"))) == "日本語のテキスト"


def test_two_codes_in_one_photo_are_both_read():
    from PIL import Image

    left, right = (Image.open(io.BytesIO(png(t))) for t in ("Nữ một", "Nữ hai"))
    both = Image.new("L", (left.width + right.width, max(left.height, right.height)), 255)
    both.paste(left, (0, 0))
    both.paste(right, (left.width, 0))
    buf = io.BytesIO()
    both.save(buf, format="PNG")
    assert sorted(qr_image.decode_all(buf.getvalue())) == ["Nữ hai", "Nữ một"]
