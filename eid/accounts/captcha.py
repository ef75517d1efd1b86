"""Captcha: an image with an audio alternative (the ``captcha`` package).

The package's bundled voices speak digits only, so answers are six digits: the
same challenge can be seen or heard. Only an HMAC of the answer is stored; a
captcha is single-use (consumed even when the answer is wrong) and lives two
minutes. In development and test the answer is also kept in clear so
``/dev/captcha/<id>`` can hand it to scripts.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from captcha.audio import AudioCaptcha
from captcha.image import ImageCaptcha
from sqlalchemy.orm import Session

from eid.accounts.errors import CaptchaInvalid
from eid.clock import Rng
from eid.models.captcha import CaptchaChallenge

ALPHABET = "0123456789"
LENGTH = 6
LIFETIME = timedelta(minutes=2)
_image = ImageCaptcha(width=160, height=60, font_sizes=(40, 44, 48))
_audio = AudioCaptcha()


def _hash(key: bytes, cid: str, answer: str) -> str:
    return hmac.new(key, f"captcha:{cid}:{answer}".encode(), hashlib.sha256).hexdigest()


def new_captcha(session: Session, *, now: datetime, rng: Rng, key: bytes,
                dev_mode: bool) -> tuple[str, str]:
    """Store a new challenge; returns (id, answer) so the caller can draw it."""
    answer = "".join(ALPHABET[rng.randbelow(len(ALPHABET))] for _ in range(LENGTH))
    cid = rng.token_bytes(24).hex()[:43]
    session.add(CaptchaChallenge(id=cid, answer_hash=_hash(key, cid, answer), created_at=now,
                                 expires_at=now + LIFETIME, used=False,
                                 dev_answer=answer if dev_mode else None))
    session.flush()
    return cid, answer


def render_png(answer: str) -> bytes:
    return bytes(_image.generate(answer, format="png").getvalue())


def render_wav(answer: str) -> bytes:
    return bytes(_audio.generate(answer))


def verify_captcha(session: Session, captcha_id: str, answer: str, *, now: datetime,
                   key: bytes) -> None:
    """Single use: the challenge is spent whatever the answer.

    Raises:
        CaptchaInvalid: unknown, used, expired, or a wrong answer.
    """
    row = session.get(CaptchaChallenge, captcha_id) if captcha_id else None
    if row is None or row.used:
        raise CaptchaInvalid()
    row.used = True
    session.flush()
    given = "".join((answer or "").split()).lower()
    if now >= row.expires_at or not hmac.compare_digest(row.answer_hash, _hash(key, row.id, given)):
        raise CaptchaInvalid()


def dev_answer_for(session: Session, captcha_id: str) -> str | None:
    row = session.get(CaptchaChallenge, captcha_id)
    return row.dev_answer if row is not None else None
