"""Captcha for the pages and the API: an image inline in the page, the audio
alternative behind a URL that carries the answer encrypted (Fernet), so the
server keeps no plain answer outside development."""
from __future__ import annotations

import base64
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app, url_for

from eid.accounts import captcha
from eid.accounts.errors import NotFound
from eid.web.unit_of_work import derive_key, services

AUDIO_TOKEN_SECONDS = 300


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


def audio_wav(token: str) -> bytes:
    """The spoken answer of an audio URL's token.

    Raises:
        NotFound: the token is forged or older than five minutes."""
    svc = services()
    try:
        answer = _fernet().decrypt_at_time(token.encode(), AUDIO_TOKEN_SECONDS,
                                           int(svc.now.timestamp())).decode()
    except InvalidToken as exc:
        raise NotFound("This audio captcha has expired; reload the page.") from exc
    return captcha.render_wav(answer)
