"""QR URI, thumbprints and signatures."""
from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from eid.clock import SeededRng
from eid.qr_login import tokens
from eid.qr_login.errors import BadSignature, InvalidQr


def test_uri_round_trips():
    p = tokens.QrPayload("T" * 24, tokens.new_secret(SeededRng(1)), "K" * 43)
    assert tokens.parse_uri(tokens.build_uri(p)) == p


T, S, K = "t=" + "T" * 24, "s=" + "A" * 22, "k=" + "K" * 43


@pytest.mark.parametrize("uri", [
    "", "https://qr-login/v1?t=x", f"eid://qr-login/v2?{T}&{S}&{K}", f"eid://qr-login/v1?{T}&{S}",
    f"eid://qr-login/v1?{T}&s=short&{K}", f"eid://qr-login/v1?t=T&{S}&{K}",
    f"eid://qr-login/v1?{T}&{T}&{S}&{K}", f"eid://qr-login/v1?{T}&{S}&{K}&x=1",
    f"eid://other/v1?{T}&{S}&{K}", f"eid://qr-login/v1?{T}&{S}&{K}#frag",
])
def test_bad_uris_are_refused(uri):
    with pytest.raises(InvalidQr):
        tokens.parse_uri(uri)


def test_rfc7638_thumbprint_of_the_rfc_example_shape():
    # RFC 7638 §3.1 uses RSA; for EC the members are crv, kty, x, y in that order.
    key = ec.derive_private_key(12345, ec.SECP256R1())
    jwk = tokens.public_jwk(key.public_key())
    assert tokens.thumbprint(jwk) == tokens.thumbprint(dict(reversed(list(jwk.items()))))
    assert len(tokens.thumbprint(jwk)) == 43


def test_signatures_in_raw_and_der_form_verify_and_tampering_does_not():
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    key = ec.generate_private_key(ec.SECP256R1())
    jwk = tokens.public_jwk(key.public_key())
    der = key.sign(b"hello", ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    tokens.verify_signature(jwk, b"hello", tokens.b64url(raw))
    tokens.verify_signature(jwk, b"hello", tokens.b64url(der))
    with pytest.raises(BadSignature):
        tokens.verify_signature(jwk, b"hellO", tokens.b64url(raw))
    with pytest.raises(BadSignature):
        tokens.verify_signature({**jwk, "d": "x"}, b"hello", tokens.b64url(raw))


@pytest.mark.parametrize("raw", ["{}", "not json", '{"tx":"a"}',
                                 '{"aud":"a","context_hash":"c","decision":"maybe","iat":1,"jti":"j",'
                                 '"number":1,"thumbprint":"t","tx":"x"}'])
def test_approval_must_be_exactly_the_canonical_payload(raw):
    with pytest.raises(BadSignature):
        tokens.parse_approval(raw)


def test_three_distinct_two_digit_numbers():
    for seed in range(50):
        numbers, right = tokens.three_numbers(SeededRng(seed))
        assert len(set(numbers)) == 3 and all(10 <= n <= 99 for n in numbers) and 0 <= right < 3
