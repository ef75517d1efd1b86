"""read_card over the simulated chip: PACE first, BAC fallback, files, AA."""
from __future__ import annotations

from dataclasses import replace

import pytest

from eid.nfc import reader
from eid.nfc.errors import AccessKeyMissing, BacFailed, PaceFailed
from eid.nfc.mrz import MrzKey
from eid.nfc.sim import CardImage, SimulatedChip
from eid.nfc.sim.issuer import synthetic_face_jpeg
from eid.nfc.transport import Channel
from tests.nfc.conftest import CHALLENGE


def test_pace_with_the_can_reads_every_file(card: CardImage) -> None:
    chip = SimulatedChip(card)
    result = reader.read_card(chip, can=card.can, challenge=CHALLENGE)
    assert result.access == "PACE"
    assert result.files == {n: card.files[n] for n in ("COM", "SOD", "DG1", "DG2", "DG13", "DG15")}
    assert result.aa_signature is not None and len(result.aa_signature) == 256
    assert result.card_access == card.files["CardAccess"]
    assert chip.log[0][0] == bytes.fromhex("00B09C00DF")  # EF.CardAccess by SFI, not via MF


def test_wrong_can_falls_back_to_bac_with_the_mrz(card: CardImage) -> None:
    result = reader.read_card(SimulatedChip(card), can="000000", mrz=card.mrz.key())
    assert result.access == "BAC"
    assert result.files["DG1"] == card.files["DG1"]
    assert result.aa_signature is None


def test_chip_without_card_access_uses_bac(card: CardImage) -> None:
    files = {k: v for k, v in card.files.items() if k != "CardAccess"}
    result = reader.read_card(SimulatedChip(replace(card, files=files)), can=card.can,
                              mrz=card.mrz.key())
    assert result.access == "BAC" and result.card_access is None


def test_mrz_only_goes_straight_to_bac(card: CardImage) -> None:
    chip = SimulatedChip(card)
    assert reader.read_card(chip, mrz=card.mrz.key()).access == "BAC"
    assert chip.log[0][0] == bytes.fromhex("00A4040C07A0000002471001")


def test_wrong_can_without_mrz_raises_pace_failed(card: CardImage) -> None:
    with pytest.raises(PaceFailed):
        reader.read_card(SimulatedChip(card), can="000000")


def test_wrong_mrz_raises_bac_failed(card: CardImage) -> None:
    wrong = MrzKey(card.mrz.document_number, "000101", card.mrz.expiry_field)
    with pytest.raises(BacFailed):
        reader.read_card(SimulatedChip(card), mrz=wrong)


def test_no_access_key_is_refused(card: CardImage) -> None:
    with pytest.raises(AccessKeyMissing):
        reader.read_card(SimulatedChip(card))


def test_file_beyond_32k_is_read_with_odd_ins(card: CardImage) -> None:
    big = b"\x75\x82\x90\x00" + bytes(0x9000)
    chip = SimulatedChip(replace(card, files={**card.files, "DG2": big}))
    channel = Channel(chip)
    reader.open_session(channel, can=card.can, mrz=None, rng=chip.rng)
    assert reader.read_file(channel, "DG2") == big
    assert any(command[1] == 0xB1 for command, _ in chip.log)


def test_generated_face_is_small_and_synthetic() -> None:
    assert len(synthetic_face_jpeg()) < 2000


def test_file_with_a_three_byte_length_is_read_whole(card: CardImage) -> None:
    odd = b"\x75\x83\x00\x01\x00" + bytes(0x100)
    chip = SimulatedChip(replace(card, files={**card.files, "DG2": odd}))
    channel = Channel(chip)
    reader.open_session(channel, can=card.can, mrz=None, rng=chip.rng)
    assert reader.read_file(channel, "DG2") == odd
