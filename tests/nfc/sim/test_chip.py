"""The simulated chip's behaviour as listed in cccd-chip.md."""
from __future__ import annotations

import pytest

from eid.nfc import bac, commands, pace
from eid.nfc.errors import AccessDenied, FileNotFoundOnCard, SecureMessagingError
from eid.nfc.mrz import Mrz
from eid.nfc.rng import ScriptedRng
from eid.nfc.sim import CardImage, SimulatedChip
from eid.nfc.transport import Channel
from tests.nfc import icao_vectors as v


def opened(card: CardImage) -> tuple[SimulatedChip, Channel]:
    chip = SimulatedChip(card)
    channel = Channel(chip)
    pace.perform(channel, pace.PacePassword.from_can(card.can), card.pace or pace.PaceInfo(),
                 rng=chip.rng)
    channel.call(commands.select_aid(), "SELECT")
    return chip, channel


def test_select_mf_answers_6d00(card: CardImage) -> None:
    assert SimulatedChip(card).transceive(commands.select_mf().encode()) == bytes.fromhex("6D00")


def test_card_access_is_readable_in_plain_but_dg1_is_not(card: CardImage) -> None:
    chip = SimulatedChip(card)
    channel = Channel(chip)
    assert channel.call(commands.read_binary_sfi(0x1C, 0, 0xDF), "READ") == card.files["CardAccess"]
    channel.call(commands.select_aid(), "SELECT")
    with pytest.raises(AccessDenied):
        channel.call(commands.select_ef(0x0101), "SELECT DG1")


def test_chip_replays_appendix_d_bac_and_secure_messaging() -> None:
    mrz = Mrz("TD3", "P", "UTO", "L898902C", "690806", "F", "940623", "UTO", "ERIKSSON<<ANNA")
    card = CardImage({"COM": bytes.fromhex(v.D_EF_COM)}, mrz, "000000", pace=None)
    chip = SimulatedChip(card, rng=ScriptedRng([v.D_RND_IC, v.D_K_IC]))
    chip.transceive(commands.select_aid().encode())
    for command, response in v.D_TRANSCRIPT + v.D_SM_TRANSCRIPT:
        assert chip.transceive(bytes.fromhex(command)).hex().upper() == response


def test_wrong_bac_key_gets_6300(card: CardImage) -> None:
    chip = SimulatedChip(card)
    chip.transceive(commands.select_aid().encode())
    rnd_ic = chip.transceive(commands.get_challenge().encode())[:8]
    wrong = bac.BacKeys.from_seed(bytes(16))
    data = bac.terminal_cryptogram(wrong, rnd_ic, bytes(8), bytes(16))
    assert chip.transceive(commands.external_authenticate(data).encode()) == bytes.fromhex("6300")


@pytest.mark.parametrize(("wire", "status"), [
    ("0CB000000397010400", "6987"),
    ("0CB000000D9701048E080000000000000000" + "00", "6988"),
])
def test_sm_errors_answer_in_plain_and_drop_the_session(card: CardImage, wire: str,
                                                        status: str) -> None:
    chip, channel = opened(card)
    assert chip.transceive(bytes.fromhex(wire)) == bytes.fromhex(status)
    assert chip.sm is None
    with pytest.raises(SecureMessagingError):
        channel.call(commands.select_ef(0x0101), "SELECT DG1")


def test_plain_command_ends_the_session(card: CardImage) -> None:
    chip, _ = opened(card)
    assert chip.transceive(commands.select_ef(0x0101).encode()) == bytes.fromhex("6982")
    assert chip.sm is None


def test_internal_authenticate_needs_secure_messaging(card: CardImage) -> None:
    chip = SimulatedChip(card)
    answer = chip.transceive(commands.internal_authenticate(bytes(8)).encode())
    assert answer == bytes.fromhex("6982")
    chip, channel = opened(card)
    assert len(channel.call(commands.internal_authenticate(bytes(8)), "AA")) == 256


def test_unknown_instruction_and_missing_file(card: CardImage) -> None:
    _chip, channel = opened(card)
    with pytest.raises(FileNotFoundOnCard):
        channel.call(commands.select_ef(0x0105), "SELECT DG5")
    assert SimulatedChip(card).transceive(bytes.fromhex("00CA000000")) == bytes.fromhex("6D00")


def test_reset_forgets_every_session(card: CardImage) -> None:
    chip, _ = opened(card)
    chip.reset()
    assert chip.sm is None and not chip.app_selected
