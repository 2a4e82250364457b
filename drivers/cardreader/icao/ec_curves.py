"""Elliptic-curve domain parameters and point arithmetic for PACE, ICAO 9303-11 §9.5.1 and §9.4.

PACE names its curves by a small integer (Table 6, "standardized domain parameters"); we
support the elliptic-curve ones, IDs 8-18. The arithmetic comes from the ``ecdsa`` package;
this module wraps it so the rest of the code sees typed :class:`EcPoint` values and gets a
:class:`PaceError` (never an ``ecdsa`` exception) for anything a chip or terminal could send.

Every point received from the other side goes through :func:`decode_point`, which checks
that it lies on the curve and is not the point at infinity (§4.4.3.3 and BSI TR-03111
§3.2.2.1 "public key validation"). All curves in Table 6 have cofactor 1, so a point on the
curve is also in the prime-order subgroup.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ecdsa import curves, ellipticcurve

from drivers.cardreader.icao.errors import PaceError

UNCOMPRESSED = 0x04  # BSI TR-03111 §3.2.1: uncompressed point encoding 04 || X || Y


@dataclass(frozen=True, slots=True)
class EcPoint:
    """An affine point on a curve, or the point at infinity when ``x`` and ``y`` are None."""

    x: int | None
    y: int | None

    @property
    def is_infinity(self) -> bool:
        return self.x is None or self.y is None


INFINITY = EcPoint(None, None)


@dataclass(frozen=True, slots=True)
class DomainParameters:
    """One curve of ICAO 9303-11 Table 6: y² = x³ + ax + b over GF(p), generator G of order n."""

    parameter_id: int
    name: str
    _curve: Any  # ecdsa.curves.Curve; kept private so ecdsa's untyped objects stay in this module

    @property
    def p(self) -> int:
        return int(self._curve.curve.p())

    @property
    def a(self) -> int:
        return int(self._curve.curve.a())

    @property
    def b(self) -> int:
        return int(self._curve.curve.b())

    @property
    def order(self) -> int:
        return int(self._curve.order)

    @property
    def field_size(self) -> int:
        """Length in bytes of a field element, used by FE2OS (BSI TR-03111 §3.1.3)."""
        return (self.p.bit_length() + 7) // 8

    @property
    def generator(self) -> EcPoint:
        affine = self._curve.generator.to_affine()
        return EcPoint(int(affine.x()), int(affine.y()))

    def contains(self, point: EcPoint) -> bool:
        """True if the point is a finite point on this curve with coordinates in [0, p)."""
        if point.x is None or point.y is None:
            return False
        if not (0 <= point.x < self.p and 0 <= point.y < self.p):
            return False
        return bool(self._curve.curve.contains_point(point.x, point.y))

    def _jacobi(self, point: EcPoint) -> Any:
        if point.x is None or point.y is None:
            return ellipticcurve.INFINITY
        return ellipticcurve.PointJacobi(self._curve.curve, point.x, point.y, 1, self.order)

    @staticmethod
    def _from_ecdsa(point: Any) -> EcPoint:
        if point == ellipticcurve.INFINITY:
            return INFINITY
        affine = point.to_affine()
        if affine == ellipticcurve.INFINITY:
            return INFINITY
        return EcPoint(int(affine.x()), int(affine.y()))

    def multiply(self, point: EcPoint, scalar: int) -> EcPoint:
        """Scalar multiplication k·P."""
        if point.is_infinity or scalar % self.order == 0:
            return INFINITY
        return self._from_ecdsa(self._jacobi(point) * (scalar % self.order))

    def add(self, left: EcPoint, right: EcPoint) -> EcPoint:
        """Point addition P + Q."""
        if left.is_infinity:
            return right
        if right.is_infinity:
            return left
        return self._from_ecdsa(self._jacobi(left) + self._jacobi(right))

    def encode_point(self, point: EcPoint) -> bytes:
        """Uncompressed encoding 04 || X || Y with FE2OS field elements (BSI TR-03111 §3.2.1)."""
        if point.x is None or point.y is None:
            raise PaceError("the point at infinity cannot be sent")
        size = self.field_size
        return bytes([UNCOMPRESSED]) + point.x.to_bytes(size, "big") + point.y.to_bytes(size, "big")

    def decode_point(self, data: bytes) -> EcPoint:
        """Parse and validate an uncompressed point; raises PaceError if it is not on the curve."""
        size = self.field_size
        if len(data) != 1 + 2 * size or data[0] != UNCOMPRESSED:
            raise PaceError("the public key is not an uncompressed point of the agreed curve")
        point = EcPoint(int.from_bytes(data[1 : 1 + size], "big"), int.from_bytes(data[1 + size :], "big"))
        if not self.contains(point):
            raise PaceError("the public key is not a point on the agreed curve")
        return point

    def field_element(self, value: int) -> bytes:
        """FE2OS: a field element as a big-endian octet string of the field's length."""
        return value.to_bytes(self.field_size, "big")


# ICAO 9303-11 §9.5.1 Table 6: standardized domain parameters (elliptic-curve entries only).
_TABLE_6: dict[int, tuple[str, Any]] = {
    8: ("NIST P-192 (secp192r1)", curves.NIST192p),
    9: ("brainpoolP192r1", curves.BRAINPOOLP192r1),
    10: ("NIST P-224 (secp224r1)", curves.NIST224p),
    11: ("brainpoolP224r1", curves.BRAINPOOLP224r1),
    12: ("NIST P-256 (secp256r1)", curves.NIST256p),
    13: ("brainpoolP256r1", curves.BRAINPOOLP256r1),
    14: ("brainpoolP320r1", curves.BRAINPOOLP320r1),
    15: ("NIST P-384 (secp384r1)", curves.NIST384p),
    16: ("brainpoolP384r1", curves.BRAINPOOLP384r1),
    17: ("brainpoolP512r1", curves.BRAINPOOLP512r1),
    18: ("NIST P-521 (secp521r1)", curves.NIST521p),
}

STANDARD_EC_PARAMETER_IDS: tuple[int, ...] = tuple(sorted(_TABLE_6))


def standard_curve(parameter_id: int) -> DomainParameters:
    """Domain parameters for a Table 6 ID; raises PaceError for an ID we do not support."""
    entry = _TABLE_6.get(parameter_id)
    if entry is None:
        raise PaceError(f"domain parameter ID {parameter_id} is not a supported elliptic curve")
    name, curve = entry
    return DomainParameters(parameter_id, name, curve)
