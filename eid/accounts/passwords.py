"""Password policy and argon2id hashing.

The portal's rule (at least 8 characters with lower, upper, digit and special)
plus NIST SP 800-63B: accept long passphrases (up to 256 characters, never
truncated), refuse common and breached passwords and ones built from the
person's own ID number, name, birth date or phone.
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import unicodedata
from datetime import date
from functools import lru_cache
from typing import Protocol

import requests
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from eid.accounts.errors import InvalidCredentials, WeakPassword

log = logging.getLogger(__name__)
MIN_LENGTH, MAX_LENGTH = 8, 256
VIETNAMESE_COMMON = ("matkhau", "anhyeuem", "emyeuanh", "iloveyou", "vietnam", "hanoi", "saigon",
                     "hochiminh", "abc123", "qwerty", "admin", "password", "123456a")


def _fold(text: str) -> str:
    """Lower-case ASCII skeleton: 'Nguyễn Đức' -> 'nguyen duc'."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"]) | frozenset(VIETNAMESE_COMMON)


class BreachedPasswordChecker(Protocol):
    def is_breached(self, password: str) -> bool: ...


class OfflineBreachList:
    """SHA-1 hashes of the 30,000 passwords most seen in breaches (zxcvbn's list)."""

    @staticmethod
    @lru_cache(maxsize=1)
    def _hashes() -> frozenset[str]:
        from zxcvbn.frequency_lists import FREQUENCY_LISTS

        return frozenset(hashlib.sha1(p.encode(), usedforsecurity=False).hexdigest()
                         for p in FREQUENCY_LISTS["passwords"])

    def is_breached(self, password: str) -> bool:
        digest = hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest()
        return digest in self._hashes()


class PwnedPasswordsRange:
    """Have I Been Pwned's k-anonymity range API; fails open (logged) when unreachable."""

    def __init__(self, url: str = "https://api.pwnedpasswords.com/range/", timeout: float = 3) -> None:
        self.url, self.timeout = url, timeout

    def is_breached(self, password: str) -> bool:
        digest = hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest().upper()
        try:
            r = requests.get(self.url + digest[:5], timeout=self.timeout,
                             headers={"Add-Padding": "true"})
            r.raise_for_status()
        except requests.RequestException as exc:
            log.warning("breached-password check unavailable: %s", exc.__class__.__name__)
            return False
        suffix = digest[5:]
        return any(line.split(":")[0] == suffix and not line.endswith(":0")
                   for line in r.text.splitlines())


class PasswordPolicy:
    def __init__(self, breached: BreachedPasswordChecker | None = None) -> None:
        self.breached = breached or OfflineBreachList()

    def check(self, password: str, *, id_number: str | None = None, full_name: str | None = None,
              birth_date: date | None = None, phone: str | None = None) -> None:
        """Raises WeakPassword listing every rule the password breaks."""
        reasons = self._shape(password)
        if self._is_common(password):
            reasons.append("common")
        if self.breached.is_breached(password):
            reasons.append("breached")
        if self._is_personal(password, id_number, full_name, birth_date, phone):
            reasons.append("contains_personal")
        if reasons:
            raise WeakPassword(reasons=reasons)

    @staticmethod
    def _shape(pw: str) -> list[str]:
        out = []
        if len(pw) < MIN_LENGTH:
            out.append("too_short")
        if len(pw) > MAX_LENGTH:
            out.append("too_long")
        checks = (("needs_lower", str.islower), ("needs_upper", str.isupper),
                  ("needs_digit", str.isdigit))
        out += [code for code, test in checks if not any(test(c) for c in pw)]
        if not any(not c.isalnum() for c in pw):
            out.append("needs_special")
        return out

    @staticmethod
    def _is_common(pw: str) -> bool:
        low = pw.lower()
        base = re.sub(r"[\d\W_]+$", "", low)
        base = re.sub(r"^[\d\W_]+", "", base)
        return low in _common() or (len(base) >= 4 and base in _common()) or \
            _fold(base).replace(" ", "") in VIETNAMESE_COMMON

    @staticmethod
    def _is_personal(pw: str, id_number: str | None, full_name: str | None,
                     birth_date: date | None, phone: str | None) -> bool:
        folded = _fold(pw)
        digits_only = re.sub(r"\D", "", pw)
        needles: list[str] = []
        if id_number:
            needles += [id_number, id_number[-6:]]
        if phone:
            national = "0" + phone[3:] if phone.startswith("+84") else phone.lstrip("+")
            needles += [national, phone.lstrip("+"), national[-7:]]
        if birth_date:
            needles += [birth_date.strftime(f) for f in ("%d%m%Y", "%d%m%y", "%Y-%m-%d", "%Y%m%d",
                                                         "%d/%m/%Y")]
        if any(n and (n in pw or (n.isdigit() and len(n) >= 6 and n in digits_only))
               for n in needles):
            return True
        parts = [p for p in _fold(full_name or "").split() if len(p) >= 3]
        return any(p in folded for p in parts)


class Hasher:
    """argon2id. Verification raises; it never returns False."""

    def __init__(self, time_cost: int, memory_cost: int, parallelism: int) -> None:
        self.argon2 = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost,
                                     parallelism=parallelism, hash_len=32, salt_len=16,
                                     type=Type.ID)
        self._dummy = self.argon2.hash("not a real password")

    @classmethod
    def production(cls) -> Hasher:
        """RFC 9106 §4, second recommended option: t=3, m=64 MiB, p=4."""
        return cls(time_cost=3, memory_cost=64 * 1024, parallelism=4)

    @classmethod
    def for_tests(cls) -> Hasher:
        return cls(time_cost=1, memory_cost=1024, parallelism=1)

    @staticmethod
    def _prepare(password: str) -> str:
        return unicodedata.normalize("NFC", password)

    def hash(self, password: str) -> str:
        return self.argon2.hash(self._prepare(password))

    def verify(self, stored: str, password: str) -> None:
        """Raises InvalidCredentials on a mismatch or an unusable stored hash."""
        try:
            self.argon2.verify(stored, self._prepare(password))
        except (VerifyMismatchError, VerificationError, InvalidHashError) as exc:
            raise InvalidCredentials() from exc

    def needs_rehash(self, stored: str) -> bool:
        try:
            return self.argon2.check_needs_rehash(stored)
        except InvalidHashError:
            return False

    def dummy_verify(self) -> None:
        """Spend a real verification's time for an account that does not exist."""
        with contextlib.suppress(VerifyMismatchError):
            self.argon2.verify(self._dummy, "a wrong guess")
