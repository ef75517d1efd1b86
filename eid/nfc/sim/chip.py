"""A simulated CCCD chip: an APDU responder over a :class:`~eid.nfc.sim.issuer.CardImage`.

Behaviour from cccd-chip.md and ICAO Doc 9303-10/-11: SELECT of the eMRTD AID and of
EFs by file id (``SELECT MF`` answers 6D00), READ BINARY (B0 with offset or short
file id, B1 with DO54), EF.CardAccess readable in plain, every other file only under
secure messaging; BAC (GET CHALLENGE, EXTERNAL AUTHENTICATE; a wrong key gives 6300);
PACE-GM with the CAN or the MRZ (MSE:Set AT, GENERAL AUTHENTICATE x4); INTERNAL
AUTHENTICATE for AA with RSA or ECDSA. A protected command that fails SM checks gets
6987/6988 in plain and drops the session; a plain command also ends the session.
"""
from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import ec

from eid.nfc import active_auth, bac, der, tlv
from eid.nfc.apdu import (
    SW_AUTH_FAILED,
    SW_CONDITIONS,
    SW_FILE_NOT_FOUND,
    SW_INS_NOT_SUPPORTED,
    SW_OK,
    SW_REF_NOT_FOUND,
    SW_SECURITY_STATUS,
    SW_SM_INCORRECT,
    SW_WRONG_LENGTH,
    SW_WRONG_P1P2,
    SW_WRONG_PARAMS,
    CommandApdu,
    ResponseApdu,
)
from eid.nfc.commands import EMRTD_AID, MF_FID
from eid.nfc.errors import ApduFormatError, BacFailed, NfcError, SecureMessagingError
from eid.nfc.lds import FILES
from eid.nfc.pace import CAN_REF, MRZ_REF, PacePassword
from eid.nfc.rng import SYSTEM_RNG, Rng
from eid.nfc.secure_messaging import SecureMessaging
from eid.nfc.sim.issuer import CardImage
from eid.nfc.sim.pace_chip import PaceChipSession

_BY_FID = {f.fid: f.name for f in FILES.values()}
_BY_SFI = {f.sfi: f.name for f in FILES.values()}


