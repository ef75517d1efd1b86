"""The DPoP-style device proof, below the API: signature encoding, time and claims."""
from __future__ import annotations

import base64
import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from joserfc import jws
from joserfc.jwk import ECKey

from eid.accounts import proof

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
URL = "https://eid.example/api/mobile/v1/me"


@pytest.fixture(scope="module")
def key() -> ECKey:
    return ECKey.generate_key("P-256")


def never_seen(_key: str, _expires: datetime) -> bool:
    return False


def signed(key: ECKey, claims: dict[str, object]) -> str:
    header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": key.as_dict(private=False)}
    return str(jws.serialize_compact(header, json.dumps(claims), key))


def claims(**over: object) -> dict[str, object]:
    base: dict[str, object] = {"htm": "GET", "htu": URL, "iat": int(NOW.timestamp()),
                               "jti": "j" * 20}
    base.update(over)
    return base


def test_der_encoding_matches_cryptography_for_every_shape_of_r_and_s() -> None:
    rng = random.Random(9303)
    for i in range(5000):
        raw = bytearray(rng.randbytes(64))
        raw[: i % 34] = bytes(i % 34)  # leading zero bytes in r (and an all-zero r)
        if i % 3 == 0:
            raw[32] |= 0x80  # s with its top bit set needs a 0x00 pad
        if i % 5 == 0:
            raw[32:32 + i % 7] = bytes(i % 7)
        sig = bytes(raw)
        expected = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
        assert proof._der_signature(sig) == expected


def test_a_proof_made_by_the_phone_verifies_and_records_its_id(key: ECKey) -> None:
    recorded: list[tuple[str, datetime]] = []

    def seen(k: str, expires: datetime) -> bool:
        recorded.append((k, expires))
        return False

    token = "an-access-token"
    compact = proof.make(key, method="get", url=URL + "?page=2", now=NOW, jti="x" * 24,
                         access_token=token)
    p = proof.verify(compact, method="GET", url=URL, now=NOW + timedelta(seconds=30), seen=seen,
                     access_token=token, expected_jkt=proof.thumbprint(key.as_dict(private=False)))
    assert p.jti == "x" * 24 and p.iat == NOW
    assert [k for k, _ in recorded] == [f"{p.jkt}:{'x' * 24}"]
    assert recorded[0][1] >= NOW + proof.MAX_SKEW  # kept at least as long as it is acceptable


def test_a_replayed_id_is_refused(key: ECKey) -> None:
    compact = signed(key, claims())
    with pytest.raises(proof.ProofReplayed):
        proof.verify(compact, method="GET", url=URL, now=NOW, seen=lambda _k, _e: True)


@pytest.mark.parametrize("iat", [True, "1700000000", None, float("nan"), float("inf"),
                                 -float("inf"), 10 ** 400, -(10 ** 400)])
def test_an_issue_time_that_is_not_a_sane_number_is_refused(key: ECKey, iat: object) -> None:
    with pytest.raises(proof.ProofInvalid, match=r"iat|too old"):
        proof.verify(signed(key, claims(iat=iat)), method="GET", url=URL, now=NOW, seen=never_seen)


@pytest.mark.parametrize("beyond", [-3600, -1, 1, 3600])
def test_a_proof_outside_the_clock_window_is_refused(key: ECKey, beyond: int) -> None:
    skew = int(proof.MAX_SKEW.total_seconds())
    iat = int(NOW.timestamp()) + (skew + beyond if beyond > 0 else -skew + beyond)
    with pytest.raises(proof.ProofInvalid, match="too old"):
        proof.verify(signed(key, claims(iat=iat)), method="GET", url=URL, now=NOW, seen=never_seen)


def test_a_proof_at_the_edge_of_the_clock_window_is_accepted(key: ECKey) -> None:
    skew = int(proof.MAX_SKEW.total_seconds())
    for iat in (int(NOW.timestamp()) - skew, int(NOW.timestamp()) + skew):
        assert proof.verify(signed(key, claims(iat=iat, jti=f"edge-{iat}-0123456789")), method="GET",
                            url=URL, now=NOW, seen=never_seen).iat.timestamp() == iat


def test_a_tampered_signature_or_claims_are_refused(key: ECKey) -> None:
    head, body, sig = signed(key, claims()).split(".")
    raw = bytearray(base64.urlsafe_b64decode(sig + "=="))
    raw[40] ^= 1
    bad_sig = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    other = base64.urlsafe_b64encode(json.dumps(claims(htm="POST")).encode()).rstrip(b"=").decode()
    for compact in (f"{head}.{body}.{bad_sig}", f"{head}.{other}.{sig}", f"{head}.{body}.{sig[:-4]}",
                    f"{head}.{body}", "not-a-token"):
        with pytest.raises(proof.ProofInvalid):
            proof.verify(compact, method="GET", url=URL, now=NOW, seen=never_seen)


def test_a_proof_for_another_method_url_or_token_is_refused(key: ECKey) -> None:
    compact = signed(key, claims(ath=proof.access_token_hash("mine")))
    for method, url, token in (("POST", URL, "mine"), ("GET", URL + "/other", "mine"),
                               ("GET", URL, "someone-else")):
        with pytest.raises(proof.ProofInvalid):
            proof.verify(compact, method=method, url=url, now=NOW, seen=never_seen, access_token=token)
