"""The QR login service (eid.qr_login.service.QrLogin) over an in-memory store, with a
frozen clock and a recorder for what the desktop is told. No Flask, no database."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from eid.clock import FrozenClock, SeededRng
from eid.qr_login import machine, tokens
from eid.qr_login.errors import (
    AlreadyScanned,
    BadSignature,
    BadState,
    Expired,
    InvalidQr,
    RedeemInvalid,
    Replayed,
    RotationLimit,
    Stale,
    ThumbprintMismatch,
    WebLoginDisabled,
)
from eid.qr_login.service import QrLogin, Scanned, ShownQr, cookie_hash, desktop_event
from eid.qr_login.states import DenyReason, State

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
AUDIENCE = "https://eid.example"
DESKTOP_KEY = ec.derive_private_key(4242, ec.SECP256R1())
PHONE_KEY = ec.derive_private_key(9303, ec.SECP256R1())
OTHER_KEY = ec.derive_private_key(1717, ec.SECP256R1())
PHONE_JWK = tokens.public_jwk(PHONE_KEY.public_key())
COOKIE = cookie_hash("pre-login-cookie-of-this-browser")
NONCE = "nonce-the-server-put-in-the-page"
ACCOUNT, DEVICE = 7, 70


# -- the outside world, in memory ------------------------------------------------------------

@dataclass
class Row:
    data: dict[str, Any]
    state: str
    version: int
    expires_at: datetime


@dataclass
class MemoryStore:
    """``eid.qr_login.store.Store`` in a dict: compare-and-set on ``version``, one-time
    keys until they expire. Transactions are copied in and out, as a real store
    serialises them. ``stale`` makes the next ``get`` of a transaction answer an old
    copy (a racing worker that read it a moment ago)."""

    rows: dict[str, Row] = field(default_factory=dict)
    keys: dict[str, datetime] = field(default_factory=dict)
    stale: dict[str, dict[str, Any]] = field(default_factory=dict)

    def create(self, tx_id: str, data: dict[str, Any], *, state: str, version: int,
               expires_at: datetime) -> None:
        if tx_id in self.rows:
            raise KeyError(f"transaction {tx_id} exists")
        self.rows[tx_id] = Row(copy.deepcopy(data), state, version, expires_at)

    def get(self, tx_id: str) -> dict[str, Any] | None:
        if tx_id in self.stale:
            return self.stale.pop(tx_id)
        row = self.rows.get(tx_id)
        return copy.deepcopy(row.data) if row is not None else None

    def cas(self, tx_id: str, expected_version: int, data: dict[str, Any], *, state: str,
            version: int, expires_at: datetime) -> bool:
        row = self.rows.get(tx_id)
        if row is None or row.version != expected_version:
            return False
        self.rows[tx_id] = Row(copy.deepcopy(data), state, version, expires_at)
        return True

    def seen(self, key: str, expires_at: datetime, now: datetime) -> bool:
        if key in self.keys and self.keys[key] > now:
            return True
        self.keys[key] = expires_at
        return False


@dataclass
class MemoryDecisions:
    """``eid.qr_login.store.DecisionLog``: the signed decisions kept as evidence."""

    records: list[dict[str, Any]] = field(default_factory=list)

    def record(self, *, tx_id: str, account_id: int, device_id: int, decision: str, payload: str,
               signature: str, received_at: datetime) -> None:
        self.records.append({"tx_id": tx_id, "account_id": account_id, "device_id": device_id,
                             "decision": decision, "payload": payload, "signature": signature,
                             "received_at": received_at})


@dataclass
class World:
    clock: FrozenClock
    store: MemoryStore = field(default_factory=MemoryStore)
    decisions: MemoryDecisions = field(default_factory=MemoryDecisions)
    told: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    jti: int = 0

    def service(self, **timing: Any) -> QrLogin:
        """The service of one request, at the clock's time."""
        return QrLogin(self.store, now=self.clock.now(), rng=self.clock.rng, audience=AUDIENCE,
                       notify=lambda tx_id, event: self.told.append((tx_id, event)),
                       redeem_key=b"qr-redeem-key-for-tests-32-bytes", decisions=self.decisions,
                       timing=machine.Timing(**timing) if timing else None)

    def next_jti(self) -> str:
        self.jti += 1
        return f"approval-{self.jti:012d}"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START, rng=SeededRng(1234))


