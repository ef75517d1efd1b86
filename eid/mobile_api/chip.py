"""Reading the ID card's chip from the phone: a session with the server's challenge,
then the raw files and the active-authentication signature for verification."""
from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import current_app, jsonify

from eid.accounts import chip_binding
from eid.accounts.errors import InvalidInput
from eid.mobile_api import schemas as S
from eid.mobile_api.auth import authenticated
from eid.mobile_api.blueprint import bp
from eid.mobile_api.spec import endpoint
from eid.nfc.trust_store import TrustStore
from eid.web.chip_pki import trust_store_of
from eid.web.unit_of_work import services

MAX_FILE = 200_000


def trust_store() -> TrustStore | None:
    return trust_store_of(current_app._get_current_object())  # type: ignore[attr-defined]


def _b64(value: Any, field: str) -> bytes:
    try:
        data = base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput("Send the chip files as base64.", fields={field: "base64_invalid"}) from exc
    if len(data) > MAX_FILE:
        raise InvalidInput("A chip file is too large.", fields={field: "too_large"})
    return data


@bp.post("/chip/sessions")
@endpoint(S.ChipStartIn, S.ChipSessionOut, status=201, auth=True, tags=("chip",),
          summary="Start reading the card's chip: the server's 8-byte AA challenge",
          errors=("invalid_input", "device_key_required"))
def chip_start(body: dict[str, Any]) -> Any:
    purpose = body["purpose"]
    auth = authenticated(sensitive=purpose != "rebind")
    row = chip_binding.start(services(), auth.account, purpose)
    return jsonify({"chip_session_id": row.id, "challenge": row.challenge, "purpose": row.purpose,
                    "expires_at": row.expires_at.isoformat()}), 201


@bp.post("/chip/sessions/<session_id>/read")
@endpoint(S.ChipReadIn, S.ChipVerifiedOut, auth=True, tags=("chip",),
          summary="Upload the files read from the chip (base64) and the AA signature",
          errors=("chip_sod_hash_mismatch", "chip_untrusted_signer", "chip_revoked_signer",
                  "chip_document_expired", "chip_data_mismatch", "chip_aa_missing",
                  "chip_aa_failed", "chip_aa_replayed", "chip_session_expired", "not_found"))
def chip_read(session_id: str, body: dict[str, Any]) -> Any:
    auth = authenticated()
    files = {str(k): _b64(v, f"files.{k}") for k, v in (body.get("files") or {}).items()}
    aa = _b64(body["aa_signature"], "aa_signature") if body.get("aa_signature") else None
    v = chip_binding.submit(services(), auth.account, session_id, files, aa, trust_store())
    return jsonify({"verified": True, "purpose": v.purpose, "verification_id": v.id,
                    "document_signer": v.document_signer, "csca": v.csca,
                    "active_auth": v.active_auth, "level1_online": v.purpose == "level1_online"})
