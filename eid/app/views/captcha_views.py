"""Captcha for the pages and the API: an image inline in the page, the audio
alternative behind a URL that carries the answer encrypted (Fernet), so the
server keeps no plain answer outside development."""
from __future__ import annotations

import base64
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from flask import Blueprint, Response, abort, current_app, url_for

from eid.accounts import captcha
from eid.app.services import derive_key, services

bp = Blueprint("captcha", __name__)


@dataclass(frozen=True)
class CaptchaView:
    id: str
    image_data_uri: str
    audio_url: str


def _fernet() -> Fernet:
    key = derive_key(current_app.config["SECRET_KEY"], "captcha-audio")
    return Fernet(base64.urlsafe_b64encode(key))


def new() -> CaptchaView:
    svc = services()
    cid, answer = captcha.new_captcha(svc.session, now=svc.now, rng=svc.rng, key=svc.key,
                                      dev_mode=current_app.config["DEV_MODE"])
    png = base64.b64encode(captcha.render_png(answer)).decode()
    token = _fernet().encrypt_at_time(answer.encode(), int(svc.now.timestamp())).decode()
    return CaptchaView(cid, "data:image/png;base64," + png,
                       url_for("captcha.audio", token=token))


def verify(captcha_id: str, answer: str) -> None:
    svc = services()
    captcha.verify_captcha(svc.session, captcha_id or "", answer or "", now=svc.now, key=svc.key)


@bp.get("/captcha/audio/<token>.wav")
def audio(token: str) -> Response:
    svc = services()
    try:
        answer = _fernet().decrypt_at_time(token.encode(), 300, int(svc.now.timestamp())).decode()
    except InvalidToken:
        abort(404)
    return Response(captcha.render_wav(answer), mimetype="audio/wav",
                    headers={"Cache-Control": "no-store"})
