"""Reading the chip of the ID card from the phone (VNeID's "level 1 online") and at
the officer's desk, verified on the server.

1. :func:`start` — a chip session with the server's 8-byte active-authentication
   challenge (only a challenge the server made proves a genuine chip was present).
2. :func:`submit` — the raw files and the AA signature: passive authentication
   (``eid.nfc``: hashes, signature, chain to a trusted CSCA, CRL, country), active
   authentication over this session's challenge, then DG1/DG13 against the account
   and the population register. Each rejection has its own code.
3. :func:`fresh_verification_for` — a recent verified read re-binds a lost phone.
"""
from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta

from sqlalchemy import select

from eid.accounts.context import Services
from eid.accounts.errors import AccountsError, InvalidInput, NotFound
from eid.accounts.forms import same_name
from eid.accounts.registries.interfaces import Citizen
from eid.errors import EidError
from eid.models.accounts import Account
from eid.models.chip import ChipSession, ChipVerification
from eid.nfc.errors import NfcError
from eid.nfc.lds import dg13 as f
from eid.nfc.reader import read_card
from eid.nfc.transport import Transport
from eid.nfc.trust_store import TrustStore
from eid.nfc.verify import Verification, verify_card_read

TransportFactory = Callable[[], AbstractContextManager[Transport]]

SESSION_TTL = timedelta(minutes=5)
REBIND_WINDOW = timedelta(minutes=10)
PURPOSES = ("level1_online", "rebind", "desk")


class ChipError(AccountsError):
    """Root of the chip-read refusals. Never raised directly."""

    status = 422


class ChipSessionExpired(ChipError):
    error = "chip_session_expired"
    message = "This card reading has expired. Start the reading again."


class ChipReplayed(ChipError):
    error = "chip_aa_replayed"
    message = "This card reading was already submitted. Read the card again."


class ChipDataMismatch(ChipError):
    error = "chip_data_mismatch"
    message = "The card's chip does not match this account or the population register."


class ChipUnavailable(ChipError):
    error = "chip_unavailable"
    status = 503
    message = "Chip verification is not set up on this server (no CSCA certificates)."


class ChipRejected(ChipError):
    """The chip failed a cryptographic check; the wire code names which (``chip_`` + the
    ``eid.nfc`` code: chip_sod_hash_mismatch = tampered file, chip_untrusted_signer,
    chip_revoked_signer, chip_signer_expired, chip_document_expired, chip_aa_missing,
    chip_aa_failed, chip_country_mismatch, chip_file_missing ...)."""

    error = "chip_rejected"

    def __init__(self, cause: EidError) -> None:
        super().__init__(cause.detail_message)
        self.error = f"chip_{cause.error}"  # type: ignore[misc]


def start(svc: Services, account: Account, purpose: str) -> ChipSession:
    if purpose not in PURPOSES:
        raise InvalidInput("Unknown purpose.", fields={"purpose": "purpose_invalid"})
    row = ChipSession(id=svc.rng.token_bytes(16).hex(), account_id=account.id, purpose=purpose,
                      challenge=svc.rng.token_bytes(8).hex(), created_at=svc.now,
                      expires_at=svc.now + SESSION_TTL)
    svc.session.add(row)
    svc.session.flush()
    return row


def _session(svc: Services, account: Account, session_id: str) -> ChipSession:
    row = svc.session.get(ChipSession, session_id) if session_id else None
    if row is None or row.account_id != account.id:
        raise NotFound("No such card reading.")
    if row.used_at is not None:
        raise ChipReplayed()
    if svc.now >= row.expires_at:
        raise ChipSessionExpired()
    return row


def submit(svc: Services, account: Account, session_id: str, files: dict[str, bytes],
           aa_signature: bytes | None, trust_store: TrustStore | None) -> ChipVerification:
    """Verify a read; the session is spent whatever the outcome (no second try on one
    challenge). Raises a ChipError leaf for every refusal."""
    row = _session(svc, account, session_id)
    row.used_at = svc.now
    svc.session.flush()
    if trust_store is None:
        raise ChipUnavailable()
    try:
        result = verify_card_read(files, aa_signature, bytes.fromhex(row.challenge), trust_store,
                                  svc.now)
    except NfcError as exc:
        svc.audit("chip.verify", exc.error, actor_account_id=account.id,
                  details={"purpose": row.purpose})
        raise ChipRejected(exc) from exc
    _cross_check(svc, account, result)
    return _record(svc, account, row, result)


