"""SecurityInfos (EF.CardAccess, DG14): typed views and byte-exact round trips."""
from __future__ import annotations

import pytest

from eid.nfc import security_infos
from eid.nfc.errors import LdsFormatError
from eid.nfc.security_infos import ActiveAuthenticationInfo, PaceInfo, SecurityInfo
from eid.nfc.tlv import Tlv
from tests.nfc import icao_vectors as v


def test_card_access_of_appendix_g_offers_pace_gm_on_brainpool() -> None:
    data = bytes.fromhex(v.G_CARD_ACCESS)
    infos = security_infos.parse(data)
    assert security_infos.pace_infos(infos) == (PaceInfo(security_infos.PACE_ECDH_GM_AES_128, 2, 13),)
    assert security_infos.dump(infos) == data
    info = security_infos.pace_infos(infos)[0]
    assert (info.agreement, info.mapping, info.cipher, info.key_bits) == ("ECDH", "GM", "AES", 128)


def test_unknown_protocols_survive_a_round_trip() -> None:
    odd = SecurityInfo("1.2.3.4", (Tlv(0x02, b"\x01"), Tlv(0x04, b"abc")))
    aa = ActiveAuthenticationInfo("0.4.0.127.0.7.1.1.4.1.3").to_security_info()
    data = security_infos.dump((odd, aa))
    parsed = security_infos.parse(data)
    assert parsed == (odd, aa)
    assert security_infos.aa_info(parsed) == ActiveAuthenticationInfo("0.4.0.127.0.7.1.1.4.1.3")
    assert security_infos.pace_infos(parsed) == ()


@pytest.mark.parametrize("hex_data", ["3003020101", "31033001FF", "31053003020101", "30"])
def test_malformed_security_infos_are_rejected(hex_data: str) -> None:
    with pytest.raises(LdsFormatError):
        security_infos.parse(bytes.fromhex(hex_data))
