"""DG14 and EF.CardAccess: SecurityInfos inside their wrappers."""
from __future__ import annotations

import pytest

from eid.nfc.errors import LdsFormatError
from eid.nfc.lds import dg14
from eid.nfc.security_infos import ActiveAuthenticationInfo, PaceInfo
from tests.nfc import icao_vectors as v


def test_dg14_round_trips_and_names_the_aa_algorithm() -> None:
    group = dg14.Dg14((ActiveAuthenticationInfo("0.4.0.127.0.7.1.1.4.1.3").to_security_info(),))
    data = group.dump()
    assert data[0] == 0x6E
    assert dg14.parse(data) == group and dg14.parse(data).dump() == data
    assert group.active_authentication == ActiveAuthenticationInfo("0.4.0.127.0.7.1.1.4.1.3")


def test_card_access_of_appendix_g_round_trips() -> None:
    data = bytes.fromhex(v.G_CARD_ACCESS)
    access = dg14.parse_card_access(data)
    assert access.pace == (PaceInfo(),)
    assert access.dump() == data


def test_wrong_wrapper_is_rejected() -> None:
    with pytest.raises(LdsFormatError):
        dg14.parse(bytes.fromhex("6F00"))
