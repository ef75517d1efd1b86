"""The simulated chip under nfcpy: real Type4ATag, real ISO-DEP stack, end to end."""
from __future__ import annotations

import nfc
import nfc.clf
import nfc.tag
import nfc.tag.tt4

from eid.nfc.nfcpy_reader import NfcpyTransport, connect_tag
from eid.nfc.reader import read_card
from eid.nfc.sim import CardImage, SimulatedChip, SimulatedPki
from eid.nfc.sim.nfcpy_frontend import ATS, simulated_frontend
from eid.nfc.verify import verify_card_read
from tests.nfc.conftest import CHALLENGE, NOW


def test_activate_returns_nfcpys_type4a_tag(card: CardImage) -> None:
    clf = simulated_frontend(SimulatedChip(card))
    target = clf.sense(nfc.clf.RemoteTarget("106A"))
    tag = nfc.tag.activate(clf, target)
    assert type(tag) is nfc.tag.tt4.Type4ATag
    assert clf.device.frames[0] == (bytes.fromhex("E080"), ATS)
    assert bytes(tag.transceive(bytearray.fromhex("00A4000C023F00"))) == bytes.fromhex("6D00")


def test_card_is_read_and_verified_through_nfcpy(card: CardImage, pki: SimulatedPki) -> None:
    clf = simulated_frontend(SimulatedChip(card))
    transport = connect_tag(clf)
    assert isinstance(transport.tag, nfc.tag.tt4.Type4ATag)
    result = read_card(transport, can=card.can, challenge=CHALLENGE)
    verified = verify_card_read(result.files, result.aa_signature, CHALLENGE,
                                pki.trust_store(), NOW)
    assert verified.dg1.mrz.id_number == "001099012345"
    pcbs = {command[0] for command, _ in clf.device.frames}
    assert {0x02, 0x03} <= pcbs  # I-blocks with both block numbers
    assert any(answer[0] & 0x10 for _, answer in clf.device.frames)  # chained responses
    assert any(command[0] & 0xF6 == 0xA2 for command, _ in clf.device.frames)  # R(ACK) sent


def test_long_command_is_chained_by_nfcpy(card: CardImage) -> None:
    clf = simulated_frontend(SimulatedChip(card))
    transport = connect_tag(clf)
    long_select = bytes.fromhex("00A4040C") + bytes([0xFF]) + bytes(255) + b""
    assert transport.transceive(long_select) == bytes.fromhex("6A82")
    assert any(command[0] & 0x10 for command, _ in clf.device.frames)


def test_non_iso_dep_tag_is_refused() -> None:
    import pytest

    from eid.nfc.errors import TransportError

    with pytest.raises(TransportError):
        NfcpyTransport(object())
