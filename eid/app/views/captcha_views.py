"""The captcha's audio alternative (``/captcha/audio/<token>.wav``)."""
from __future__ import annotations

from flask import Blueprint, Response, abort

from eid.accounts.errors import NotFound
from eid.web import captcha

bp = Blueprint("captcha", __name__)


@bp.get("/captcha/audio/<token>.wav")
def audio(token: str) -> Response:
    try:
        wav = captcha.audio_wav(token)
    except NotFound:
        abort(404)
    return Response(wav, mimetype="audio/wav", headers={"Cache-Control": "no-store"})