@pytest.fixture
def world(clock: FrozenClock) -> World:
    return World(clock)


# -- what the desktop and the phone do --------------------------------------------------------

def sign(key: ec.EllipticCurvePrivateKey, text: str | bytes) -> str:
    """ECDSA P-256 over UTF-8 text, raw r || s as WebCrypto gives it."""
    data = text.encode() if isinstance(text, str) else text
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
    return tokens.b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def begin(world: World, *, key: ec.EllipticCurvePrivateKey = DESKTOP_KEY, level: int = 1,
          **timing: Any) -> ShownQr:
    return world.service(**timing).begin(
        desktop_jwk=tokens.public_jwk(key.public_key()), nonce=NONCE,
        nonce_signature=sign(key, NONCE), cookie_hash=COOKIE, ip="192.168.1.20",
        user_agent="Mozilla/5.0 (Windows NT 10.0) Chrome/126.0", service="Cổng DVC",
        required_level=level)


def scan(world: World, uri: str, *, account: int = ACCOUNT, device: int = DEVICE,
         enabled: bool = True) -> Scanned:
    return world.service().scan(uri, account_id=account, device_id=device,
                                phone_ip="192.168.1.30", web_login_enabled=enabled)


def approval(world: World, scanned: Scanned, *, key: ec.EllipticCurvePrivateKey = PHONE_KEY,
             **over: Any) -> tuple[str, str]:
    """The phone's signed decision, as the app builds it: (canonical JSON, signature)."""
    tx = scanned.tx
    payload = {"tx": tx.id, "thumbprint": tx.desktop_jkt, "number": tx.correct_number,
               "aud": AUDIENCE, "iat": int(world.clock.now().timestamp()), "jti": world.next_jti(),
               "decision": "approve", "context_hash": tokens.context_hash(scanned.context.as_dict())}
    payload.update(over)
    raw = tokens.canonical_json(payload)
    return raw.decode(), sign(key, raw)


def decide(world: World, signed: tuple[str, str], *, account: int = ACCOUNT, device: int = DEVICE,
           level: int = 1) -> machine.LoginTransaction:
    return world.service().decide(signed[0], signed[1], device_jwk=PHONE_JWK, account_id=account,
                                  device_id=device, account_level=level)


def approved(world: World) -> tuple[machine.LoginTransaction, str]:
    shown = begin(world)
    tx = decide(world, approval(world, scan(world, shown.uri)))
    return tx, world.told[-1][1]["redeem_code"]


def redeem(world: World, tx_id: str, code: str, *, key: ec.EllipticCurvePrivateKey = DESKTOP_KEY,
           cookie: str = COOKIE) -> machine.LoginTransaction:
    return world.service().redeem(tx_id, code, cookie_hash=cookie,
                                  signature=sign(key, f"{tx_id}.{code}"))


def stored_state(world: World, tx_id: str) -> str:
    return world.store.rows[tx_id].state


# -- the desktop starts ----------------------------------------------------------------------

def test_the_desktop_proves_its_key_and_gets_a_qr_bound_to_it(world: World) -> None:
    shown = begin(world)
    qr = tokens.parse_uri(shown.uri)
    assert qr.tx_id == shown.tx.id and qr.thumbprint == shown.tx.desktop_jkt
    assert qr.thumbprint == tokens.thumbprint(tokens.public_jwk(DESKTOP_KEY.public_key()))
    row = world.store.rows[shown.tx.id]
    assert (row.state, row.version, row.expires_at) == ("pending", 1, START + machine.LIFETIME)
    assert qr.secret not in str(row.data)  # only its hash is kept
    assert world.told == []


@pytest.mark.parametrize("nonce,signature_by,signed", [
    ("", DESKTOP_KEY, NONCE), (NONCE, OTHER_KEY, NONCE), (NONCE, DESKTOP_KEY, "another nonce"),
])
def test_a_desktop_that_cannot_sign_the_nonce_gets_no_qr(world: World, nonce: str,
                                                         signature_by: ec.EllipticCurvePrivateKey,
                                                         signed: str) -> None:
    with pytest.raises(BadSignature) as info:
        world.service().begin(desktop_jwk=tokens.public_jwk(DESKTOP_KEY.public_key()), nonce=nonce,
                              nonce_signature=sign(signature_by, signed), cookie_hash=COOKIE,
                              ip="192.168.1.20", user_agent="", service="S")
    assert (info.value.error, info.value.status) == ("bad_signature", 401)
    assert world.store.rows == {}


