"""Reading the ID card's chip (eid.accounts.chip_binding) with the simulated chip, issuer
and PKI of eid.nfc.sim: genuine reads and every refusal."""
from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select, update

from eid.accounts import chip_binding
from eid.accounts.card_holder import card_holder
from eid.accounts.errors import InvalidInput, NotFound
from eid.models.chip import ChipSession, ChipVerification
from eid.models.registries import RegistryCitizen
from eid.nfc.reader import read_card
from eid.nfc.sim.chip import SimulatedChip
from eid.nfc.sim.issuer import CardImage, issue_card
from eid.nfc.sim.pki import SimulatedPki, generate_pki
from eid.nfc.trust_store import TrustStore
from tests.accounts.conftest import START
from tests.accounts.support import add_account, demo

HOLDER, STRANGER = demo(5), demo(6)


def card_of(person, pki: SimulatedPki, **over) -> CardImage:  # type: ignore[no-untyped-def]
    holder = replace(card_holder(person, today=START.date()), **over)
    return issue_card(holder, pki.document_signer, now=START,
                      aa_key=ec.derive_private_key(4242, ec.SECP256R1()))


@pytest.fixture(scope="module")
def pki() -> SimulatedPki:
    return generate_pki(now=START)


@pytest.fixture(scope="module")
def card(pki: SimulatedPki) -> CardImage:
    return card_of(HOLDER.person, pki)


@pytest.fixture
def account(svc):  # type: ignore[no-untyped-def]
    return add_account(svc(), HOLDER)


def phone_read(card: CardImage, challenge_hex: str) -> tuple[dict[str, bytes], bytes | None]:
    """What the phone uploads: the files it read and the chip's AA signature."""
    got = read_card(SimulatedChip(card), can=card.can, challenge=bytes.fromhex(challenge_hex))
    return dict(got.files), got.aa_signature


def submit(svc, account, row, card, pki, *, challenge=None, tamper=None, aa=True,  # type: ignore[no-untyped-def]
           trust_store="default"):
    files, signature = phone_read(card, challenge or row.challenge)
    if tamper:
        data = bytearray(files[tamper])
        data[-1] ^= 0x01
        files[tamper] = bytes(data)
    store = pki.trust_store() if trust_store == "default" else trust_store
    return chip_binding.submit(svc(), account, row.id, files, signature if aa else None, store)


def test_a_chip_session_carries_a_fresh_eight_byte_challenge(svc, account, clock):
    a = chip_binding.start(svc(), account, "level1_online")
    b = chip_binding.start(svc(), account, "level1_online")
    assert len(bytes.fromhex(a.challenge)) == 8 and a.challenge != b.challenge
    assert a.expires_at == clock.now() + timedelta(minutes=5)


@pytest.mark.parametrize("purpose", ["", "level2", "LEVEL1_ONLINE"])
def test_an_unknown_purpose_is_refused(svc, account, purpose):
    with pytest.raises(InvalidInput) as info:
        chip_binding.start(svc(), account, purpose)
    assert info.value.details["fields"] == {"purpose": "purpose_invalid"}


def test_a_genuine_read_is_verified_and_recorded(svc, session, audit, account, card, pki, clock):
    row = chip_binding.start(svc(), account, "level1_online")
    v = submit(svc, account, row, card, pki)
    assert (v.account_id, v.id_number, v.purpose, v.chip_session_id) == (
        account.id, HOLDER.person.id_number, "level1_online", row.id)
    assert "DS Viet Nam TEST" in v.document_signer and "CSCA Viet Nam TEST" in v.csca
    assert v.document_signer_serial == str(pki.document_signer.certificate.serial_number)
    assert v.active_auth and v.verified_at == clock.now() and v.level == 1
    assert session.get(ChipSession, row.id).used_at == clock.now()
    assert audit.actions() == [("chip.level1_online", "ok")]
    assert audit.last("chip.level1_online").details == {"verification_id": v.id,
                                                        "aa": v.active_auth}
    assert chip_binding.verified_online(svc(), account) == clock.now()


