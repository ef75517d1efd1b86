"""EF.SOD: LDSSecurityObject and the CMS wrapper round-trip."""
from __future__ import annotations

import pytest

from eid.nfc import tlv
from eid.nfc.errors import LdsFormatError
from eid.nfc.lds import sod
from eid.nfc.sim import CardImage, SimulatedPki
from eid.nfc.sim.issuer import build_sod
from eid.nfc.sim.signing import sign_cms
from tests.nfc.conftest import NOW


def test_security_object_round_trips() -> None:
    lso = sod.LdsSecurityObject("sha256", ((1, b"\x01" * 32), (2, b"\x02" * 32)), 1, "0108",
                                "040000")
    assert sod.LdsSecurityObject.parse(lso.dump()) == lso
    plain = sod.LdsSecurityObject("sha1", ((1, b"\x01" * 20),))
    assert sod.LdsSecurityObject.parse(plain.dump()) == plain


def test_issued_sod_round_trips_and_lists_every_group(card: CardImage) -> None:
    data = card.files["SOD"]
    parsed = sod.parse(data)
    assert parsed.dump() == data
    assert [n for n, _ in parsed.security_object.hashes] == [1, 2, 13, 15]
    assert parsed.signed_content().content_type == sod.LDS_SECURITY_OBJECT


def test_sod_of_another_content_type_is_rejected(pki: SimulatedPki) -> None:
    other = tlv.encode(0x77, sign_cms("1.2.3.4", b"\x04\x00", pki.document_signer, now=NOW))
    with pytest.raises(LdsFormatError):
        sod.parse(other)


@pytest.mark.parametrize("data", [b"\x77\x03\x30\x01\x00", b"\x78\x00", b"\x77\x00"])
def test_malformed_sod_is_rejected(data: bytes) -> None:
    with pytest.raises(LdsFormatError):
        sod.parse(data)


def test_sod_builder_hashes_with_the_chosen_algorithm(pki: SimulatedPki) -> None:
    parsed = sod.parse(build_sod({1: b"a", 2: b"b"}, pki.document_signer, now=NOW, digest="sha512"))
    assert parsed.security_object.hash_algorithm == "sha512"
    assert len(parsed.security_object.hash_of(1) or b"") == 64