def _cross_check(svc: Services, account: Account, result: Verification) -> None:
    chip_id = result.dg13.text(f.ID_NUMBER) or ""
    person = svc.registries.population.get(account.id_number)
    mrz_number = result.dg1.mrz.document_number
    birth = result.dg13.text(f.BIRTH_DATE) or ""
    ok = (chip_id == account.id_number and person is not None
          and mrz_number == account.id_number[-9:]
          and same_name(result.dg13.text(f.FULL_NAME) or "", person.full_name)
          and birth == person.birth_date.strftime("%d/%m/%Y"))
    if not ok:
        svc.audit("chip.verify", "data_mismatch", actor_account_id=account.id)
        raise ChipDataMismatch()


def _record(svc: Services, account: Account, row: ChipSession, result: Verification) -> ChipVerification:
    v = ChipVerification(
        account_id=account.id, chip_session_id=row.id, purpose=row.purpose,
        id_number=account.id_number, document_signer=result.document_signer[:300],
        document_signer_serial=str(result.document_signer_serial), csca=result.csca[:300],
        active_auth=result.aa_hash, verified_at=svc.now, level=account.level)
    svc.session.add(v)
    svc.session.flush()
    action = "chip.level1_online" if row.purpose == "level1_online" else f"chip.{row.purpose}"
    details: dict[str, object] = {"verification_id": v.id, "aa": result.aa_hash}
    if result.warnings:  # accepted under the lenient CRL policy: say what was not checked
        details["warnings"] = list(result.warnings)
    svc.audit(action, "ok", actor_account_id=account.id, id_number=account.id_number, details=details)
    return v


def fresh_verification_for(svc: Services, account: Account, session_id: str) -> bool:
    """True once for a verified "rebind" read of this account in the last 10 minutes."""
    v = svc.session.scalar(select(ChipVerification).where(
        ChipVerification.chip_session_id == session_id, ChipVerification.account_id == account.id))
    if v is None or v.purpose != "rebind" or v.rebind_used_at is not None or \
            svc.now - v.verified_at > REBIND_WINDOW:
        return False
    v.rebind_used_at = svc.now
    svc.session.flush()
    return True


def chip_verified_for_activation(svc: Services, account: Account, session_id: str | None) -> bool:
    """Whether activating a phone is vouched for by a chip read: False when no chip
    session is named, True (using the read up) when the named one is a fresh "rebind"
    read of this account (:func:`fresh_verification_for`).

    Raises:
        InvalidInput: a chip session is named but it is not such a read
            (``chip_session_id: chip_not_verified``).
    """
    if not session_id:
        return False
    if not fresh_verification_for(svc, account, session_id):
        raise InvalidInput("Read the card's chip again: that reading is not valid for this phone.",
                           fields={"chip_session_id": "chip_not_verified"})
    return True


def verified_online(svc: Services, account: Account) -> datetime | None:
    return svc.session.scalar(select(ChipVerification.verified_at).where(
        ChipVerification.account_id == account.id, ChipVerification.purpose == "level1_online")
        .order_by(ChipVerification.id.desc()).limit(1))


def read_at_desk(svc: Services, officer: Account, person: Citizen, account: Account | None,
                 transport_factory: TransportFactory, trust_store: TrustStore | None,
                 ) -> tuple[Verification, ChipVerification | None]:
    """The officer's desk reader: read the card with the CAN (last six digits of the ID)
    over a fresh challenge, verify it, check it is this person's card; record it for the
    person's account (if any), so the level-2 upgrade can cite it."""
    if trust_store is None:
        raise ChipUnavailable()
    challenge = svc.rng.token_bytes(8)
    try:
        with transport_factory() as transport:
            got = read_card(transport, can=person.id_number[-6:], challenge=challenge)
        result = verify_card_read(got.files, got.aa_signature, challenge, trust_store, svc.now)
    except NfcError as exc:
        svc.audit("desk.chip", exc.error, actor_account_id=officer.id, id_number=person.id_number)
        raise ChipRejected(exc) from exc
    if result.dg13.text(f.ID_NUMBER) != person.id_number:
        raise ChipDataMismatch("The card on the reader belongs to someone else.")
    record = None
    if account is not None:
        row = start(svc, account, "desk")
        row.used_at = svc.now
        record = _record(svc, account, row, result)
    svc.audit("desk.chip", "ok", actor_account_id=officer.id, id_number=person.id_number,
              details={"verification_id": record.id if record else None})
    return result, record
