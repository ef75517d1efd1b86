"""Injected randomness for the protocol cores.

Every core that needs random bytes takes ``rng=``; anything with a
``token_bytes(n) -> bytes`` method fits (``eid.clock.SystemRng`` does).
:class:`ScriptedRng` hands out fixed byte strings so that the worked examples of
ICAO Doc 9303-11 (Appendix D, Appendix G) replay byte for byte.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Protocol


class Rng(Protocol):
    def token_bytes(self, n: int) -> bytes: ...


class SystemRng:
    """The operating system's CSPRNG."""

    def token_bytes(self, n: int) -> bytes:
        return secrets.token_bytes(n)


class ScriptedRng:
    """Replays the given chunks in order; for tests and worked examples only.

    Raises:
        AssertionError: when a request does not match the next chunk's length or the
            script is exhausted (a test that drifted from its example).
    """

    def __init__(self, chunks: Iterable[bytes | str]) -> None:
        self._chunks = [bytes.fromhex(c) if isinstance(c, str) else c for c in chunks]

    def token_bytes(self, n: int) -> bytes:
        assert self._chunks, "scripted randomness exhausted"
        chunk = self._chunks.pop(0)
        assert len(chunk) == n, f"scripted chunk has {len(chunk)} bytes, {n} requested"
        return chunk

    @property
    def remaining(self) -> int:
        return len(self._chunks)


SYSTEM_RNG = SystemRng()
