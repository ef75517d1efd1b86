"""DG1: the MRZ inside 61/5F1F, TD1 and TD3."""
from __future__ import annotations

import pytest

from eid.nfc import mrz, tlv
from eid.nfc.errors import LdsFormatError
from eid.nfc.lds import dg1
from tests.nfc.test_mrz import TD1_SPECIMEN, TD3_SPECIMEN


@pytest.mark.parametrize("text", [TD1_SPECIMEN, TD3_SPECIMEN])
def test_dg1_round_trips(text: str) -> None:
    group = dg1.Dg1(mrz.parse(text))
    data = group.dump()
    assert data[:4] in (bytes.fromhex("615D5F1F"), bytes.fromhex("615B5F1F"))
    assert dg1.parse(data) == group
    assert dg1.parse(data).dump() == data


@pytest.mark.parametrize("data", [
    tlv.encode(0x61, tlv.encode(0x5F1F, b"TOO<SHORT")),
    tlv.encode(0x61, tlv.encode(0x5F1F, TD3_SPECIMEN.replace("\n", "").replace("14", "15").encode())),
    tlv.encode(0x62, b""),
])
def test_malformed_dg1_is_rejected(data: bytes) -> None:
    with pytest.raises(LdsFormatError):
        dg1.parse(data)
