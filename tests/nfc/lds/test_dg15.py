"""DG15: the active-authentication public key."""
from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from eid.nfc.errors import LdsFormatError
from eid.nfc.lds import dg15


def test_dg15_round_trips_and_loads_the_key(ec_aa_key: ec.EllipticCurvePrivateKey,
                                            rsa_aa_key: rsa.RSAPrivateKey) -> None:
    for key in (ec_aa_key, rsa_aa_key):
        spki = key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
        data = dg15.Dg15(spki).dump()
        assert dg15.parse(data).dump() == data
        assert dg15.parse(data).public_key() == key.public_key()


@pytest.mark.parametrize("data", [bytes.fromhex("6F0130"), bytes.fromhex("6E00")])
def test_malformed_dg15_is_rejected(data: bytes) -> None:
    with pytest.raises(LdsFormatError):
        dg15.parse(data).public_key()
