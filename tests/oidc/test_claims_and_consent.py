"""Claims by scope, the national portal's names, verified_claims with only what eid
checked, the claims parameter, and the consent rules — without Flask."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from eid.oidc import claims, consent
from eid.oidc.errors import InvalidRequest

T = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def person(**over):
    base = dict(
        sub="s-1",
        id_number="001099012345",
        full_name="Nguyễn Văn An",
        phone="+84971234371",
        email="an@example.vn",
        locale="vi",
        level=1,
        birth_date=date(1990, 5, 17),
        sex="M",
        address="12 Lê Lợi, Quảng Ngãi",
        postal_code="570000",
        evidence=(claims.Evidence("register", T),),
    )
    base.update(over)
    return claims.Person(**base)


def test_profile_names_split_family_middle_given():
    v = claims.values(person())
    assert (v["family_name"], v["middle_name"], v["given_name"]) == ("Nguyễn", "Văn", "An")
    assert v["birthdate"] == "1990-05-17" and v["gender"] == "male"


def test_the_national_scope_uses_the_national_sso_names():
    names = claims.requested(["openid", "dvcqg"], claims.ClaimsRequest())
    out = claims.release(person(), names, names)
    assert out["SoDinhDanh"] == "001099012345" and out["HoVaTen"] == "Nguyễn Văn An"
    assert out["NgaySinh"] == "17/05/1990" and out["GioiTinh"] == "Nam"
    assert out["SoDienThoai"] == "0971234371" and out["LoaiTaiKhoan"] == "1"


def test_acting_for_a_company_makes_the_account_type_organisation():
    out = claims.values(person(act={"type": "company", "id": "0312345678", "name": "Cty A", "actor": "7"}))
    assert out["LoaiTaiKhoan"] == "2" and out["act"]["id"] == "0312345678"


def test_the_full_id_number_needs_the_national_scope():
    names = claims.requested(["openid", "profile", "email", "phone", "address"], claims.ClaimsRequest())
    assert "SoDinhDanh" not in claims.release(person(), names, names)


def test_only_allowed_claims_are_released_and_sub_always():
    names = claims.requested(["openid", "profile", "email"], claims.ClaimsRequest())
    out = claims.release(person(), names, ["email"])
    assert set(out) == {"sub", "email"}


def test_scopes_in_another_order_give_the_same_claims():
    a = claims.requested(claims.parse_scope("openid email profile"), claims.ClaimsRequest())
    b = claims.requested(claims.parse_scope("profile openid email"), claims.ClaimsRequest())
    assert a == b


def test_unknown_scopes_are_dropped():
    assert claims.parse_scope("openid bogus profile") == ("openid", "profile")


def test_claims_parameter_adds_names_and_marks_essential():
    req = claims.parse_claims('{"userinfo": {"email": {"essential": true}, "nickname": null}}')
    assert req.essential() == {"email"}
    assert "email" in claims.requested(["openid"], req) and "nickname" not in claims.requested(
        ["openid"], req
    )


@pytest.mark.parametrize("bad", ["not json", "[1]", '{"userinfo": []}', '{"id_token": {"email": 1}}'])
def test_a_malformed_claims_parameter_is_an_invalid_request(bad):
    with pytest.raises(InvalidRequest):
        claims.parse_claims(bad)


def test_verified_claims_state_only_the_register_match_for_a_level_1_account():
    vc = claims.verified_claims(person(), None)
    assert vc["verification"]["assurance_level"] == "LoA1"
    assert [e["type"] for e in vc["verification"]["evidence"]] == ["electronic_record"]
    assert vc["claims"]["birthdate"] == "1990-05-17"


def test_verified_claims_list_the_chip_and_the_officer_with_their_times():
    chip_t, desk_t = datetime(2026, 11, 24, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC)
    p = person(
        level=2,
        evidence=(
            claims.Evidence("register", T),
            claims.Evidence("chip", chip_t, {"active_auth": "verified"}),
            claims.Evidence("officer", desk_t),
        ),
    )
    vc = claims.verified_claims(p, {"claims": {"given_name": None}})
    ev = vc["verification"]["evidence"]
    assert [c["txn"] for c in ev[1]["check_details"]] == ["passive_authentication", "active_authentication"]
    assert ev[2]["check_details"][0]["check_method"] == "vpip" and ev[2]["time"] == "2026-11-25T00:00:00Z"
    assert vc["verification"]["time"] == "2026-11-25T00:00:00Z" and vc["claims"] == {"given_name": "An"}


def test_without_evidence_there_are_no_verified_claims():
    assert claims.verified_claims(person(evidence=()), None) is None


def test_consent_is_asked_for_new_claims_only():
    names = claims.requested(["openid", "profile"], claims.ClaimsRequest())
    first = consent.check(names, None, prompt=())
    assert first.ask and "name" in first.missing and "sub" not in first.missing
    kept = consent.merged(None, names)
    assert not consent.check(names, kept, prompt=()).ask
    more = claims.requested(["openid", "profile", "email"], claims.ClaimsRequest())
    assert consent.check(more, kept, prompt=()).missing == {"email", "email_verified"}


def test_prompt_consent_asks_again():
    names = claims.requested(["openid", "profile"], claims.ClaimsRequest())
    assert consent.check(names, consent.merged(None, names), prompt=["consent"]).ask


def test_consent_labels_are_listed_once_each():
    labels = claims.labels(claims.requested(["openid", "profile", "dvcqg"], claims.ClaimsRequest()))
    assert labels.count("full name") == 1 and "personal ID number" in labels
