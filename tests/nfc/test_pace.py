"""PACE-GM replays 9303-11 Appendix G.1 byte for byte (terminal and chip side)."""
from __future__ import annotations

import pytest

from eid.nfc import pace
from eid.nfc.ecc import BRAINPOOL_P256R1
from eid.nfc.errors import PaceFailed
from eid.nfc.mrz import Mrz, MrzKey
from eid.nfc.rng import ScriptedRng
from eid.nfc.secure_messaging import SessionKeys
from eid.nfc.security_infos import PaceInfo
from eid.nfc.sim.chip import SimulatedChip
from eid.nfc.sim.issuer import CardImage
from eid.nfc.transport import Channel, ScriptedTransport
from tests.nfc import icao_vectors as v

G_KEY = MrzKey("T22000129", "640812", "101031")
INFO = PaceInfo()


def terminal_rng() -> ScriptedRng:
    return ScriptedRng([v.G_SK_MAP_IFD, v.G_SK_EPH_IFD])


def appendix_g_card() -> CardImage:
    mrz = Mrz("TD3", "P", "UTO", "T22000129", "640812", "M", "101031", "UTO", "DOE<<JOE")
    return CardImage({"CardAccess": bytes.fromhex(v.G_CARD_ACCESS)}, mrz, "123456")


def test_terminal_replays_appendix_g_transcript() -> None:
    transport = ScriptedTransport(v.G_TRANSCRIPT)
    channel = Channel(transport)
    result = pace.perform(channel, pace.PacePassword.from_mrz(G_KEY), INFO, rng=terminal_rng(),
                          send_parameter_id=False)
    assert transport.finished
    assert result.keys == SessionKeys("AES", bytes.fromhex(v.G_KSENC), bytes.fromhex(v.G_KSMAC))
    assert result.chip_token.hex().upper() == v.G_T_IC
    assert channel.sm is not None and channel.sm.ssc == 0


def test_simulated_chip_answers_appendix_g_byte_for_byte() -> None:
    chip = SimulatedChip(appendix_g_card(),
                         rng=ScriptedRng([v.G_NONCE, v.G_SK_MAP_IC, v.G_SK_EPH_IC]))
    for command, response in v.G_TRANSCRIPT:
        assert chip.transceive(bytes.fromhex(command)).hex().upper() == response
    assert chip.sm is not None
    assert chip.sm.keys.ks_enc.hex().upper() == v.G_KSENC


def test_nonce_mapping_and_tokens_of_appendix_g() -> None:
    kpi = bytes.fromhex(v.G_KPI)
    nonce = pace.decrypt_nonce(kpi, bytes.fromhex(v.G_NONCE_ENC), INFO)
    assert nonce.hex().upper() == v.G_NONCE
    curve = BRAINPOOL_P256R1
    mapped = pace.map_generator(curve, nonce, int(v.G_SK_MAP_IFD, 16),
                                curve.decode(bytes.fromhex(v.G_PK_MAP_IC)))
    assert curve.encode(mapped).hex().upper() == v.G_MAPPED_G
    keys = SessionKeys("AES", bytes.fromhex(v.G_KSENC), bytes.fromhex(v.G_KSMAC))
    token_input = pace.token_input(INFO, bytes.fromhex(v.G_PK_EPH_IC))
    assert token_input.hex().upper() == v.G_TOKEN_INPUT_IFD
    assert pace.token(keys, INFO, bytes.fromhex(v.G_PK_EPH_IC)).hex().upper() == v.G_T_IFD
    assert pace.token(keys, INFO, bytes.fromhex(v.G_PK_EPH_IFD)).hex().upper() == v.G_T_IC


@pytest.mark.parametrize("parameter_id", [12, 13, 16], ids=["P-256", "brainpoolP256r1", "bp384"])
@pytest.mark.parametrize("password", ["can", "mrz"])
def test_terminal_and_simulated_chip_agree(parameter_id: int, password: str) -> None:
    card = appendix_g_card()
    info = PaceInfo(parameter_id=parameter_id)
    card = CardImage(card.files, card.mrz, "123456", pace=info)
    chip = SimulatedChip(card)
    secret = (pace.PacePassword.from_can("123456") if password == "can"
              else pace.PacePassword.from_mrz(G_KEY))
    result = pace.perform(Channel(chip), secret, info, rng=chip.rng)
    assert chip.sm is not None and chip.sm.keys == result.keys


def test_wrong_can_is_refused_with_6300() -> None:
    chip = SimulatedChip(appendix_g_card())
    with pytest.raises(PaceFailed) as caught:
        pace.perform(Channel(chip), pace.PacePassword.from_can("654321"), INFO, rng=chip.rng)
    assert caught.value.details["sw"] == 0x6300
    assert chip.sm is None


def test_chip_token_that_does_not_verify_is_rejected() -> None:
    script = [*list(v.G_TRANSCRIPT[:-1]), (v.G_TRANSCRIPT[-1][0], "7C0A86080000000000000000" "9000")]
    with pytest.raises(PaceFailed, match="token"):
        pace.perform(Channel(ScriptedTransport(script)), pace.PacePassword.from_mrz(G_KEY), INFO,
                     rng=terminal_rng(), send_parameter_id=False)


def test_chip_mapping_key_off_the_curve_is_rejected() -> None:
    script = [*list(v.G_TRANSCRIPT[:2]), (v.G_TRANSCRIPT[2][0], "7C43824104" + "11" * 64 + "9000")]
    with pytest.raises(PaceFailed, match="curve"):
        pace.perform(Channel(ScriptedTransport(script)), pace.PacePassword.from_mrz(G_KEY), INFO,
                     rng=terminal_rng(), send_parameter_id=False)


@pytest.mark.parametrize("info", [
    PaceInfo("0.4.0.127.0.7.2.2.4.1.2", 2, 0),     # DH generic mapping
    PaceInfo("0.4.0.127.0.7.2.2.4.4.2", 2, 13),    # ECDH integrated mapping
    PaceInfo(parameter_id=99),
])
def test_unsupported_protocols_are_refused(info: PaceInfo) -> None:
    with pytest.raises(PaceFailed):
        pace.curve_of(info)
