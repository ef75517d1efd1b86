"""The password policy (portal rule + NIST SP 800-63B) and argon2id hashing."""
from __future__ import annotations

from datetime import date

import pytest

from eid.accounts.errors import InvalidCredentials, WeakPassword
from eid.accounts.passwords import Hasher, OfflineBreachList, PasswordPolicy

PERSON = {"id_number": "079203001234", "full_name": "Nguyễn Văn Đức",
          "birth_date": date(1990, 7, 5), "phone": "+84971234567"}


def reasons(pw: str) -> list[str]:
    with pytest.raises(WeakPassword) as info:
        PasswordPolicy().check(pw, **PERSON)
    return list(info.value.details["reasons"])


@pytest.mark.parametrize("pw,reason", [
    ("Ab1!", "too_short"), ("abcdefg1!", "needs_upper"), ("ABCDEFG1!", "needs_lower"),
    ("Abcdefgh!", "needs_digit"), ("Abcdefgh1", "needs_special"), ("A1!" + "x" * 300, "too_long"),
    ("Password1!", "common"), ("Qwerty123!", "common"), ("Matkhau@123", "common"),
    ("Xy!079203001234", "contains_personal"), ("Zq#203001234a", "contains_personal"),
    ("Kk!0971234567", "contains_personal"), ("Rr#05071990x", "contains_personal"),
    ("Nguyen#2027Xy", "contains_personal"), ("Duc!Rv9-Tq-Wz", "contains_personal"),
])
def test_each_rule(pw, reason):
    assert reason in reasons(pw)


def test_every_broken_rule_is_listed_at_once():
    assert {"too_short", "needs_upper", "needs_digit", "needs_special"} <= set(reasons("abc"))


def test_a_good_long_passphrase_passes():
    PasswordPolicy().check("Mùa thu Hà-Nội có 3 con mèo!", **PERSON)
    PasswordPolicy().check("Rv#9-Tq!Wz4k", **PERSON)


def test_breached_list_is_exact_and_offline():
    assert OfflineBreachList().is_breached("password")
    assert not OfflineBreachList().is_breached("Rv#9-Tq!Wz4k")


def test_hash_verify_never_truncates_and_raises_on_mismatch():
    h = Hasher.for_tests()
    long_pw = "Aa1!" + "x" * 200
    stored = h.hash(long_pw)
    h.verify(stored, long_pw)
    with pytest.raises(InvalidCredentials):
        h.verify(stored, long_pw[:-1])
    with pytest.raises(InvalidCredentials):
        h.verify("not a hash", long_pw)


def test_unicode_is_normalised_before_hashing():
    import unicodedata

    h = Hasher.for_tests()
    pw = "Mẹ Đức!Aa1xyz"
    stored = h.hash(unicodedata.normalize("NFD", pw))  # one keyboard sends NFD ...
    h.verify(stored, unicodedata.normalize("NFC", pw))  # ... another NFC: the same password


def test_production_parameters_are_rfc_9106_second_option():
    p = Hasher.production().argon2
    assert (p.time_cost, p.memory_cost, p.parallelism) == (3, 64 * 1024, 4)
    assert p.type.name == "ID"