def test_a_read_signed_over_another_challenge_is_refused(svc, session, audit, account, card, pki):
    row = chip_binding.start(svc(), account, "level1_online")
    with pytest.raises(chip_binding.ChipRejected) as info:
        submit(svc, account, row, card, pki, challenge="0011223344556677")
    assert (info.value.error, info.value.status) == ("chip_aa_failed", 422)
    assert audit.actions() == [("chip.verify", "aa_failed")]
    assert session.scalars(select(ChipVerification)).all() == []


@pytest.mark.parametrize("tamper", ["DG1", "DG2", "DG13", "DG15"])
def test_a_tampered_file_is_refused(svc, account, card, pki, tamper):
    row = chip_binding.start(svc(), account, "level1_online")
    with pytest.raises(chip_binding.ChipRejected) as info:
        submit(svc, account, row, card, pki, tamper=tamper)
    assert info.value.error in ("chip_sod_hash_mismatch", "chip_lds_invalid", "chip_tlv_invalid")


def test_a_read_without_active_authentication_is_refused(svc, account, card, pki):
    row = chip_binding.start(svc(), account, "level1_online")
    with pytest.raises(chip_binding.ChipRejected) as info:
        submit(svc, account, row, card, pki, aa=False)
    assert info.value.error == "chip_aa_missing"


def test_a_card_of_an_untrusted_issuer_is_refused(svc, account, card):
    row = chip_binding.start(svc(), account, "level1_online")
    with pytest.raises(chip_binding.ChipRejected) as info:
        submit(svc, account, row, card, generate_pki(now=START))
    assert info.value.error == "chip_untrusted_signer"


def test_a_card_of_a_revoked_signer_is_refused(svc, account, card, pki):
    revoked = pki.with_revoked(pki.document_signer.certificate.serial_number, now=START)
    row = chip_binding.start(svc(), account, "level1_online")
    with pytest.raises(chip_binding.ChipRejected) as info:
        submit(svc, account, row, card, pki, trust_store=revoked.trust_store())
    assert info.value.error == "chip_revoked_signer"


def test_an_expired_card_is_refused(svc, account, pki):
    expired = card_of(HOLDER.person, pki, expiry_date=START.date() - timedelta(days=1))
    row = chip_binding.start(svc(), account, "level1_online")
    with pytest.raises(chip_binding.ChipRejected) as info:
        submit(svc, account, row, expired, pki)
    assert info.value.error == "chip_document_expired"


def test_without_a_trust_store_nothing_is_verified_and_the_session_is_spent(svc, session, account,
                                                                            card, pki):
    row = chip_binding.start(svc(), account, "level1_online")
    with pytest.raises(chip_binding.ChipUnavailable) as info:
        submit(svc, account, row, card, pki, trust_store=None)
    assert (info.value.error, info.value.status) == ("chip_unavailable", 503)
    assert session.get(ChipSession, row.id).used_at is not None
    with pytest.raises(chip_binding.ChipReplayed):
        submit(svc, account, row, card, pki)


def test_someone_elses_genuine_card_is_a_data_mismatch(svc, session, audit, account, pki):
    row = chip_binding.start(svc(), account, "level1_online")
    with pytest.raises(chip_binding.ChipDataMismatch) as info:
        submit(svc, account, row, card_of(STRANGER.person, pki), pki)
    assert info.value.error == "chip_data_mismatch"
    assert audit.actions() == [("chip.verify", "data_mismatch")]
    assert session.scalars(select(ChipVerification)).all() == []