@pytest.mark.parametrize("jwk", [
    {"kty": "RSA", "n": "x", "e": "AQAB"},
    {"kty": "EC", "crv": "P-384", "x": "x", "y": "y"},
    {**tokens.public_jwk(DESKTOP_KEY.public_key()), "d": "private part"},
    {"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"},
])
def test_a_key_that_is_not_a_public_p256_key_is_refused(world: World, jwk: dict[str, str]) -> None:
    with pytest.raises(BadSignature):
        world.service().begin(desktop_jwk=jwk, nonce=NONCE, nonce_signature=sign(DESKTOP_KEY, NONCE),
                              cookie_hash=COOKIE, ip="192.168.1.20", user_agent="", service="S")


# -- rotation --------------------------------------------------------------------------------

def test_rotation_shows_a_new_secret_and_kills_the_old_one(world: World, clock: FrozenClock) -> None:
    shown = begin(world)
    clock.advance(seconds=20)
    rotated = world.service().rotate(shown.tx.id, COOKIE)
    assert rotated.uri != shown.uri and rotated.tx.qr_generation == 2
    assert rotated.tx.qr_expires_at == clock.now() + machine.QR_TTL
    with pytest.raises(InvalidQr):
        scan(world, shown.uri)
    assert scan(world, rotated.uri).tx.state is State.SCANNED


def test_only_the_browser_that_started_may_rotate_or_poll(world: World) -> None:
    shown = begin(world)
    other = cookie_hash("another browser")
    with pytest.raises(InvalidQr):
        world.service().rotate(shown.tx.id, other)
    with pytest.raises(InvalidQr):
        world.service().status(shown.tx.id, other)
    assert world.service().status(shown.tx.id, COOKIE) == {"tx": shown.tx.id, "state": "pending"}


def test_rotation_is_capped(world: World) -> None:
    shown = begin(world, max_rotations=3)
    for _ in range(2):
        world.service().rotate(shown.tx.id, COOKIE)
    with pytest.raises(RotationLimit) as info:
        world.service().rotate(shown.tx.id, COOKIE)
    assert (info.value.error, info.value.status) == ("rotation_limit", 410)


def test_a_scanned_qr_is_not_rotated(world: World) -> None:
    shown = begin(world)
    scan(world, shown.uri)
    with pytest.raises(BadState):
        world.service().rotate(shown.tx.id, COOKIE)
    assert world.store.rows[shown.tx.id].data["qr_generation"] == 1


# -- the phone scans -------------------------------------------------------------------------

def test_a_scan_tells_the_desktop_the_number_and_nothing_about_who(world: World) -> None:
    shown = begin(world)
    scanned = scan(world, shown.uri)
    tx = scanned.tx
    assert (tx.state, tx.account_id, tx.device_id) == (State.SCANNED, ACCOUNT, DEVICE)
    assert tx.correct_number in scanned.context.numbers and len(set(scanned.context.numbers)) == 3
    assert (scanned.context.service, scanned.context.browser, scanned.context.os) == (
        "Cổng DVC", "Chrome 126", "Windows")
    assert tx.context_hash == tokens.context_hash(scanned.context.as_dict())
    assert world.told == [(tx.id, {"tx": tx.id, "state": "scanned", "number": tx.correct_number})]
    assert stored_state(world, tx.id) == "scanned"


def test_a_second_scan_is_refused_and_flagged(world: World) -> None:
    shown = begin(world)
    scan(world, shown.uri)
    with pytest.raises(AlreadyScanned) as info:
        scan(world, shown.uri, account=8, device=80)
    assert info.value.error == "already_scanned"
    assert world.store.rows[shown.tx.id].data["flags"] == ["second_scan:8"]
    assert world.store.rows[shown.tx.id].data["account_id"] == ACCOUNT


@pytest.mark.parametrize("mangle", [
    lambda uri: uri.replace("k=", "k=A", 1)[:-1],  # another desktop's thumbprint
    lambda uri: uri.replace("eid://", "https://"),
    lambda uri: uri + "&extra=1",
    lambda uri: "",
    lambda uri: "eid://qr-login/v1?t=" + "T" * 24 + "&s=" + "A" * 22 + "&k=" + "B" * 43,
])
def test_a_qr_that_is_not_the_one_shown_is_invalid(world: World, mangle: Any) -> None:
    shown = begin(world)
    with pytest.raises(InvalidQr):
        scan(world, mangle(shown.uri))
    assert stored_state(world, shown.tx.id) == "pending" and world.told == []


