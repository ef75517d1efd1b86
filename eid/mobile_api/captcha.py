"""The captcha every anonymous flow starts with (sign-up, sign-in, forgot password,
mobile sign-in)."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from eid.mobile_api import schemas as S
from eid.mobile_api.blueprint import bp
from eid.mobile_api.spec import endpoint
from eid.web import captcha


@bp.post("/captcha")
@endpoint(None, S.CaptchaOut, summary="A new captcha (image, with an audio alternative)",
          tags=("captcha",))
def new_captcha() -> Any:
    c = captcha.new()
    return jsonify({"captcha_id": c.id, "image_png_base64": c.image_data_uri.split(",", 1)[1],
                    "audio_url": c.audio_url})