class SimulatedChip:
    """Answers APDUs like a CCCD chip. ``transceive`` makes it a Transport.

    ``log`` records ``(command, response)`` wire bytes of every exchange.
    """

    def __init__(self, card: CardImage, *, rng: Rng = SYSTEM_RNG) -> None:
        self.card = card
        self.rng = rng
        self.sm: SecureMessaging | None = None
        self.app_selected = False
        self.selected: str | None = None
        self.rnd_ic: bytes | None = None
        self.pace: PaceChipSession | None = None
        self.log: list[tuple[bytes, bytes]] = []

    def transceive(self, apdu: bytes) -> bytes:
        response = self._respond(bytes(apdu)).encode()
        self.log.append((bytes(apdu), response))
        return response

    def reset(self) -> None:
        """Field off and on: every session state is lost."""
        self.sm, self.app_selected, self.selected = None, False, None
        self.rnd_ic, self.pace = None, None

    # --- dispatch ------------------------------------------------------------------------------

    def _respond(self, raw: bytes) -> ResponseApdu:
        try:
            command = CommandApdu.parse(raw)
        except ApduFormatError:
            return ResponseApdu(b"", SW_WRONG_LENGTH)
        if command.cla & 0x0C != 0x0C:
            self.sm = None  # a plain command ends secure messaging (9303-11 §9.8.1)
            return self._dispatch(command, secure=False)
        session = self.sm
        if session is None:
            return ResponseApdu(b"", SW_SM_INCORRECT)
        try:
            plain = session.unprotect_command(command)
        except SecureMessagingError as exc:
            self.sm = None
            return ResponseApdu(b"", int(exc.details.get("sw", SW_SM_INCORRECT)))
        response = self._dispatch(plain, secure=True)
        if self.sm is not session:
            return response
        return session.protect_response(response, plain.ins)

    def _dispatch(self, command: CommandApdu, *, secure: bool) -> ResponseApdu:
        handlers = {0xA4: self._select, 0xB0: self._read_binary, 0xB1: self._read_binary_odd,
                    0x84: self._get_challenge, 0x82: self._external_authenticate,
                    0x22: self._mse_set_at, 0x86: self._general_authenticate,
                    0x88: self._internal_authenticate}
        handler = handlers.get(command.ins)
        if handler is None:
            return ResponseApdu(b"", SW_INS_NOT_SUPPORTED)
        return handler(command, secure)

    # --- files ----------------------------------------------------------------------------------

    def _select(self, command: CommandApdu, secure: bool) -> ResponseApdu:
        if command.p1 == 0x00 or command.data == MF_FID.to_bytes(2, "big"):
            return ResponseApdu(b"", SW_INS_NOT_SUPPORTED)  # as CCCD chips do for SELECT MF
        if command.p1 == 0x04:
            if command.data != EMRTD_AID:
                return ResponseApdu(b"", SW_FILE_NOT_FOUND)
            self.app_selected = True
            return ResponseApdu(b"", SW_OK)
        if command.p1 != 0x02 or len(command.data) != 2:
            return ResponseApdu(b"", SW_WRONG_P1P2)
        name = _BY_FID.get(int.from_bytes(command.data, "big"))
        return self._open(name, secure) or ResponseApdu(b"", SW_OK)

    def _open(self, name: str | None, secure: bool) -> ResponseApdu | None:
        if name is None or name not in self.card.files:
            return ResponseApdu(b"", SW_FILE_NOT_FOUND)
        if name != "CardAccess" and not (secure and self.app_selected):
            return ResponseApdu(b"", SW_SECURITY_STATUS)
        self.selected = name
        return None

    def _slice(self, offset: int, ne: int | None) -> ResponseApdu:
        if self.selected is None:
            return ResponseApdu(b"", SW_CONDITIONS)
        data = self.card.files[self.selected]
        if offset > len(data):
            return ResponseApdu(b"", SW_WRONG_P1P2)
        return ResponseApdu(data[offset : offset + (ne or 256)], SW_OK)

    def _read_binary(self, command: CommandApdu, secure: bool) -> ResponseApdu:
        if command.p1 & 0x80:
            refused = self._open(_BY_SFI.get(command.p1 & 0x1F), secure)
            if refused:
                return refused
            return self._slice(command.p2, command.ne)
        return self._slice((command.p1 << 8) | command.p2, command.ne)

    def _read_binary_odd(self, command: CommandApdu, secure: bool) -> ResponseApdu:
        try:
            offset = int.from_bytes(tlv.parse_single(command.data, 0x54).value, "big")
        except NfcError:
            return ResponseApdu(b"", SW_WRONG_PARAMS)
        ne = command.ne or 256
        sliced = self._slice(offset, max(ne - 4, 1))
        return ResponseApdu(tlv.encode(0x53, sliced.data), sliced.sw) if sliced.ok else sliced

    # --- BAC --------------------------------------------------------------------------------------

    def _get_challenge(self, command: CommandApdu, secure: bool) -> ResponseApdu:
        self.rnd_ic = self.rng.token_bytes(8)
        return ResponseApdu(self.rnd_ic, SW_OK)

    def _external_authenticate(self, command: CommandApdu, secure: bool) -> ResponseApdu:
        if self.rnd_ic is None:
            return ResponseApdu(b"", SW_CONDITIONS)
        keys = bac.BacKeys.from_mrz(self.card.mrz.key())
        rnd_ic, self.rnd_ic = self.rnd_ic, None
        try:
            answer, result = bac.chip_answer(keys, command.data, rnd_ic, self.rng.token_bytes(16))
        except BacFailed:
            return ResponseApdu(b"", SW_AUTH_FAILED)
        self.sm = result.secure_messaging()
        return ResponseApdu(answer, SW_OK)

    # --- PACE ---------------------------------------------------------------------------------------

    def _mse_set_at(self, command: CommandApdu, secure: bool) -> ResponseApdu:
        info = self.card.pace
        try:
            objects = {t.tag: t.value for t in tlv.parse_all(command.data)}
        except NfcError:
            return ResponseApdu(b"", SW_WRONG_PARAMS)
        if info is None or objects.get(0x80) != der.oid_bytes(info.protocol):
            return ResponseApdu(b"", SW_REF_NOT_FOUND)
        if 0x84 in objects and objects[0x84] != bytes([info.parameter_id or 0]):
            return ResponseApdu(b"", SW_REF_NOT_FOUND)
        ref = objects.get(0x83, b"\x00")[0]
        if ref == CAN_REF:
            password = PacePassword.from_can(self.card.can)
        elif ref == MRZ_REF:
            password = PacePassword.from_mrz(self.card.mrz.key())
        else:
            return ResponseApdu(b"", SW_REF_NOT_FOUND)
        self.pace = PaceChipSession(info, password, self.rng)
        return ResponseApdu(b"", SW_OK)

    def _general_authenticate(self, command: CommandApdu, secure: bool) -> ResponseApdu:
        session = self.pace
        if session is None:
            return ResponseApdu(b"", SW_CONDITIONS)
        try:
            body, keys = session.answer(command.data)
        except NfcError as exc:
            self.pace = None
            return ResponseApdu(b"", int(exc.details.get("sw", 0x6A80)))
        if keys is not None:
            self.pace = None
            self.sm = SecureMessaging(keys, 0)
        return ResponseApdu(body, SW_OK)

    # --- AA -------------------------------------------------------------------------------------------

    def _internal_authenticate(self, command: CommandApdu, secure: bool) -> ResponseApdu:
        key = self.card.aa_key
        if not secure:
            return ResponseApdu(b"", SW_SECURITY_STATUS)
        if key is None:
            return ResponseApdu(b"", SW_INS_NOT_SUPPORTED)
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return ResponseApdu(active_auth.sign_ecdsa(key, command.data), SW_OK)
        return ResponseApdu(active_auth.sign_rsa(key, command.data, rng=self.rng), SW_OK)