@pytest.mark.parametrize("register_change", ["name", "birth_date", "gone"])
def test_a_card_that_disagrees_with_the_register_is_a_data_mismatch(svc, session, account, card, pki,
                                                                    register_change):
    who = RegistryCitizen.id_number == HOLDER.person.id_number
    if register_change == "gone":
        session.delete(session.get(RegistryCitizen, HOLDER.person.id_number))
    else:
        value = {"name": "Nguyễn Văn Khác",
                 "birth_date": HOLDER.person.birth_date - timedelta(days=1)}[register_change]
        column = "full_name" if register_change == "name" else "birth_date"
        session.execute(update(RegistryCitizen).where(who).values({column: value}))
    row = chip_binding.start(svc(), account, "level1_online")
    with pytest.raises(chip_binding.ChipDataMismatch):
        submit(svc, account, row, card, pki)


def test_a_reading_is_accepted_once(svc, account, card, pki):
    row = chip_binding.start(svc(), account, "level1_online")
    submit(svc, account, row, card, pki)
    with pytest.raises(chip_binding.ChipReplayed) as info:
        submit(svc, account, row, card, pki)
    assert info.value.error == "chip_aa_replayed"


def test_a_refused_reading_cannot_be_tried_again_on_its_challenge(svc, account, card, pki):
    row = chip_binding.start(svc(), account, "level1_online")
    with pytest.raises(chip_binding.ChipRejected):
        submit(svc, account, row, card, pki, aa=False)
    with pytest.raises(chip_binding.ChipReplayed):
        submit(svc, account, row, card, pki)


@pytest.mark.parametrize("minutes,expired", [(4, False), (5, True)])
def test_a_chip_session_lasts_five_minutes(svc, account, card, pki, clock, minutes, expired):
    row = chip_binding.start(svc(), account, "level1_online")
    clock.advance(minutes=minutes)
    if expired:
        with pytest.raises(chip_binding.ChipSessionExpired) as info:
            submit(svc, account, row, card, pki)
        assert info.value.error == "chip_session_expired"
    else:
        assert submit(svc, account, row, card, pki).id


def test_no_one_submits_to_someone_elses_chip_session(svc, account, card, pki):
    row = chip_binding.start(svc(), add_account(svc(), STRANGER), "level1_online")
    with pytest.raises(NotFound):
        submit(svc, account, row, card, pki)
    with pytest.raises(NotFound):
        chip_binding.submit(svc(), account, "", {}, None, pki.trust_store())


def test_a_rebind_read_re_binds_a_lost_phone_once_within_ten_minutes(svc, account, card, pki, clock):
    row = chip_binding.start(svc(), account, "rebind")
    submit(svc, account, row, card, pki)
    clock.advance(minutes=10)
    assert chip_binding.fresh_verification_for(svc(), account, row.id) is True
    assert chip_binding.fresh_verification_for(svc(), account, row.id) is False


@pytest.mark.parametrize("case", ["too_late", "other_purpose", "other_account", "unknown"])
def test_a_read_that_is_not_a_fresh_rebind_re_binds_nothing(svc, account, card, pki, clock, case):
    row = chip_binding.start(svc(), account, "level1_online" if case == "other_purpose" else "rebind")
    submit(svc, account, row, card, pki)
    clock.advance(minutes=11 if case == "too_late" else 1)
    who = add_account(svc(), STRANGER) if case == "other_account" else account
    assert chip_binding.fresh_verification_for(svc(), who, "0" * 32 if case == "unknown"
                                               else row.id) is False


def test_the_officers_desk_reader_verifies_the_card_and_records_it(svc, audit, account, card, pki):
    officer = add_account(svc(), demo(7), role="officer")
    result, record = chip_binding.read_at_desk(
        svc(), officer, HOLDER.person, account, lambda: contextlib.nullcontext(SimulatedChip(card)),
        pki.trust_store())
    assert result.active_authenticated and result.face_image
    assert (record.purpose, record.account_id) == ("desk", account.id)
    assert audit.actions() == [("chip.desk", "ok"), ("desk.chip", "ok")]
    assert audit.last("desk.chip").details == {"verification_id": record.id}


