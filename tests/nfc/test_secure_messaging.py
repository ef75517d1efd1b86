"""Secure messaging: Appendix D (3DES) byte for byte on both sides, AES per Appendix G
keys, SSC handling and the 6987/6988 error paths."""
from __future__ import annotations

import pytest

from eid.nfc import commands, tlv
from eid.nfc.apdu import CommandApdu, ResponseApdu
from eid.nfc.errors import SecureMessagingError
from eid.nfc.secure_messaging import SecureMessaging, SessionKeys
from eid.nfc.transport import Channel, ScriptedTransport
from tests.nfc import icao_vectors as v

TDES = SessionKeys("3DES", bytes.fromhex(v.D_KSENC), bytes.fromhex(v.D_KSMAC))
AES = SessionKeys("AES", bytes.fromhex(v.G_KSENC), bytes.fromhex(v.G_KSMAC))


def test_terminal_reads_ef_com_exactly_as_appendix_d() -> None:
    transport = ScriptedTransport(v.D_SM_TRANSCRIPT)
    channel = Channel(transport)
    channel.sm = SecureMessaging(TDES, v.D_SSC)
    assert channel.call(commands.select_ef(0x011E), "SELECT") == b""
    head = channel.call(commands.read_binary(0, 4), "READ")
    rest = channel.call(commands.read_binary(4, 0x12), "READ")
    assert (head + rest).hex().upper() == v.D_EF_COM
    assert transport.finished
    assert channel.sm.ssc == v.D_SSC + 6


def test_chip_side_unwraps_and_answers_exactly_as_appendix_d() -> None:
    chip = SecureMessaging(TDES, v.D_SSC)
    com = bytes.fromhex(v.D_EF_COM)
    answers = [b"", com[:4], com[4:]]
    for (command_hex, response_hex), data in zip(v.D_SM_TRANSCRIPT, answers, strict=True):
        plain = chip.unprotect_command(CommandApdu.parse(bytes.fromhex(command_hex)))
        response = chip.protect_response(ResponseApdu(data, 0x9000), plain.ins)
        assert response.encode().hex().upper() == response_hex
    assert plain == commands.read_binary(4, 0x12)


def test_aes_select_after_pace_matches_the_cross_check() -> None:
    transport = ScriptedTransport([v.G_SELECT_AID])
    channel = Channel(transport)
    channel.sm = SecureMessaging(AES, 0)
    channel.call(commands.select_aid(), "SELECT")
    assert transport.finished


@pytest.mark.parametrize("keys", [TDES, AES], ids=["3DES", "AES"])
@pytest.mark.parametrize("command", [
    commands.read_binary(0x10, 0xDF),
    commands.read_binary_odd(0x8000, 0xE3),
    commands.internal_authenticate(bytes(8)),
    CommandApdu(0x00, 0xD6, 0x00, 0x00, b"\x5A" * 300, ne=65536),
], ids=["B0", "B1-odd-DO85", "INTERNAL-AUTH", "extended"])
def test_both_sides_agree_on_every_command_shape(keys: SessionKeys, command: CommandApdu) -> None:
    terminal, chip = SecureMessaging(keys, 7), SecureMessaging(keys, 7)
    wire = CommandApdu.parse(terminal.protect(command).encode())
    assert chip.unprotect_command(wire).data == command.data
    data_tag = 0x85 if command.ins & 1 else 0x87
    if command.data:
        assert wire.data[0] == data_tag
    answer = chip.protect_response(ResponseApdu(b"\x01\x02\x03", 0x9000), command.ins)
    assert terminal.unprotect(ResponseApdu.parse(answer.encode())) == ResponseApdu(
        b"\x01\x02\x03", 0x9000)
    assert terminal.ssc == chip.ssc == 9


def test_tampered_response_mac_raises_and_closes_the_session() -> None:
    response = bytes.fromhex(v.D_SM_TRANSCRIPT[0][1])
    tampered = response[:-3] + bytes([response[-3] ^ 1]) + response[-2:]
    transport = ScriptedTransport([(v.D_SM_TRANSCRIPT[0][0], tampered)])
    channel = Channel(transport)
    channel.sm = SecureMessaging(TDES, v.D_SSC)
    with pytest.raises(SecureMessagingError):
        channel.send(commands.select_ef(0x011E))
    assert channel.sm is None


@pytest.mark.parametrize("status", ["6987", "6988"])
def test_plain_sm_error_status_raises(status: str) -> None:
    terminal = SecureMessaging(TDES, v.D_SSC)
    with pytest.raises(SecureMessagingError) as caught:
        terminal.unprotect(ResponseApdu.parse(bytes.fromhex(status)))
    assert caught.value.details["sw"] == int(status, 16)


def test_response_without_mac_is_rejected() -> None:
    with pytest.raises(SecureMessagingError):
        SecureMessaging(TDES, 1).unprotect(ResponseApdu(bytes.fromhex("99029000"), 0x9000))


