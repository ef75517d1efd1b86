"""acr policy without Flask: the mapping from level and sign-in method, and how
acr_values / claims.acr are honoured (the Keycloak mistakes included)."""

from __future__ import annotations

import pytest

from eid.oidc import acr
from eid.oidc.errors import InvalidRequest, UnmetAuthenticationRequirements


@pytest.mark.parametrize(
    ("level", "method", "expected"),
    [
        (1, "password+otp", "LoA1"),
        (1, "qr", "LoA1"),
        (1, "chip", "LoA1"),
        (2, "password+otp", "LoA1"),
        (2, "qr", "LoA2"),
        (2, "chip", "LoA2"),
    ],
)
def test_loa2_needs_a_level_2_account_and_the_phone_or_the_chip(level, method, expected):
    assert acr.achieved(level, method) == expected


def test_a_web_session_kind_names_its_method():
    assert acr.method_of("qr") == "qr"
    assert acr.method_of("web") == "password+otp"
    assert "otp" in acr.amr("password+otp") and "hwk" in acr.amr("qr")


def test_nothing_asked_decides_nothing():
    assert acr.decide(acr.parse(None, None), level=1, current="LoA1") == acr.Decision(None, False)


def test_an_unknown_essential_acr_fails():
    req = acr.parse(None, {"id_token": {"acr": {"essential": True, "values": ["urn:other:loa3"]}}})
    with pytest.raises(UnmetAuthenticationRequirements):
        acr.decide(req, level=2, current="LoA2")


def test_an_unknown_voluntary_acr_is_ignored():
    req = acr.parse("urn:other:loa3", None)
    assert acr.decide(req, level=1, current="LoA1") == acr.Decision(None, False)


def test_several_acr_values_do_not_fall_to_the_lowest():
    req = acr.parse("LoA2 LoA1", None)
    decision = acr.decide(req, level=2, current="LoA1")
    assert decision == acr.Decision("LoA2", True)  # the preferred value, by a step-up


def test_the_first_reachable_value_is_the_target_for_a_level_1_account():
    assert acr.decide(acr.parse("LoA2 LoA1", None), level=1, current="LoA1") == acr.Decision("LoA1", False)


def test_claims_acr_value_is_read():
    req = acr.parse(None, {"id_token": {"acr": {"essential": True, "value": "LoA2"}}})
    assert req.values == ("LoA2",) and req.essential
    with pytest.raises(UnmetAuthenticationRequirements):
        acr.decide(req, level=1, current="LoA1")


def test_claims_acr_values_win_over_acr_values():
    req = acr.parse("LoA1", {"id_token": {"acr": {"values": ["LoA2"]}}})
    assert req.values == ("LoA2",)


def test_essential_loa2_on_a_level_2_password_session_asks_for_a_step_up():
    req = acr.parse(None, {"id_token": {"acr": {"essential": True, "values": ["LoA2"]}}})
    assert acr.decide(req, level=2, current="LoA1") == acr.Decision("LoA2", True)


def test_the_reported_acr_is_the_strongest_asked_value_met():
    req = acr.parse(None, {"id_token": {"acr": {"essential": True, "values": ["LoA1"]}}})
    assert acr.reported(req, "LoA2") == "LoA1"
    assert acr.reported(acr.parse(None, None), "LoA2") == "LoA2"


@pytest.mark.parametrize(
    "bad",
    [
        {"id_token": {"acr": "LoA2"}},
        {"id_token": {"acr": {"values": "LoA2"}}},
        {"id_token": {"acr": {"values": [2]}}},
        {"id_token": {"acr": {"value": ["LoA2"]}}},
    ],
)
def test_malformed_claims_acr_is_an_invalid_request(bad):
    with pytest.raises(InvalidRequest):
        acr.parse(None, bad)


def test_the_first_sign_in_after_registration_is_loa1():
    assert acr.achieved(1, "password+otp") == "LoA1"  # a new account is level 1
