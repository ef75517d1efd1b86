"""Curve arithmetic for PACE generic mapping against Appendix G.1."""
from __future__ import annotations

import pytest

from eid.nfc.ecc import BRAINPOOL_P256R1, PACE_CURVES, Curve
from eid.nfc.errors import PaceFailed
from tests.nfc import icao_vectors as v

CURVE = BRAINPOOL_P256R1


@pytest.mark.parametrize("curve", list(PACE_CURVES.values()), ids=lambda c: c.name)
def test_generator_lies_on_the_curve_and_has_order_n(curve: Curve) -> None:
    assert curve.contains(curve.generator)
    assert curve.multiply(curve.n, curve.generator) is None
    assert curve.multiply(curve.n + 1, curve.generator) == curve.generator


@pytest.mark.parametrize(("private", "public"), [
    (v.G_SK_MAP_IFD, v.G_PK_MAP_IFD), (v.G_SK_MAP_IC, v.G_PK_MAP_IC),
])
def test_mapping_public_keys_of_appendix_g(private: str, public: str) -> None:
    point = CURVE.multiply(int(private, 16), CURVE.generator)
    assert CURVE.encode(point).hex().upper() == public


def test_shared_point_h_of_appendix_g_is_symmetric() -> None:
    h_terminal = CURVE.multiply(int(v.G_SK_MAP_IFD, 16), CURVE.decode(bytes.fromhex(v.G_PK_MAP_IC)))
    h_chip = CURVE.multiply(int(v.G_SK_MAP_IC, 16), CURVE.decode(bytes.fromhex(v.G_PK_MAP_IFD)))
    assert h_terminal == h_chip
    assert CURVE.encode(h_terminal).hex().upper() == v.G_H


@pytest.mark.parametrize("encoded", [
    "04" + "00" * 64,                    # not on the curve
    v.G_PK_MAP_IC[:-2],                  # truncated
    "03" + v.G_PK_MAP_IC[2:],            # not uncompressed
])
def test_invalid_points_are_rejected(encoded: str) -> None:
    with pytest.raises(PaceFailed):
        CURVE.decode(bytes.fromhex(encoded))


def test_point_at_infinity_cannot_be_encoded() -> None:
    with pytest.raises(PaceFailed):
        CURVE.encode(None)


@pytest.mark.parametrize("curve", list(PACE_CURVES.values()), ids=lambda c: c.name)
def test_compiled_curve_has_the_published_domain_parameters(curve: Curve) -> None:
    fast = curve.fast
    assert (fast.p, fast.a, fast.b, fast.q) == (curve.p, curve.a, curve.b, curve.n)
    assert (fast.G.x, fast.G.y) == curve.generator


@pytest.mark.parametrize("curve", list(PACE_CURVES.values()), ids=lambda c: c.name)
def test_addition_agrees_with_multiplication(curve: Curve) -> None:
    g = curve.generator
    assert curve.add(curve.multiply(5, g), curve.multiply(3, g)) == curve.multiply(8, g)
    assert curve.add(g, g) == curve.multiply(2, g)
    assert curve.add(g, curve.multiply(-1, g)) is None
    assert curve.add(None, g) == g


def test_arithmetic_refuses_a_point_off_the_curve() -> None:
    with pytest.raises(PaceFailed):
        CURVE.multiply(2, (1, 2))
    with pytest.raises(PaceFailed):
        CURVE.add(CURVE.generator, (1, 2))
