"""EF.COM: the Appendix D file parses and dumps back identically."""
from __future__ import annotations

import pytest

from eid.nfc.errors import LdsFormatError
from eid.nfc.lds import com
from tests.nfc import icao_vectors as v


def test_ef_com_of_appendix_d_round_trips() -> None:
    data = bytes.fromhex(v.D_EF_COM)
    parsed = com.parse(data)
    assert parsed == com.Com("0106", "040000", (0x61, 0x75))
    assert parsed.dump() == data


@pytest.mark.parametrize("hex_data", ["6100", "60035F0100", "6004" + "5C026175"])
def test_malformed_ef_com_is_rejected(hex_data: str) -> None:
    with pytest.raises(LdsFormatError):
        com.parse(bytes.fromhex(hex_data))
