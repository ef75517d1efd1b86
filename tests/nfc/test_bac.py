"""BAC replays 9303-11 Appendix D byte for byte, terminal and chip side."""
from __future__ import annotations

import pytest

from eid.nfc import bac, commands
from eid.nfc.errors import BacFailed, TransportError
from eid.nfc.mrz import MrzKey
from eid.nfc.rng import ScriptedRng
from eid.nfc.transport import Channel, ScriptedTransport
from tests.nfc import icao_vectors as v

KEY = MrzKey("L898902C", "690806", "940623")


def terminal_rng() -> ScriptedRng:
    return ScriptedRng([v.D_RND_IFD, v.D_K_IFD])


def test_terminal_replays_appendix_d_and_derives_the_session() -> None:
    transport = ScriptedTransport(v.D_TRANSCRIPT)
    channel = Channel(transport)
    result = bac.perform(channel, KEY, rng=terminal_rng())
    assert transport.finished
    assert result.keys.ks_enc.hex().upper() == v.D_KSENC
    assert result.keys.ks_mac.hex().upper() == v.D_KSMAC
    assert result.ssc == v.D_SSC
    assert channel.sm is not None and channel.sm.ssc == v.D_SSC


def test_chip_answer_reproduces_the_published_cryptogram() -> None:
    keys = bac.BacKeys.from_mrz(KEY)
    command = bytes.fromhex(v.D_E_IFD + v.D_M_IFD)
    answer, result = bac.chip_answer(keys, command, bytes.fromhex(v.D_RND_IC),
                                     bytes.fromhex(v.D_K_IC))
    assert answer.hex().upper() == v.D_E_IC + v.D_M_IC
    assert result.ssc == v.D_SSC


def test_wrong_mrz_gets_6300_and_raises_bac_failed() -> None:
    wrong = MrzKey("L898902C", "690806", "940624")
    cryptogram = bac.terminal_cryptogram(bac.BacKeys.from_mrz(wrong), bytes.fromhex(v.D_RND_IC),
                                         bytes.fromhex(v.D_RND_IFD), bytes.fromhex(v.D_K_IFD))
    transport = ScriptedTransport([
        ("0084000008", v.D_RND_IC + "9000"),
        (commands.external_authenticate(cryptogram).encode(), "6300"),
    ])
    with pytest.raises(BacFailed) as caught:
        bac.perform(Channel(transport), wrong, rng=terminal_rng())
    assert caught.value.details["sw"] == 0x6300


@pytest.mark.parametrize("answer", [
    v.D_E_IC + "0000000000000000",       # MAC does not verify
    v.D_E_IC[:-2] + "00" + v.D_M_IC,      # cryptogram altered
    v.D_E_IC,                             # truncated
])
def test_chip_answer_that_fails_checks_is_rejected(answer: str) -> None:
    keys = bac.BacKeys.from_mrz(KEY)
    with pytest.raises(BacFailed):
        bac.complete(keys, bytes.fromhex(answer), bytes.fromhex(v.D_RND_IC),
                     bytes.fromhex(v.D_RND_IFD), bytes.fromhex(v.D_K_IFD))


def test_chip_refuses_a_terminal_with_the_wrong_key() -> None:
    wrong = bac.BacKeys.from_mrz(MrzKey("L898902C", "690806", "940624"))
    data = bac.terminal_cryptogram(wrong, bytes.fromhex(v.D_RND_IC), bytes.fromhex(v.D_RND_IFD),
                                   bytes.fromhex(v.D_K_IFD))
    with pytest.raises(BacFailed):
        bac.chip_answer(bac.BacKeys.from_mrz(KEY), data, bytes.fromhex(v.D_RND_IC), bytes(16))


def test_scripted_transport_rejects_an_unexpected_command() -> None:
    transport = ScriptedTransport([("0084000008", "9000")])
    with pytest.raises(TransportError):
        transport.transceive(bytes.fromhex("00A4000C"))