@pytest.mark.parametrize(("wire", "sw"), [
    ("0CB000000397010400", 0x6987),                          # DO8E missing
    ("0CB000000D9701048E08ED6705417E96BA5600", 0x6988),      # last MAC byte changed
])
def test_chip_reports_missing_or_wrong_mac(wire: str, sw: int) -> None:
    with pytest.raises(SecureMessagingError) as caught:
        SecureMessaging(TDES, v.D_SSC + 2).unprotect_command(CommandApdu.parse(bytes.fromhex(wire)))
    assert caught.value.details["sw"] == sw


def test_plain_command_is_not_accepted_as_protected() -> None:
    with pytest.raises(SecureMessagingError):
        SecureMessaging(AES, 0).unprotect_command(commands.read_binary(0, 4))


def test_aes_ssc_is_sixteen_bytes_and_counts_both_directions() -> None:
    sm = SecureMessaging(AES, 0)
    sm.protect(commands.select_aid())
    assert sm.ssc_bytes == (1).to_bytes(16, "big")



@pytest.mark.parametrize("keys", [TDES, AES], ids=["3DES", "AES"])
@pytest.mark.parametrize("cryptogram", [b"", b"\x00" * 9], ids=["empty", "partial-block"])
def test_response_cryptogram_of_no_or_partial_blocks_is_incorrect(
        keys: SessionKeys, cryptogram: bytes) -> None:
    terminal, chip = SecureMessaging(keys, 7), SecureMessaging(keys, 8)
    covered = bytes([0x87, 1 + len(cryptogram), 0x01]) + cryptogram + bytes.fromhex("99029000")
    response = ResponseApdu(covered + bytes([0x8E, 8]) + chip.mac(covered), 0x9000)
    with pytest.raises(SecureMessagingError) as caught:
        terminal.unprotect(response)
    assert caught.value.details["sw"] == 0x6988


# --- DO'99' is mandatory in a protected response (ICAO 9303-11 §9.8) --------------------------


def _chip_response(keys: SessionKeys, body: bytes, trailer: int) -> ResponseApdu:
    """``body`` plus a correct DO8E under SSC 8, as the chip after a command at SSC 7 sends it."""
    return ResponseApdu(body + bytes([0x8E, 8]) + SecureMessaging(keys, 8).mac(body), trailer)


@pytest.mark.parametrize("keys", [TDES, AES], ids=["3DES", "AES"])
def test_response_with_a_valid_mac_but_no_do99_is_refused(keys: SessionKeys) -> None:
    protected = SecureMessaging(keys, 7).protect_response(ResponseApdu(b"\x01\x02\x03", 0x9000), 0xB0)
    _, end = tlv.parse_one(protected.data, 0)
    data_do = protected.data[:end]  # DO87 alone, then a MAC over it
    with pytest.raises(SecureMessagingError) as caught:
        SecureMessaging(keys, 7).unprotect(_chip_response(keys, data_do, 0x9000))
    assert caught.value.details["sw"] == 0x6987


@pytest.mark.parametrize(("do99", "trailer"), [
    ("6A82", 0x9000),   # the authenticated status says "no such file", the trailer says OK
    ("9000", 0x6A82),
    ("9000", 0x6282),
], ids=["protected-error-plain-ok", "protected-ok-plain-error", "protected-ok-plain-warning"])
def test_response_whose_do99_differs_from_the_trailer_is_refused(do99: str, trailer: int) -> None:
    body = bytes.fromhex("9902" + do99)
    with pytest.raises(SecureMessagingError) as caught:
        SecureMessaging(TDES, 7).unprotect(_chip_response(TDES, body, trailer))
    assert caught.value.details["sw"] == 0x6988


@pytest.mark.parametrize("do99", ["990190", "9903900000", "9900"], ids=["1-byte", "3-byte", "empty"])
def test_do99_that_is_not_two_bytes_is_refused(do99: str) -> None:
    with pytest.raises(SecureMessagingError) as caught:
        SecureMessaging(TDES, 7).unprotect(_chip_response(TDES, bytes.fromhex(do99), 0x9000))
    assert caught.value.details["sw"] == 0x6988


def test_protected_error_status_comes_from_do99() -> None:
    chip, terminal = SecureMessaging(AES, 7), SecureMessaging(AES, 7)
    answer = chip.protect_response(ResponseApdu(b"", 0x6A82), 0xA4)
    assert terminal.unprotect(ResponseApdu.parse(answer.encode())) == ResponseApdu(b"", 0x6A82)


@pytest.mark.parametrize(("status", "sw"), [
    ("6A82", 0x6A82), ("6982", 0x6982), ("6282", 0x6282), ("6D00", 0x6D00),
    ("9000", 0x6987),   # success without any SM data object: the DOs are missing
], ids=["6A82", "6982", "6282", "6D00", "9000"])
def test_plain_status_word_under_sm_ends_the_session(status: str, sw: int) -> None:
    # 9303-11 §9.8, SM errors: a chip answers without SM only when it has aborted SM, so an
    # unprotected status cannot be trusted (a forged 6A82 would hide DG14/DG15).
    transport = ScriptedTransport([(v.D_SM_TRANSCRIPT[0][0], status)])
    channel = Channel(transport)
    channel.sm = SecureMessaging(TDES, v.D_SSC)
    with pytest.raises(SecureMessagingError) as caught:
        channel.send(commands.select_ef(0x011E))
    assert caught.value.details["sw"] == sw
    assert channel.sm is None