def test_a_qr_scanned_after_its_ttl_is_invalid(world: World, clock: FrozenClock) -> None:
    shown = begin(world)
    clock.advance(seconds=25)
    with pytest.raises(InvalidQr):
        scan(world, shown.uri)


def test_an_account_with_web_sign_in_off_cannot_scan(world: World) -> None:
    shown = begin(world)
    with pytest.raises(WebLoginDisabled) as info:
        scan(world, shown.uri, enabled=False)
    assert (info.value.error, info.value.status) == ("web_login_disabled", 403)
    assert stored_state(world, shown.tx.id) == "pending"


def test_two_racing_scans_cannot_both_win(world: World) -> None:
    shown = begin(world)
    before = copy.deepcopy(world.store.rows[shown.tx.id].data)
    scan(world, shown.uri)
    world.store.stale[shown.tx.id] = before  # the other worker read it before the first scan
    with pytest.raises(BadState):
        scan(world, shown.uri, account=8, device=80)
    assert world.store.rows[shown.tx.id].data["account_id"] == ACCOUNT


# -- the phone decides -----------------------------------------------------------------------

def test_an_approval_with_the_right_number_gives_the_desktop_its_redeem_code(world: World) -> None:
    shown = begin(world)
    scanned = scan(world, shown.uri)
    signed = approval(world, scanned)
    tx = decide(world, signed)
    assert tx.state is State.APPROVED and stored_state(world, tx.id) == "approved"
    tx_id, event = world.told[-1]
    assert tx_id == tx.id and set(event) == {"tx", "state", "redeem_code"}
    assert event["state"] == "approved" and len(event["redeem_code"]) == 22
    assert world.service().status(tx.id, COOKIE) == event  # the polling fallback's answer
    assert world.decisions.records == [{
        "tx_id": tx.id, "account_id": ACCOUNT, "device_id": DEVICE, "decision": "approved",
        "payload": signed[0], "signature": signed[1], "received_at": START}]


def test_a_denial_tells_the_desktop_it_was_denied(world: World) -> None:
    scanned = scan(world, begin(world).uri)
    tx = decide(world, approval(world, scanned, decision="deny"))
    assert (tx.state, tx.deny_reason) == (State.DENIED, DenyReason.DECLINED)
    assert world.told[-1][1] == {"tx": tx.id, "state": "denied"}
    assert [r["decision"] for r in world.decisions.records] == ["denied"]


def test_the_wrong_number_ends_the_sign_in(world: World) -> None:
    scanned = scan(world, begin(world).uri)
    wrong = next(n for n in scanned.context.numbers if n != scanned.tx.correct_number)
    tx = decide(world, approval(world, scanned, number=wrong))
    assert (tx.state, tx.deny_reason) == (State.DENIED, DenyReason.WRONG_NUMBER)
    assert world.told[-1][1] == {"tx": tx.id, "state": "denied"}
    with pytest.raises(BadState):
        decide(world, approval(world, scanned))  # no second guess


def test_a_service_needing_level_2_asks_a_level_1_account_to_step_up(world: World) -> None:
    scanned = scan(world, begin(world, level=2).uri)
    tx = decide(world, approval(world, scanned), level=1)
    assert tx.deny_reason is DenyReason.STEP_UP_REQUIRED
    assert world.told[-1][1] == {"tx": tx.id, "state": "step_up_required"}


def test_a_replayed_approval_is_refused(world: World) -> None:
    scanned = scan(world, begin(world).uri)
    signed = approval(world, scanned)
    decide(world, signed)
    told = len(world.told)
    with pytest.raises(Replayed) as info:
        decide(world, signed)
    assert (info.value.error, info.value.status) == ("replayed", 409)
    assert len(world.told) == told and len(world.decisions.records) == 1


def test_an_approval_id_is_burnt_even_when_the_approval_was_refused(world: World,
                                                                    clock: FrozenClock) -> None:
    scanned = scan(world, begin(world).uri)
    stale = approval(world, scanned, iat=int(clock.now().timestamp()) - 120)
    with pytest.raises(Stale):
        decide(world, stale)
    with pytest.raises(Replayed):
        decide(world, stale)


