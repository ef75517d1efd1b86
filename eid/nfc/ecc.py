"""Prime-curve arithmetic for PACE generic mapping (ICAO Doc 9303-11 §4.4.3.3.1).

The mapped generator ``G~ = s*G + H`` needs point addition and multiplication on an
arbitrary base point, which ``cryptography`` does not expose, so the arithmetic runs
on fastecdsa's compiled named curves (three times faster than a fastecdsa curve
built from parameters, and a multiplication costs what one ``cryptography`` ECDH
does). The curves are the standardized PACE domain parameters (9303-11
§9.5.1, Table 6, RFC 5639, FIPS 186-4), kept here in hex; a test checks that the
fastecdsa curve of each has the same. Scalars are ephemeral and nothing here is
meant to be constant-time: it runs in the terminal and in the simulated chip, never
on a long-term private key.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from fastecdsa import curve as fast_curves
from fastecdsa.rust import Curve as FastCurve  # where fastecdsa's types are declared
from fastecdsa.rust import Point as FastPoint

from eid.nfc.errors import PaceFailed

Point = tuple[int, int] | None  # None is the point at infinity


@dataclass(frozen=True)
class Curve:
    name: str
    p: int
    a: int
    b: int
    gx: int
    gy: int
    n: int
    fast: FastCurve = field(repr=False, compare=False)

    @property
    def size(self) -> int:
        return (self.p.bit_length() + 7) // 8

    @property
    def generator(self) -> Point:
        return (self.gx, self.gy)

    def contains(self, point: Point) -> bool:
        if point is None:
            return False
        x, y = point
        return 0 <= x < self.p and 0 <= y < self.p and (
            y * y - x * x * x - self.a * x - self.b) % self.p == 0

    # --- arithmetic (fastecdsa's compiled curves) --------------------------------------------

    def _fast_point(self, point: tuple[int, int]) -> FastPoint:
        try:
            return FastPoint(point[0], point[1], self.fast)
        except ValueError as exc:  # fastecdsa checks the equation on every construction
            raise PaceFailed("point is not on the curve") from exc

    @staticmethod
    def _point(fast: FastPoint) -> Point:
        if fast.z == 0:
            return None
        if fast.z != 1:
            fast = fast.normalize()
        return fast.x, fast.y

    def add(self, a: Point, b: Point) -> Point:
        """``a + b``.

        Raises:
            PaceFailed: when either point is not on the curve.
        """
        if a is None:
            return b
        if b is None:
            return a
        return self._point(self._fast_point(a) + self._fast_point(b))

    def multiply(self, k: int, point: Point) -> Point:
        """``k * point`` (the scalar taken modulo the group order ``n``).

        Raises:
            PaceFailed: when ``point`` is not on the curve.
        """
        if point is None or k % self.n == 0:
            return None
        return self._point(self._fast_point(point) * (k % self.n))

    # --- encoding ------------------------------------------------------------------------------

    def encode(self, point: Point) -> bytes:
        """Uncompressed ``04 || X || Y`` (BSI TR-03111 §3.2.1)."""
        if point is None:
            raise PaceFailed("cannot encode the point at infinity")
        return b"\x04" + point[0].to_bytes(self.size, "big") + point[1].to_bytes(self.size, "big")

    def decode(self, data: bytes) -> Point:
        """Decode an uncompressed point and check that it lies on the curve.

        Raises:
            PaceFailed: when the encoding is wrong or the point is not on the curve.
        """
        if len(data) != 1 + 2 * self.size or data[0] != 4:
            raise PaceFailed("public key is not an uncompressed point of this curve")
        point = (int.from_bytes(data[1 : 1 + self.size], "big"),
                 int.from_bytes(data[1 + self.size :], "big"))
        if not self.contains(point):
            raise PaceFailed("public key is not on the curve")
        return point


def _curve(name: str, fast: FastCurve, p: str, a: str, b: str, g: str, n: str) -> Curve:
    half = len(g) // 2
    return Curve(name, int(p, 16), int(a, 16), int(b, 16), int(g[:half], 16),
                 int(g[half:], 16), int(n, 16), fast)


BRAINPOOL_P256R1 = _curve(
    "brainpoolP256r1",
    fast_curves.brainpoolP256r1,
    "a9fb57dba1eea9bc3e660a909d838d726e3bf623d52620282013481d1f6e5377",
    "7d5a0975fc2c3057eef67530417affe7fb8055c126dc5c6ce94a4b44f330b5d9",
    "26dc5c6ce94a4b44f330b5d9bbd77cbf958416295cf7e1ce6bccdc18ff8c07b6",
    "8bd2aeb9cb7e57cb2c4b482ffc81b7afb9de27e1e3bd23c23a4453bd9ace3262"
    "547ef835c3dac4fd97f8461a14611dc9c27745132ded8e545c1d54c72f046997",
    "a9fb57dba1eea9bc3e660a909d838d718c397aa3b561a6f7901e0e82974856a7",
)

NIST_P256 = _curve(
    "secp256r1",
    fast_curves.P256,
    "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
    "ffffffff00000001000000000000000000000000fffffffffffffffffffffffc",
    "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b",
    "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
    "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
    "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
)

BRAINPOOL_P384R1 = _curve(
    "brainpoolP384r1",
    fast_curves.brainpoolP384r1,
    "8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b412b1da197fb71123"
    "acd3a729901d1a71874700133107ec53",
    "7bc382c63d8c150c3c72080ace05afa0c2bea28e4fb22787139165efba91f90f"
    "8aa5814a503ad4eb04a8c7dd22ce2826",
    "04a8c7dd22ce28268b39b55416f0447c2fb77de107dcd2a62e880ea53eeb62d5"
    "7cb4390295dbc9943ab78696fa504c11",
    "1d1c64f068cf45ffa2a63a81b7c13f6b8847a3e77ef14fe3db7fcafe0cbd10e8"
    "e826e03436d646aaef87b2e247d4af1e8abe1d7520f9c2a45cb1eb8e95cfd552"
    "62b70b29feec5864e19c054ff99129280e4646217791811142820341263c5315",
    "8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b31f166e6cac0425a7"
    "cf3ab6af6b7fc3103b883202e9046565",
)

NIST_P384 = _curve(
    "secp384r1",
    fast_curves.P384,
    "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff",
    "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffc",
    "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef",
    "aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7"
    "3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f",
    "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
)

# PACE standardized domain parameter ids (9303-11 §9.5.1, Table 6).
PACE_CURVES: dict[int, Curve] = {
    12: NIST_P256,
    13: BRAINPOOL_P256R1,
    15: NIST_P384,
    16: BRAINPOOL_P384R1,
}