def test_the_desk_reads_a_person_without_an_account_without_recording_it(svc, session, card, pki):
    officer = add_account(svc(), demo(7), role="officer")
    _, record = chip_binding.read_at_desk(
        svc(), officer, HOLDER.person, None, lambda: contextlib.nullcontext(SimulatedChip(card)),
        pki.trust_store())
    assert record is None and session.scalars(select(ChipVerification)).all() == []


def test_the_desk_refuses_someone_elses_card_that_opens_with_this_persons_can(svc, pki):
    officer = add_account(svc(), demo(7), role="officer")
    same_can = STRANGER.person.id_number[:6] + HOLDER.person.id_number[-6:]
    other_card = card_of(STRANGER.person, pki, id_number=same_can)
    with pytest.raises(chip_binding.ChipDataMismatch, match="belongs to someone else"):
        chip_binding.read_at_desk(svc(), officer, HOLDER.person, None,
                                  lambda: contextlib.nullcontext(SimulatedChip(other_card)),
                                  pki.trust_store())


def test_the_desk_cannot_open_a_card_with_another_can(svc, audit, pki):
    officer = add_account(svc(), demo(7), role="officer")
    with pytest.raises(chip_binding.ChipRejected) as info:
        chip_binding.read_at_desk(svc(), officer, HOLDER.person, None,
                                  lambda: contextlib.nullcontext(
                                      SimulatedChip(card_of(STRANGER.person, pki))),
                                  pki.trust_store())
    assert info.value.error == "chip_pace_failed"
    assert audit.actions() == [("desk.chip", "pace_failed")]


def test_the_desk_without_a_trust_store_reads_nothing(svc, card):
    officer = add_account(svc(), demo(7), role="officer")
    opened: list[SimulatedChip] = []

    def reader():  # type: ignore[no-untyped-def]
        opened.append(SimulatedChip(card))
        return contextlib.nullcontext(opened[-1])

    with pytest.raises(chip_binding.ChipUnavailable):
        chip_binding.read_at_desk(svc(), officer, HOLDER.person, None, reader, None)
    assert opened == []


def test_activating_a_phone_is_vouched_for_by_a_fresh_rebind_read_once(svc, account, card, pki):
    assert chip_binding.chip_verified_for_activation(svc(), account, None) is False
    assert chip_binding.chip_verified_for_activation(svc(), account, "") is False
    row = chip_binding.start(svc(), account, "rebind")
    submit(svc, account, row, card, pki)
    assert chip_binding.chip_verified_for_activation(svc(), account, row.id) is True
    with pytest.raises(InvalidInput) as info:
        chip_binding.chip_verified_for_activation(svc(), account, row.id)
    assert info.value.details["fields"] == {"chip_session_id": "chip_not_verified"}


@pytest.mark.parametrize("purpose", ["level1_online", "unread"])
def test_a_read_that_is_no_rebind_vouches_for_no_phone(svc, account, card, pki, purpose):
    row = chip_binding.start(svc(), account, "level1_online" if purpose == "level1_online"
                             else "rebind")
    if purpose == "level1_online":
        submit(svc, account, row, card, pki)
    with pytest.raises(InvalidInput):
        chip_binding.chip_verified_for_activation(svc(), account, row.id)


def test_a_csca_without_a_crl_is_accepted_with_a_warning_when_lenient(svc, audit, account, card, pki):
    store = TrustStore(pki.trust_store().cscas, crl_policy="lenient")
    row = chip_binding.start(svc(), account, "level1_online")
    v = submit(svc, account, row, card, pki, trust_store=store)
    assert audit.last("chip.level1_online").details == {
        "verification_id": v.id, "aa": v.active_auth, "warnings": ["crl_missing"]}


def test_a_csca_without_a_crl_is_refused_when_strict(svc, audit, account, card, pki):
    store = TrustStore(pki.trust_store().cscas, crl_policy="strict")
    row = chip_binding.start(svc(), account, "level1_online")
    with pytest.raises(chip_binding.ChipRejected) as info:
        submit(svc, account, row, card, pki, trust_store=store)
    assert info.value.error == "chip_crl_missing"