@pytest.mark.parametrize("forge", ["other_key", "tampered", "not_canonical", "extra_field"])
def test_an_approval_not_signed_by_the_phones_key_as_sent_is_refused(world: World, forge: str) -> None:
    scanned = scan(world, begin(world).uri)
    raw, signature = approval(world, scanned)
    if forge == "other_key":
        raw, signature = approval(world, scanned, key=OTHER_KEY)
    elif forge == "tampered":
        raw = raw.replace('"decision":"approve"', '"decision":"deny"')
    else:
        text = raw.replace(",", ", ") if forge == "not_canonical" else raw[:-1] + ',"zz":1}'
        raw, signature = text, sign(PHONE_KEY, text)
    with pytest.raises(BadSignature):
        decide(world, (raw, signature))
    assert stored_state(world, scanned.tx.id) == "scanned" and world.decisions.records == []


@pytest.mark.parametrize("over,error", [
    ({"thumbprint": "X" * 43}, ThumbprintMismatch), ({"aud": "https://evil.example"}, BadState),
    ({"context_hash": "not what was shown"}, BadState),
])
def test_an_approval_must_be_bound_to_this_desktop_audience_and_context(world: World,
                                                                        over: dict[str, Any],
                                                                        error: type[Exception]) -> None:
    scanned = scan(world, begin(world).uri)
    with pytest.raises(error):
        decide(world, approval(world, scanned, **over))
    assert stored_state(world, scanned.tx.id) == "scanned"


def test_an_approval_for_another_sign_in_is_refused(world: World) -> None:
    first = scan(world, begin(world).uri)
    second = scan(world, begin(world).uri)
    with pytest.raises(BadState):
        decide(world, approval(world, second, tx=first.tx.id, context_hash=tokens.context_hash(
            second.context.as_dict())))


@pytest.mark.parametrize("account,device", [(ACCOUNT, 71), (8, DEVICE)])
def test_only_the_phone_that_scanned_may_decide(world: World, account: int, device: int) -> None:
    scanned = scan(world, begin(world).uri)
    with pytest.raises(BadState):
        decide(world, approval(world, scanned), account=account, device=device)
    assert stored_state(world, scanned.tx.id) == "scanned" and world.decisions.records == []


@pytest.mark.parametrize("seconds,stale", [(-61, True), (-60, False), (60, False), (61, True)])
def test_an_approval_signed_more_than_a_minute_from_now_is_stale(world: World, clock: FrozenClock,
                                                                 seconds: int, stale: bool) -> None:
    scanned = scan(world, begin(world).uri)
    signed = approval(world, scanned, iat=int(clock.now().timestamp()) + seconds)
    if stale:
        with pytest.raises(Stale) as info:
            decide(world, signed)
        assert info.value.error == "stale"
    else:
        assert decide(world, signed).state is State.APPROVED


def test_the_phone_has_two_minutes_to_decide(world: World, clock: FrozenClock) -> None:
    scanned = scan(world, begin(world).uri)
    clock.advance(minutes=2, seconds=1)
    with pytest.raises(Expired) as info:
        decide(world, approval(world, scanned))
    assert (info.value.error, info.value.status) == ("expired", 410)


# -- expiry ----------------------------------------------------------------------------------

def test_a_transaction_past_its_lifetime_is_expired_when_next_read(world: World, clock: FrozenClock) -> None:
    shown = begin(world)
    clock.advance(minutes=4)
    assert world.service().status(shown.tx.id, COOKIE) == {"tx": shown.tx.id, "state": "expired"}
    assert stored_state(world, shown.tx.id) == "expired"
    with pytest.raises(Expired):
        scan(world, shown.uri)
    with pytest.raises(Expired):
        world.service().rotate(shown.tx.id, COOKIE)


def test_the_lifetime_comes_from_the_timing(world: World, clock: FrozenClock) -> None:
    shown = begin(world, lifetime=timedelta(seconds=30), qr_ttl=timedelta(seconds=10))
    assert shown.tx.expires_at == clock.now() + timedelta(seconds=30)
    clock.advance(seconds=10)
    with pytest.raises(InvalidQr):
        scan(world, shown.uri)
    clock.advance(seconds=20)
    assert world.service().load(shown.tx.id).state is State.EXPIRED


@pytest.mark.parametrize("tx_id", ["", "unknown-transaction-id"])
def test_an_unknown_transaction_is_an_invalid_qr(world: World, tx_id: str) -> None:
    with pytest.raises(InvalidQr):
        world.service().status(tx_id, COOKIE)


# -- the desktop redeems ---------------------------------------------------------------------

def test_the_desktop_redeems_the_approval_once(world: World) -> None:
    tx, code = approved(world)
    done = redeem(world, tx.id, code)
    assert done.state is State.CONSUMED and stored_state(world, tx.id) == "consumed"
    assert done.account_id == ACCOUNT and done.device_id == DEVICE
    with pytest.raises(RedeemInvalid):
        redeem(world, tx.id, code)


@pytest.mark.parametrize("case,error", [
    ("wrong_code", RedeemInvalid), ("other_key", BadSignature), ("other_cookie", InvalidQr),
])
def test_only_the_starting_browser_with_the_code_redeems(world: World, case: str,
                                                         error: type[Exception]) -> None:
    tx, code = approved(world)
    with pytest.raises(error):
        redeem(world, tx.id, "W" * 22 if case == "wrong_code" else code,
               key=OTHER_KEY if case == "other_key" else DESKTOP_KEY,
               cookie=cookie_hash("another browser") if case == "other_cookie" else COOKIE)
    assert stored_state(world, tx.id) == "approved"
    assert redeem(world, tx.id, code).state is State.CONSUMED


@pytest.mark.parametrize("seconds,expired", [(29, False), (30, True)])
def test_the_redeem_code_lasts_thirty_seconds(world: World, clock: FrozenClock, seconds: int,
                                              expired: bool) -> None:
    tx, code = approved(world)
    clock.advance(seconds=seconds)
    if expired:
        with pytest.raises(Expired):
            redeem(world, tx.id, code)
        assert stored_state(world, tx.id) == "approved"
    else:
        assert redeem(world, tx.id, code).state is State.CONSUMED


def test_nothing_is_redeemed_before_the_approval(world: World) -> None:
    scanned = scan(world, begin(world).uri)
    with pytest.raises(RedeemInvalid):
        redeem(world, scanned.tx.id, "R" * 22)


# -- "I did not start this" ------------------------------------------------------------------

def test_the_phone_reports_a_sign_in_it_did_not_start(world: World) -> None:
    scanned = scan(world, begin(world).uri)
    tx = world.service().report(scanned.tx.id, account_id=ACCOUNT)
    assert (tx.state, tx.deny_reason, tx.flags) == (State.DENIED, DenyReason.REPORTED, ["reported"])
    assert world.told[-1][1] == {"tx": tx.id, "state": "denied"}
    with pytest.raises(BadState):
        decide(world, approval(world, scanned))


def test_a_report_after_the_end_is_only_flagged(world: World) -> None:
    tx, code = approved(world)
    redeem(world, tx.id, code)
    reported = world.service().report(tx.id, account_id=ACCOUNT)
    assert reported.state is State.CONSUMED and reported.flags == ["reported_after_end"]


def test_only_the_account_that_scanned_may_report(world: World) -> None:
    scanned = scan(world, begin(world).uri)
    with pytest.raises(BadState):
        world.service().report(scanned.tx.id, account_id=8)
    assert stored_state(world, scanned.tx.id) == "scanned"


# -- what the desktop may know ---------------------------------------------------------------

@pytest.mark.parametrize("state,reason,code,expected", [
    (State.PENDING, None, None, {"state": "pending"}),
    (State.SCANNED, None, None, {"state": "scanned", "number": 42}),
    (State.APPROVED, None, "R" * 22, {"state": "approved", "redeem_code": "R" * 22}),
    (State.APPROVED, None, None, {"state": "approved"}),
    (State.DENIED, DenyReason.WRONG_NUMBER, None, {"state": "denied"}),
    (State.DENIED, DenyReason.STEP_UP_REQUIRED, None, {"state": "step_up_required"}),
    (State.CONSUMED, None, "R" * 22, {"state": "consumed"}),
    (State.EXPIRED, None, None, {"state": "expired"}),
])
def test_the_desktop_event_carries_only_state_number_and_code(world: World, state: State,
                                                              reason: DenyReason | None,
                                                              code: str | None,
                                                              expected: dict[str, Any]) -> None:
    from dataclasses import replace

    tx = replace(begin(world).tx, state=state, deny_reason=reason, account_id=ACCOUNT,
                 device_id=DEVICE, correct_number=42, numbers=[42, 17, 88])
    assert desktop_event(tx, code) == {"tx": tx.id, **expected}
